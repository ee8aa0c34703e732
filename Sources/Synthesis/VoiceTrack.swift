import Foundation
import Sequencer

/// The spoken prompts: each clip cleaned up and brought to one speech level as it arrives, so
/// that the master gain can be planned from the clips' lengths alone, before any is spoken.
///
/// There is one slot per prompt, in playing order. A preparation thread fills a slot (`fill`)
/// with the clip high-passed at 70 Hz (rumble and breath pops), de-essed (a gentle cut around
/// 6.5 kHz, where synthetic voices hiss), held back by a slow leveller where syllables poke out,
/// at the speech level with its lean and the master gain, and then publishes it through
/// `SpeechSpans`. Rendering reads only published slots, and only adds samples.
///
/// Noncopyable, so that the renderer reads it in place: a copy would retain its storage, and the
/// copy's end would be a release on the render path.
struct VoiceTrack: ~Copyable {
    struct Clip {
        var startFrame: Int64
        /// The clip's levelled samples, in memory `SlotSamples` owns.
        var samples: UnsafeMutablePointer<Float>?
        var count: Int
        var leftGain: Float
        var rightGain: Float
        var endFrame: Int64 { startFrame + Int64(count) }
    }

    /// Own the memory of `clips` and `slotGains`.
    private let clipStorage: ManagedBuffer<Void, Clip>
    private let slotGainStorage: ManagedBuffer<Void, Double>
    /// One slot per prompt, in playing order.
    let clips: UnsafeMutableBufferPointer<Clip>
    /// The memory of each filled slot's samples.
    private let slotSamples: SlotSamples

    /// The K-weighted mean square every clip is brought to over its length (one channel, before
    /// the lean and the master gain).
    let clipEnergy: Double
    let sampleRate: Int
    let totalFrames: Int64
    let masterGain: Double
    /// The highest sample peak a clip may reach after every gain, linear (see `VoicePeakLimiter`).
    let peakCeiling: Double
    /// Each slot's extra gain (such as the prompts' fall towards sleep), linear.
    private let slotGains: UnsafeMutableBufferPointer<Double>
    let slotCount: Int

    /// - Parameters:
    ///   - speechLoudnessLUFS: the loudness of a centred clip in both channels before the master
    ///     gain, measured over its whole length.
    ///   - slotGainDecibels: an extra gain for each slot, such as the prompts' fall towards sleep.
    ///   - leans: the left and right gains of each slot.
    init(
        slotGainDecibels: [Double], leans: [(left: Float, right: Float)], totalFrames: Int64, sampleRate: Int,
        speechLoudnessLUFS: Double, masterGain: Double, peakCeiling: Double
    ) {
        // A centred clip counts once per channel.
        clipEnergy = pow(10, (speechLoudnessLUFS + 0.691) / 10) / 2
        self.sampleRate = sampleRate
        self.totalFrames = totalFrames
        self.masterGain = masterGain
        self.peakCeiling = peakCeiling
        slotCount = leans.count
        (clipStorage, clips) = makeRenderStorage(
            copying: leans.map {
                Clip(startFrame: .max, samples: nil, count: 0, leftGain: $0.left, rightGain: $0.right)
            })
        (slotGainStorage, slotGains) = makeRenderStorage(copying: slotGainDecibels.map(decibelsToGain))
        slotSamples = SlotSamples(slotCount: leans.count)
    }

    /// Lets the memory of slot `index`'s samples go, once rendering has mixed past the clip and
    /// will not read it again (a session rendered straight on, without seeking back). Called by
    /// the thread that fills the slots.
    func retire(slot index: Int) {
        slotSamples.buffers[index] = nil
    }

    /// Reads, cleans, levels and places a clip in slot `index`, not yet published. Called by the
    /// one thread that prepares the prompts, never while the slot is read. The clip is read straight
    /// into the track's own memory and limited there, so a clip already cleaned up (a cached
    /// prompt) is held once; one that is not is copied while it is cleaned. `memo` gives the
    /// levelling found for the same clip under the same conditions before, and keeps the one
    /// found now.
    func fill(slot index: Int, from source: VoiceClipSource, memo: VoiceLevellingMemo? = nil) throws {
        let usable = Int(max(0, min(Int64(source.frameCount), totalFrames - source.startFrame)))
        let (storage, samples) = makeRenderStorage(count: source.frameCount, repeating: Float(0))
        try source.read(UnsafeMutableBufferPointer(start: samples, count: source.frameCount))
        if !source.isCleanedUp {
            let cleaned = VoiceCleanup.apply(
                Array(UnsafeBufferPointer(start: samples, count: source.frameCount)), sampleRate: sampleRate)
            samples.update(from: cleaned, count: source.frameCount)
        }
        let lean = Double(max(clips[index].leftGain, clips[index].rightGain))
        let peakGain = lean * masterGain * slotGains[index]
        let conditions = memo.map { _ in
            VoicePeakLimiter.conditions(
                count: usable, targetEnergy: clipEnergy, peakGain: peakGain, ceiling: peakCeiling,
                sampleRate: sampleRate, isCleanedUp: source.isCleanedUp)
        }
        let levelling: VoicePeakLimiter.Levelling
        if let memo, let conditions, let note = memo.recall(index, conditions),
            let recalled = VoicePeakLimiter.Levelling(noteText: note)
        {
            levelling = recalled
        } else {
            levelling = VoicePeakLimiter.levelling(
                UnsafeBufferPointer(start: samples, count: usable), targetEnergy: clipEnergy, peakGain: peakGain,
                ceiling: peakCeiling, sampleRate: sampleRate, weighting: KWeighting(sampleRate: sampleRate))
            if let memo, let conditions { memo.keep(index, conditions, levelling.noteText) }
        }
        if let sampleCeiling = levelling.sampleCeiling {
            VoicePeakLimiter.limitInPlace(samples, count: usable, ceiling: sampleCeiling, sampleRate: sampleRate)
        }
        let gain = Float(levelling.gain * masterGain * slotGains[index])
        for sampleIndex in 0..<usable { samples[sampleIndex] *= gain }
        slotSamples.buffers[index] = storage
        clips[index].startFrame = source.startFrame
        clips[index].samples = samples
        clips[index].count = usable
    }

