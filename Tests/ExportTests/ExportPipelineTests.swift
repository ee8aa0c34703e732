import AudioFiles
import Foundation
import Sequencer
import SootheTestSupport
import Synthesis
import Testing

@testable import Export

/// The export renders on one thread and encodes on another, through a ring of blocks. A real
/// session, with voice clips delivered just ahead of the render as a spoken export gets them, must
/// reach the file frame for frame as the same session rendered on one thread with every clip at
/// hand: a block reordered, dropped, repeated or rendered before its clip would show.
struct ExportPipelineTests {
    static let sampleRate = 48000

    /// A one-minute quick reset.
    static func timeline() throws -> SessionTimeline {
        let routine = try RoutineLibrary.builtIn(named: "quick-reset")
        return try SessionTimeline(
            routine: routine, customization: SessionCustomization(totalDuration: SessionDuration(seconds: 60)),
            sampleRate: sampleRate)
    }

    /// Stand-ins for spoken prompts: tone bursts with a fade in and out, at odd frames.
    static func clips() -> [VoiceClip] {
        [(3.01, 1.5, 300.0), (20.37, 2.2, 450.0), (41.5, 1.3, 380.0)].map { start, seconds, hertz in
            let frameCount = Int(seconds * Double(sampleRate))
            let samples = (0..<frameCount).map { frame in
                let fade = min(1, Double(min(frame, frameCount - frame)) / 480)
                return Float(0.3 * fade * sin(2 * Double.pi * hertz * Double(frame) / Double(sampleRate)))
            }
            return VoiceClip(startFrame: Int64(start * Double(sampleRate)), samples: samples)
        }
    }

    /// The session rendered on this thread in blocks of 4096 frames, every clip delivered first.
    static func renderedOnOneThread() throws -> [Float] {
        let renderer = try SessionRenderer(
            timeline: timeline(), settings: RenderSettings(seed: 5), voiceClips: clips())
        var samples = [Float](repeating: 0, count: Int(renderer.totalFrames) * renderer.channelCount)
        var done = 0
        samples.withUnsafeMutableBufferPointer { buffer in
            while true {
                let written = renderer.render(
                    into: buffer.baseAddress! + done * renderer.channelCount,
                    frameCount: min(4096, max(Int(renderer.totalFrames) - done, 1)))
                if written == 0 { break }
                done += written
            }
        }
        return samples
    }

    /// The same session with its clips still to come: a thread delivers each just ahead of the
    /// render, as a spoken export does.
    static func rendererWithClipsToCome() throws -> SessionRenderer {
        let clips = clips()
        let renderer = try SessionRenderer(
            timeline: timeline(), settings: RenderSettings(seed: 5),
            voicePlans: clips.map {
                VoiceClipPlan(
                    earliestStartFrame: $0.startFrame, expectedStartFrame: $0.startFrame,
                    expectedFrameCount: Int64($0.samples.count))
            })
        try renderer.deliverAhead(clips)
        return renderer
    }

    /// Block sizes that divide nothing in the session (a prime, and one just under the default)
    /// as well as the default; with the ring's sixteen slots, each goes round the ring many times.
    @Test(arguments: [257, 1013, 32749, ExportOptions.defaultBlockFrameCount])
    func concurrentExportWritesEveryFrameOnceAndInOrder(blockFrameCount: Int) throws {
        let reference = try Self.renderedOnOneThread()
        let scratch = try ScratchDirectory()
        let path = scratch.file("session.wav")
        let source = try Self.rendererWithClipsToCome()
        var options = ExportOptions(format: .wavFloat, measuresLoudness: false)
        options.blockFrameCount = blockFrameCount
        let summary = try AudioExporter.export(source: source, to: path, options: options)
        #expect(summary.frameCount * 2 == Int64(reference.count))

        let decoded = try AudioFileReader.read(path)
        try #require(decoded.samples.count == reference.count, "\(decoded.samples.count / 2) frames written")
        let firstDifference = zip(decoded.samples, reference).enumerated().first { $0.element.0 != $0.element.1 }
        #expect(firstDifference == nil, "first different frame: \((firstDifference?.offset ?? 0) / 2)")
        // The clips are in the file, not only in the reference: the voice raises the level there.
        let clip = Self.clips()[1]
        let start = Int(clip.startFrame) * 2
        let voiced = decoded.samples[start..<(start + clip.samples.count * 2)].map { $0 * $0 }.reduce(0, +)
        let before = decoded.samples[(start - clip.samples.count * 2)..<start].map { $0 * $0 }.reduce(0, +)
        #expect(voiced > 2 * before, "energy with the clip \(voiced), before it \(before)")
    }

    /// A 16-bit export dithers on the encoding thread in the order the blocks come; threading and
    /// block size must leave the file byte for byte as the single-threaded export writes it.
    @Test func ditheredExportIsTheSameOnOneThreadAndTwo() throws {
        let scratch = try ScratchDirectory()
        var files: [Data] = []
        for (blockFrameCount, isConcurrent) in [
            (4096, false), (1013, true), (ExportOptions.defaultBlockFrameCount, true),
        ] {
            let path = scratch.file("session-\(blockFrameCount)-\(isConcurrent).flac")
            var options = ExportOptions(format: .flac16, ditherSeed: 11, measuresLoudness: false)
            options.blockFrameCount = blockFrameCount
            options.rendersConcurrently = isConcurrent
            _ = try AudioExporter.export(source: try Self.rendererWithClipsToCome(), to: path, options: options)
            files.append(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        #expect(files[0].count > 100_000)
        #expect(files.allSatisfy { $0 == files[0] })
    }

    /// A source whose preparation never ends: the wait gives up as soon as the export stops
    /// (a termination signal or a failed write) instead of holding the export forever.
    @Test func waitingForPreparationEndsWhenTheExportStops() {
        let source = NeverPreparedSource()
        var checks = 0
        let isPrepared = AudioExporter.waitForPreparation(of: source, frameCount: 512) {
            checks += 1
            return checks > 3
        }
        #expect(!isPrepared)
        #expect(checks == 4)
        #expect(source.position == 0)
    }
}

/// A source that waits forever for something made elsewhere.
private final class NeverPreparedSource: AudioFrameSource {
    let channelCount = 2
    let sampleRate = 48000
    let totalFrames: Int64 = 48000
    let position: Int64 = 0
    var preparedEndFrame: Int64 { 0 }

    func render(into buffer: UnsafeMutablePointer<Float>, frameCount: Int) -> Int { 0 }
}
