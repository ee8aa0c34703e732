import AudioFiles
import Foundation
import Sequencer

@testable import Synthesis

/// Builds the timeline of a built-in routine, optionally squeezed to `totalSeconds`.
func makeTimeline(_ name: String, totalSeconds: Double? = nil, sampleRate: Int = 48000) throws -> SessionTimeline {
    let routine = try RoutineLibrary.builtIn(named: name)
    let customization = SessionCustomization(totalDuration: totalSeconds.map { SessionDuration(seconds: $0) })
    return try SessionTimeline(routine: routine, customization: customization, sampleRate: sampleRate)
}

/// Renders a whole session into one interleaved array, pulling `blockFrameCount` frames at a time.
func renderAll(_ renderer: SessionRenderer, blockFrameCount: Int = 4096) -> [Float] {
    var samples = [Float](repeating: 0, count: Int(renderer.totalFrames) * renderer.channelCount)
    var done = 0
    samples.withUnsafeMutableBufferPointer { buffer in
        while true {
            let count = min(blockFrameCount, Int(renderer.totalFrames) - done)
            // As export does: a mixed-in file's read-ahead is waited for outside render.
            renderer.waitUntilReady(toRender: max(count, 1), timeoutSeconds: .infinity)
            let written = renderer.render(
                into: buffer.baseAddress! + done * renderer.channelCount, frameCount: max(count, 1))
            if written == 0 { break }
            done += written
        }
    }
    precondition(done == Int(renderer.totalFrames))
    return samples
}

/// Each clip's plan, just where it lands.
func voicePlans(exactlyFor clips: [VoiceClip]) -> [VoiceClipPlan] {
    clips.map {
        VoiceClipPlan(
            earliestStartFrame: $0.startFrame, expectedStartFrame: $0.startFrame,
            expectedFrameCount: Int64($0.samples.count))
    }
}

/// Why a render stopped waiting for its clips.
struct ClipsNotPrepared: Error, CustomStringConvertible {
    var frame: Int
    var description: String { "the clips for frame \(frame) were not prepared within 60 s" }
}

/// Renders a whole session whose clips a background thread delivers (`deliverAhead`), waiting
/// before each block until its clips are in, at most a minute, so that a delivery that stalls
/// fails the test instead of hanging it.
func renderDeliveredAhead(_ renderer: SessionRenderer, blockFrameCount: Int = 512) throws -> [Float] {
    var samples = [Float](repeating: 0, count: Int(renderer.totalFrames) * renderer.channelCount)
    var done = 0
    while done < Int(renderer.totalFrames) {
        let count = min(blockFrameCount, Int(renderer.totalFrames) - done)
        let deadline = Date().addingTimeInterval(60)
        while !renderer.isPrepared(forNext: count) {
            guard Date() < deadline else { throw ClipsNotPrepared(frame: done) }
            usleep(200)
        }
        done += samples.withUnsafeMutableBufferPointer {
            renderer.render(into: $0.baseAddress! + done * renderer.channelCount, frameCount: count)
        }
    }
    return samples
}

/// The PCM hash of `timeline` rendered with seed 3 in blocks of 1, 64, 441 and 4096 frames, by
/// block size: every block size must give the same samples.
func hashesByBlockSize(_ timeline: SessionTimeline) throws -> [Int: String] {
    var hashes: [Int: String] = [:]
    for blockSize in [1, 64, 441, 4096] {
        let renderer = try SessionRenderer(timeline: timeline, settings: RenderSettings(seed: 3))
        hashes[blockSize] = pcmHash(renderAll(renderer, blockFrameCount: blockSize))
    }
    return hashes
}

/// Measures interleaved stereo with libebur128.
func measure(_ samples: [Float], sampleRate: Int = 48000) throws -> LoudnessMeter {
    let meter = try LoudnessMeter(channelCount: 2, sampleRate: sampleRate)
    meter.add(samples)
    return meter
}

/// A stable 64-bit FNV-1a hash of the samples' bit patterns.
func pcmHash(_ samples: [Float]) -> String {
    var hash = FNV1a()
    for sample in samples {
        var bits = sample.bitPattern
        for _ in 0..<4 {
            hash.combine(UInt8(bits & 0xff))
            bits >>= 8
        }
    }
    return String(hash.value, radix: 16)
}

/// The left channel of interleaved stereo.
func leftChannel(_ samples: [Float]) -> [Float] {
    stride(from: 0, to: samples.count, by: 2).map { samples[$0] }
}