    /// The high-pass corner, in Hz.
    static let highPassHertz = 70.0
    /// The de-esser: a peaking cut at `deEssHertz`.
    static let deEssHertz = 6500.0
    static let deEssDecibels = -8.0
    /// The leveller holds the 400 ms loudness within this much of the clip's own level.
    static let levellerHeadroomDecibels = 2.5

    /// The clip high-passed and de-essed by RBJ biquads, each run forwards and then backwards:
    /// zero phase, so the words stay exactly on their frames, and the slopes doubled (the
    /// high-pass becomes fourth-order, each pass of the cut takes half its depth).
    static func clean(_ input: [Float], sampleRate: Int) -> [Float] {
        var samples = input.map(Double.init)
        let rate = Double(sampleRate)
        var sections = [Biquad.highPass(hertz: highPassHertz, q: 0.7071, sampleRate: rate)]
        if deEssHertz < rate / 2 * 0.9 {
            sections.append(
                Biquad.peaking(hertz: deEssHertz, q: 0.9, gainDecibels: deEssDecibels / 2, sampleRate: rate))
        }
        samples.withUnsafeMutableBufferPointer { buffer in
            for section in sections {
                section.run(buffer, isBackwards: false)
                section.run(buffer, isBackwards: true)
            }
        }
        return samples.map { Float($0) }
    }

    /// A slow leveller: where the loudness over 400 ms rises more than `levellerHeadroomDecibels`
    /// over the clip's speech level, the gain comes down (over about 50 ms) and recovers (over
    /// about 400 ms), so no syllable pokes out of the voice.
    static func level(_ samples: [Float], sampleRate: Int) -> [Float] {
        guard !samples.isEmpty else { return samples }
        let weighting = KWeighting(sampleRate: sampleRate)
        // The 400 ms window's mean square, centred on each sample, from a running sum of the
        // K-weighted squares.
        let window = max(1, sampleRate * 2 / 5)
        var prefix = [Double](repeating: 0, count: samples.count + 1)
        prefix.withUnsafeMutableBufferPointer { sums in
            samples.withUnsafeBufferPointer { buffer in
                weighting.forEachWeightedSquare(of: buffer.baseAddress!, count: buffer.count) { index, square in
                    sums[index + 1] = sums[index] + square
                }
            }
        }
        func meanSquare(_ index: Int) -> Double {
            let from = max(0, index - window / 2)
            let to = min(samples.count, index + window / 2)
            return (prefix[to] - prefix[from]) / Double(window)
        }
        // The clip's speech level: the mean square over the windows that hold speech (within
        // 20 dB of the loudest), as a loudness meter's gate would see it.
        let loudest = stride(from: 0, to: samples.count, by: window / 4).map(meanSquare).max() ?? 0
        guard loudest > 0 else { return samples }
        let speech = stride(from: 0, to: samples.count, by: window / 4).map(meanSquare).filter { $0 > loudest / 100 }
        let speechLevel = speech.reduce(0, +) / Double(max(speech.count, 1))
        let ceiling = speechLevel * decibelsToGain(2 * levellerHeadroomDecibels)
        let attack = exp(-1 / (0.05 * Double(sampleRate)))
        let release = exp(-1 / (0.4 * Double(sampleRate)))
        var gain = 1.0
        let count = samples.count
        let half = window / 2
        let windowFrames = Double(window)
        // Look ahead half a window, so the gain is down before the loud syllable. (The running
        // sums are read through pointers: this loop runs once per sample of every prompt.)
        return [Float](unsafeUninitializedCapacity: count) { output, initialized in
            prefix.withUnsafeBufferPointer { sums in
                samples.withUnsafeBufferPointer { input in
                    for index in 0..<count {
                        let centre = min(count - 1, index + window / 4)
                        let level = (sums[min(count, centre + half)] - sums[max(0, centre - half)]) / windowFrames
                        let wanted = level > ceiling ? (ceiling / level).squareRoot() : 1
                        gain =
                            wanted < gain
                            ? attack * gain + (1 - attack) * wanted : release * gain + (1 - release) * wanted
                        output[index] = Float(Double(input[index]) * gain)
                    }
                }
            }
            initialized = count
        }
    }

