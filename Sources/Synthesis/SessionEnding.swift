import Foundation
import Sequencer

/// How a session ends, as one gain over the finished mix, a function of the absolute frame.
///
/// Without a sleep tail, the session fades to silence over `fadeOutDuration` seconds as the steps
/// end: evenly in dB down to `fadeFloorDecibels`, then linearly to exact zero over
/// `fadeFinalRampDuration`, so the ear hears a steady fall rather than a sudden last drop. Its last
/// `endSilenceDuration` is then digital silence, so that every format ends in exact zeros: a lossy
/// codec's frame and overlap reach back over the silence's start, and only after them does it
/// decode as silence.
///
/// With a sleep tail, the steps end at full level and the tail's loudness falls at a steady rate
/// in dB by `tailFallDecibels`, then ramps to exact zero and holds digital silence for its last
/// `tailSilenceDuration`. The bed itself darkens and thins in the tail (that is `ToneBed`'s), so
/// the gain here is corrected by the bed's own modelled loudness, second by second
/// (`tailCorrection`): what the listener hears falls evenly.
///
/// The tail's gain is evaluated on the renderer's chunk grid and interpolated in between, so it
/// costs two exponentials per chunk and gives the same samples for any block size or seek.
///
/// Noncopyable, so that the renderer reads it in place: a copy would retain the correction's
/// storage, and the copy's end would be a release on the render path.
struct SessionEnding: ~Copyable {
    let totalFrames: Int64
    let stepsEndFrame: Int64
    /// Without a tail: from the final fade's start to the end, its silence included. With one, the
    /// closing chime still sounds this long before the steps end, so its strikes all fall before
    /// the tail.
    let fadeOutFrameCount: Int64
    /// Where the fall reaches zero (with a tail, a grid point); every frame from here on is 0.
    let silenceStartFrame: Int64
    let hasSleepTail: Bool
    let gridFrameCount: Int64
    let sampleRate: Int
    /// For each second of the tail (and one past its end), the gain that undoes the bed's own
    /// fall in loudness since the tail began; empty until `correctingTail` sets it.
    private(set) var tailCorrection = UnsafeMutableBufferPointer<Double>(start: nil, count: 0)
    /// Owns the memory of `tailCorrection`.
    private var tailCorrectionStorage: ManagedBuffer<Void, Double>?

    /// The fade at the end of a session without a sleep tail, in seconds.
    static let fadeOutDuration = 15.0
    /// Where the even fall in dB ends and the final ramp to zero begins.
    static let fadeFloorDecibels = -60.0
    static let fadeFinalRampDuration = 0.1
    /// The digital silence after the final fade, in seconds. A lossy codec needs a few tens of
    /// milliseconds of it (MP3 about 35, Vorbis about 15) before it decodes exact zeros again.
    static let endSilenceDuration = 0.25
    /// How far the tail's level falls along its steady slope, in dB, before the offset takes it
    /// to zero; the slope is this over the tail's fading part.
    static let tailFallDecibels = 50.0
    /// The digital silence at the very end of a sleep tail, in seconds.
    static let tailSilenceDuration = 1.0
    /// The tail's last stretch before its silence, where the level ramps linearly from
    /// `-tailFallDecibels` to zero.
    static let tailFinalRampDuration = 0.5
    /// The most the correction may lift the bed, in dB.
    static let tailCorrectionLimitDecibels = 30.0

    init(timeline: SessionTimeline, gridFrameCount: Int) {
        let rate = Double(timeline.sampleRate)
        totalFrames = timeline.totalFrames
        stepsEndFrame = timeline.stepsEndFrame
        hasSleepTail = timeline.hasSleepTail
        self.gridFrameCount = Int64(gridFrameCount)
        sampleRate = timeline.sampleRate
        let fadeFrameCount = max(1, min(Int64(Self.fadeOutDuration * rate), stepsEndFrame / 3))
        guard hasSleepTail else {
            // A very short session keeps most of its fade.
            let silenceFrames = min(Int64(Self.endSilenceDuration * rate), fadeFrameCount / 16)
            fadeOutFrameCount = fadeFrameCount + silenceFrames
            silenceStartFrame = totalFrames - silenceFrames
            return
        }
        fadeOutFrameCount = fadeFrameCount
        // A tail lasts at least 10 s, so a second of silence leaves it most of its time to fade.
        let silenceFrames = min(Int64(Self.tailSilenceDuration * rate), timeline.sleepTailFrames / 4)
        // On a grid point, so that the silence starts exactly there.
        let silenceStart = totalFrames - silenceFrames
        silenceStartFrame = silenceStart - silenceStart % Int64(gridFrameCount)
    }

