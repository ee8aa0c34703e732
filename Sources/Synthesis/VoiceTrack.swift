import Foundation
import Sequencer

/// The spoken prompts, prepared once and laid end to end: each clip brought to one speech level
/// before the session plays, so that the master gain can be planned from the clips' lengths alone.
///
/// Setting up does all the work (levelling, the gain of each clip, its place and its lean);
/// rendering only adds samples.
struct VoiceTrack {
    struct Clip {
        var startFrame: Int64
        /// Where the clip's samples start in `samples`.
        var offset: Int
        var count: Int
        var leftGain: Float
        var rightGain: Float
        var endFrame: Int64 { startFrame + Int64(count) }
    }

    /// Every clip's samples, levelled, master gain included.
    private let samples: UnsafeMutablePointer<Float>
    let clips: UnsafeMutableBufferPointer<Clip>
    private var nextClip = 0

    /// The K-weighted mean square every clip is brought to over its length (one channel, before
    /// the lean and the master gain).
    let clipEnergy: Double

    /// - Parameters:
    ///   - speechLoudnessLUFS: the loudness of a centred clip in both channels before the master
    ///     gain, measured over its whole length.
    ///   - clipGainDecibels: an extra gain for each clip (by index in `clips`), such as the
    ///     prompts' fall towards sleep.
    ///   - lean: the left and right gains of each clip (by index).
    init(
        clips unsorted: [VoiceClip], totalFrames: Int64, sampleRate: Int, speechLoudnessLUFS: Double,
        masterGain: Double, clipGainDecibels: (Int) -> Double = { _ in 0 },
        lean: (Int) -> (left: Float, right: Float) = { _ in (1, 1) }
    ) {
        // A centred clip counts once per channel.
        clipEnergy = pow(10, (speechLoudnessLUFS + 0.691) / 10) / 2
        let sorted = unsorted.enumerated().sorted { $0.element.startFrame < $1.element.startFrame }
        let total = sorted.reduce(0) { $0 + $1.element.samples.count }
        samples = .allocate(capacity: max(total, 1))
        clips = .allocate(capacity: max(sorted.count, 1))
        let weighting = KWeighting(sampleRate: sampleRate)
        var offset = 0
        for (position, (index, clip)) in sorted.enumerated() {
            let usable = Int(min(Int64(clip.samples.count), totalFrames - clip.startFrame))
            let energy = Self.weightedMeanSquare(clip.samples, count: usable, weighting: weighting)
            let level = energy > 0 ? (clipEnergy / energy).squareRoot() : 0
            let gain = Float(level * masterGain * decibelsToGain(clipGainDecibels(index)))
            for sampleIndex in 0..<clip.samples.count {
                samples[offset + sampleIndex] = clip.samples[sampleIndex] * gain
            }
            let gains = lean(index)
            clips[position] = Clip(
                startFrame: clip.startFrame, offset: offset, count: usable, leftGain: gains.left,
                rightGain: gains.right)
            offset += clip.samples.count
        }
        if sorted.isEmpty {
            clips[0] = Clip(startFrame: .max, offset: 0, count: 0, leftGain: 0, rightGain: 0)
        }
    }

    /// Frees what `init` allocated; the owner calls it once, when it is done.
    func deallocate() {
        samples.deallocate()
        clips.deallocate()
    }

    /// The number of clips (`clips` holds one placeholder when there are none).
    var clipCount: Int { clips[0].startFrame == .max ? 0 : clips.count }

    /// The K-weighted mean square of `count` samples.
    static func weightedMeanSquare(_ samples: [Float], count: Int, weighting: KWeighting) -> Double {
        guard count > 0 else { return 0 }
        var sum = 0.0
        samples.withUnsafeBufferPointer { buffer in
            weighting.forEachWeightedSquare(of: buffer.baseAddress!, count: count) { _, square in sum += square }
        }
        return sum / Double(count)
    }

    /// Starts again from the first clip that still sounds at or after `frame`.
    mutating func seek(toFrame frame: Int64) {
        nextClip = 0
        while nextClip < clipCount && clips[nextClip].endFrame <= frame { nextClip += 1 }
    }

    /// Adds the clips that sound in the chunk starting at `chunkStart`.
    mutating func render(chunkStart: Int64, left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>) {
        let chunkEnd = chunkStart + Int64(RenderGrid.chunkFrameCount)
        while nextClip < clipCount && clips[nextClip].endFrame <= chunkStart { nextClip += 1 }
        var index = nextClip
        while index < clipCount && clips[index].startFrame < chunkEnd {
            let clip = clips[index]
            let from = max(clip.startFrame, chunkStart)
            let to = min(clip.endFrame, chunkEnd)
            if from < to {
                addPanned(
                    samples + clip.offset + Int(from - clip.startFrame), left: left + Int(from - chunkStart),
                    right: right + Int(from - chunkStart), leftGain: clip.leftGain, rightGain: clip.rightGain,
                    count: Int(to - from))
            }
            index += 1
        }
    }
}