    /// The K-weighted mean square of `samples`.
    static func weightedMeanSquare(_ samples: UnsafeBufferPointer<Float>, weighting: KWeighting) -> Double {
        guard !samples.isEmpty else { return 0 }
        var sum = 0.0
        weighting.forEachWeightedSquare(of: samples.baseAddress!, count: samples.count) { _, square in sum += square }
        return sum / Double(samples.count)
    }

    /// Starts again from the first clip that still sounds at or after `frame`.
    @_noAllocation
    func seek(toFrame frame: Int64, publishedCount: Int, nextClip: inout Int) {
        nextClip = 0
        while nextClip < publishedCount && clips[nextClip].endFrame <= frame { nextClip += 1 }
    }

    /// Adds the published clips that sound in the chunk starting at `chunkStart`; `nextClip` is
    /// the renderer's place in the slots.
    @_noAllocation
    func render(
        chunkStart: Int64, left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>, publishedCount: Int,
        nextClip: inout Int
    ) {
        addPublishedClips(
            clips, publishedCount: publishedCount, nextClip: &nextClip, chunkStart: chunkStart,
            chunkEnd: chunkStart + Int64(RenderGrid.chunkFrameCount), left: left, right: right)
    }
}

/// The memory of a voice track's clips, one entry per slot, `nil` until the slot is filled and
/// again once it is retired. Only the thread that fills the slots touches it (and the track's
/// owner, last, when it lets the track go); rendering reads the samples through the clips' pointers.
private final class SlotSamples {
    var buffers: [ManagedBuffer<Void, Float>?]

    init(slotCount: Int) { buffers = Array(repeating: nil, count: slotCount) }
}

/// Adds the clips of the first `publishedCount` slots that sound in `chunkStart..<chunkEnd`,
/// starting the search at `nextClip` and moving it past the clips that have ended. It reads only
/// slots the preparation thread published, and touches no other memory than the buffers.
@_noAllocation
func addPublishedClips(
    _ clips: UnsafeMutableBufferPointer<VoiceTrack.Clip>, publishedCount: Int, nextClip: inout Int,
    chunkStart: Int64, chunkEnd: Int64, left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>
) {
    while nextClip < publishedCount && clips[nextClip].startFrame + Int64(clips[nextClip].count) <= chunkStart {
        nextClip += 1
    }
    var index = nextClip
    while index < publishedCount && clips[index].startFrame < chunkEnd {
        let clip = clips[index]
        let clipEnd = clip.startFrame + Int64(clip.count)
        let from = clip.startFrame > chunkStart ? clip.startFrame : chunkStart
        let to = clipEnd < chunkEnd ? clipEnd : chunkEnd
        if from < to, let samples = clip.samples {
            addPanned(
                samples + Int(from - clip.startFrame), left: left + Int(from - chunkStart),
                right: right + Int(from - chunkStart), leftGain: clip.leftGain, rightGain: clip.rightGain,
                count: Int(to - from))
        }
        index += 1
    }
}

/// A second-order filter section (Robert Bristow-Johnson's cookbook), run in place at set-up.
struct Biquad {
    var b0: Double, b1: Double, b2: Double, a1: Double, a2: Double

    static func highPass(hertz: Double, q: Double, sampleRate: Double) -> Biquad {
        let omega = 2 * Double.pi * hertz / sampleRate
        let alpha = sin(omega) / (2 * q)
        let c = cos(omega)
        let a0 = 1 + alpha
        return Biquad(
            b0: (1 + c) / 2 / a0, b1: -(1 + c) / a0, b2: (1 + c) / 2 / a0, a1: -2 * c / a0, a2: (1 - alpha) / a0)
    }

    static func peaking(hertz: Double, q: Double, gainDecibels: Double, sampleRate: Double) -> Biquad {
        let amplitude = pow(10, gainDecibels / 40)
        let omega = 2 * Double.pi * hertz / sampleRate
        let alpha = sin(omega) / (2 * q)
        let c = cos(omega)
        let a0 = 1 + alpha / amplitude
        return Biquad(
            b0: (1 + alpha * amplitude) / a0, b1: -2 * c / a0, b2: (1 - alpha * amplitude) / a0, a1: -2 * c / a0,
            a2: (1 - alpha / amplitude) / a0)
    }

    /// Runs the filter over `samples` in place, from the first to the last or, backwards, from the
    /// last to the first (the same as reversing, running and reversing again, without the copies).
    func run(_ samples: UnsafeMutableBufferPointer<Double>, isBackwards: Bool) {
        var x1 = 0.0, x2 = 0.0, y1 = 0.0, y2 = 0.0
        let count = samples.count
        for step in 0..<count {
            let index = isBackwards ? count - 1 - step : step
            let x = samples[index]
            let y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
            x2 = x1
            x1 = x
            y2 = y1
            y1 = y
            samples[index] = y
        }
    }
}
