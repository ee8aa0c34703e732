import Foundation
import Sequencer

/// How a session ends, as one gain over the finished mix, a function of the absolute frame.
///
/// Without a sleep tail, the last `fadeOutDuration` seconds fade to silence (a smoothstep), as
/// the steps end. With one, the steps end at full level, and the tail falls at a steady rate in
/// dB (an exponential in amplitude, offset so that it reaches exactly zero), then holds digital
/// silence for its last `tailSilenceDuration`. The bed's own slowing and darkening in the tail is
/// `ToneBed`'s; this is only the level.
///
/// The tail's gain is evaluated on the renderer's chunk grid and interpolated in between, so it
/// costs two exponentials per chunk and gives the same samples for any block size or seek.
struct SessionEnding {
    let totalFrames: Int64
    let stepsEndFrame: Int64
    /// Without a tail: the length of the final fade. With one, the closing chime still sounds this
    /// long before the steps end, so its strikes all fall before the tail.
    let fadeOutFrameCount: Int64
    /// With a tail: where its fall reaches zero, a grid point; every frame from here on is 0.
    let silenceStartFrame: Int64
    let hasSleepTail: Bool
    let gridFrameCount: Int64

    /// The fade at the end of a session without a sleep tail, in seconds.
    static let fadeOutDuration = 12.0
    /// How far the tail's level falls along its steady slope, in dB, before the offset takes it
    /// to zero; the slope is this over the tail's fading part.
    static let tailFallDecibels = 50.0
    /// The digital silence at the very end of a sleep tail, in seconds.
    static let tailSilenceDuration = 1.0

    init(timeline: SessionTimeline, gridFrameCount: Int) {
        let rate = Double(timeline.sampleRate)
        totalFrames = timeline.totalFrames
        stepsEndFrame = timeline.stepsEndFrame
        hasSleepTail = timeline.hasSleepTail
        self.gridFrameCount = Int64(gridFrameCount)
        fadeOutFrameCount = max(1, min(Int64(Self.fadeOutDuration * rate), stepsEndFrame / 3))
        // A tail lasts at least 10 s, so a second of silence leaves it most of its time to fade.
        let silenceFrames = min(Int64(Self.tailSilenceDuration * rate), timeline.sleepTailFrames / 4)
        // On a grid point, so that the silence starts exactly there.
        let silenceStart = totalFrames - silenceFrames
        silenceStartFrame = silenceStart - silenceStart % Int64(gridFrameCount)
    }

    /// The frames over which the session fades out at the end.
    var finalFadeFrameCount: Int64 {
        hasSleepTail ? silenceStartFrame - stepsEndFrame : fadeOutFrameCount
    }

    /// The gain at `frame`: 1 before the end's fade, 0 at its last frame (and in a tail's silence).
    func gain(atFrame frame: Int64) -> Double {
        guard hasSleepTail else {
            let remaining = totalFrames - 1 - frame
            guard remaining < fadeOutFrameCount else { return 1 }
            guard remaining > 0 else { return 0 }
            return smoothstep(Double(remaining) / Double(fadeOutFrameCount))
        }
        guard frame >= stepsEndFrame else { return 1 }
        let (start, end) = tailGridGains(atFrame: frame)
        let gridStart = frame - frame % gridFrameCount
        return start + (end - start) * Double(frame - gridStart) / Double(gridFrameCount)
    }

    /// The tail's gain at the grid points either side of `frame`.
    func tailGridGains(atFrame frame: Int64) -> (start: Double, end: Double) {
        let gridStart = frame - frame % gridFrameCount
        return (tailCurve(atFrame: gridStart), tailCurve(atFrame: gridStart + gridFrameCount))
    }

    /// The tail's level: 1 at its start, a steady fall in dB, exactly 0 from `silenceStartFrame`.
    private func tailCurve(atFrame frame: Int64) -> Double {
        guard frame > stepsEndFrame else { return 1 }
        guard frame < silenceStartFrame else { return 0 }
        let progress = Double(frame - stepsEndFrame) / Double(silenceStartFrame - stepsEndFrame)
        let rate = Self.tailFallDecibels / 20 * naturalLogarithm(10)
        let floor = exponential(-rate)
        return (exponential(-rate * progress) - floor) / (1 - floor)
    }

    /// Applies the end's gain to one interleaved stereo chunk of the grid starting at `chunkStart`.
    func apply(to output: UnsafeMutablePointer<Float>, chunkStart: Int64) {
        let count = RenderGrid.chunkFrameCount
        let chunkEnd = chunkStart + Int64(count)
        if hasSleepTail {
            guard chunkEnd > stepsEndFrame else { return }
            let (startGain, endGain) = tailGridGains(atFrame: chunkStart)
            let firstIndex = Int(max(0, stepsEndFrame - chunkStart))
            if startGain == 0 && endGain == 0 {
                clearSamples(output + firstIndex * 2, count: (count - firstIndex) * 2)
                return
            }
            let slope = (endGain - startGain) / Double(count)
            for index in firstIndex..<count {
                let gain = Float(startGain + slope * Double(index))
                output[index * 2] *= gain
                output[index * 2 + 1] *= gain
            }
        } else {
            let fadeStart = totalFrames - fadeOutFrameCount
            guard chunkEnd > fadeStart else { return }
            for index in 0..<count {
                let frame = chunkStart + Int64(index)
                guard frame >= fadeStart else { continue }
                let gain = Float(gain(atFrame: frame))
                output[index * 2] *= gain
                output[index * 2 + 1] *= gain
            }
        }
    }
}
