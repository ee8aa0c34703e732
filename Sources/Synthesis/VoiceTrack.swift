import Foundation
import Sequencer

/// The spoken prompts, prepared once and laid end to end: each clip cleaned up and brought to one
/// speech level before the session plays, so that the master gain can be planned from the clips'
/// lengths alone.
///
/// Setting up does all the work: a 70 Hz high-pass (rumble and breath pops), a de-esser (a gentle
/// cut around 6.5 kHz, where synthetic voices hiss), a slow leveller that holds back syllables
/// that poke out, the gain to the speech level, and each clip's lean. Rendering only adds samples.
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
            let cleaned = Self.level(Self.clean(clip.samples, sampleRate: sampleRate), sampleRate: sampleRate)
            let energy = Self.weightedMeanSquare(cleaned, count: usable, weighting: weighting)
            let level = energy > 0 ? (clipEnergy / energy).squareRoot() : 0
            let gain = Float(level * masterGain * decibelsToGain(clipGainDecibels(index)))
            for sampleIndex in 0..<clip.samples.count {
                samples[offset + sampleIndex] = cleaned[sampleIndex] * gain
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
        for section in sections {
            section.run(&samples)
            samples.reverse()
            section.run(&samples)
            samples.reverse()
        }
        return samples.map { Float($0) }
    }

    /// A slow leveller: where the loudness over 400 ms rises more than `levellerHeadroomDecibels`
    /// over the clip's speech level, the gain comes down (over about 50 ms) and recovers (over
    /// about 400 ms), so no syllable pokes out of the voice.
    static func level(_ samples: [Float], sampleRate: Int) -> [Float] {
        guard !samples.isEmpty else { return samples }
        let weighting = KWeighting(sampleRate: sampleRate)
        var squares = [Double](repeating: 0, count: samples.count)
        samples.withUnsafeBufferPointer { buffer in
            weighting.forEachWeightedSquare(of: buffer.baseAddress!, count: buffer.count) { squares[$0] = $1 }
        }
        // The 400 ms window's mean square, centred on each sample, from a running sum.
        let window = max(1, sampleRate * 2 / 5)
        var prefix = [Double](repeating: 0, count: samples.count + 1)
        for index in squares.indices { prefix[index + 1] = prefix[index] + squares[index] }
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
        var output = samples
        // Look ahead half a window, so the gain is down before the loud syllable.
        for index in samples.indices {
            let level = meanSquare(min(samples.count - 1, index + window / 4))
            let wanted = level > ceiling ? (ceiling / level).squareRoot() : 1
            gain = wanted < gain ? attack * gain + (1 - attack) * wanted : release * gain + (1 - release) * wanted
            output[index] = Float(Double(samples[index]) * gain)
        }
        return output
    }

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

    func run(_ samples: inout [Double]) {
        var x1 = 0.0, x2 = 0.0, y1 = 0.0, y2 = 0.0
        for index in samples.indices {
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