    /// This ending with its tail corrected for the bed's own fall: `bedEnergy(frame)` is the
    /// bed's modelled mean-square energy at a frame, averaged over its swells.
    consuming func correctingTail(bedEnergy: (Int64) -> Double) -> SessionEnding {
        guard hasSleepTail else { return self }
        let seconds = Int((totalFrames - stepsEndFrame) / Int64(sampleRate)) + 2
        let reference = bedEnergy(stepsEndFrame)
        let limit = decibelsToGain(Self.tailCorrectionLimitDecibels)
        let table = (0..<seconds).map { second in
            let energy = bedEnergy(stepsEndFrame + Int64(second * sampleRate))
            return energy > 0 && reference > 0 ? min((reference / energy).squareRoot(), limit) : 1
        }
        (tailCorrectionStorage, tailCorrection) = makeRenderStorage(copying: table)
        return self
    }

    /// The frames over which the session fades out at the end, its silence not included.
    var finalFadeFrameCount: Int64 {
        hasSleepTail ? silenceStartFrame - stepsEndFrame : fadeOutFrameCount - (totalFrames - silenceStartFrame)
    }

    /// The gain at `frame`: 1 before the end's fade, 0 from its last frame on (and in a tail's
    /// silence).
    @_noAllocation
    func gain(atFrame frame: Int64) -> Double {
        guard hasSleepTail else {
            let fadeFrameCount = finalFadeFrameCount
            let remaining = silenceStartFrame - 1 - frame
            guard remaining < fadeFrameCount else { return 1 }
            guard remaining > 0 else { return 0 }
            let floor = decibelsToGain(Self.fadeFloorDecibels)
            let rampFrames = Int64(Double(fadeFrameCount) * Self.fadeFinalRampDuration / Self.fadeOutDuration)
            if remaining <= rampFrames { return floor * Double(remaining) / Double(max(rampFrames, 1)) }
            let progress = 1 - Double(remaining - rampFrames) / Double(fadeFrameCount - rampFrames)
            return decibelsToGain(Self.fadeFloorDecibels * progress)
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

    /// The tail's level: 1 at its start, a steady fall in dB (corrected for the bed's own fall),
    /// a short ramp to zero, exactly 0 from `silenceStartFrame`.
    private func tailCurve(atFrame frame: Int64) -> Double {
        guard frame > stepsEndFrame else { return 1 }
        guard frame < silenceStartFrame else { return 0 }
        let rampFrames = min(
            Int64(Self.tailFinalRampDuration * Double(sampleRate)), (silenceStartFrame - stepsEndFrame) / 10)
        let fallEnd = silenceStartFrame - rampFrames
        let progress = min(Double(frame - stepsEndFrame) / Double(fallEnd - stepsEndFrame), 1)
        var level = decibelsToGain(-Self.tailFallDecibels * progress)
        if frame > fallEnd { level *= Double(silenceStartFrame - frame) / Double(rampFrames) }
        return level * correction(atFrame: frame)
    }

    /// The gain that lets a layer the bed's model does not cover (the user's own file) fall in a
    /// sleep tail as the tail's curve does: the curve carries the bed's correction, which this undoes.
    @_noAllocation
    func uncorrectedTailGain(atFrame frame: Int64) -> Double {
        guard hasSleepTail, frame > stepsEndFrame else { return 1 }
        let correction = correction(atFrame: frame)
        return correction > 0 ? 1 / correction : 1
    }

    /// The tail's correction at `frame`, interpolated between whole seconds.
    private func correction(atFrame frame: Int64) -> Double {
        guard tailCorrection.count > 1 else { return 1 }
        let position = Double(frame - stepsEndFrame) / Double(sampleRate)
        let index = min(Int(position), tailCorrection.count - 2)
        let fraction = min(position - Double(index), 1)
        return tailCorrection[index] + (tailCorrection[index + 1] - tailCorrection[index]) * fraction
    }

    /// Applies the end's gain to one interleaved stereo chunk of the grid starting at `chunkStart`.
    @_noAllocation
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
                // Assigned rather than multiplied, so that silence is +0.0 and never -0.0.
                guard frame < silenceStartFrame - 1 else {
                    output[index * 2] = 0
                    output[index * 2 + 1] = 0
                    continue
                }
                let gain = Float(gain(atFrame: frame))
                output[index * 2] *= gain
                output[index * 2 + 1] *= gain
            }
        }
    }
}
