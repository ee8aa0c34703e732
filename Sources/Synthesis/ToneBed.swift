import Foundation
import Sequencer

/// The slowly breathing pad and surf under a session, described as functions of the frame.
///
/// Every level and pitch here is a function of the absolute frame, not of what was rendered
/// before, so that the renderer evaluates it on a fixed grid (any block size gives the same
/// samples), the loudness plan evaluates the very same values, and a seek lands exactly.
///
/// Noncopyable, so that the renderer reads it in place: a copy would retain its storage, and the
/// copy's end would be a release on the render path.
struct ToneBed: ~Copyable {
    /// Voices of the pad.
    static let voiceCount = 4
    /// Oscillators of the pad: two for each voice, so that a voice that changes its note
    /// crossfades from the old note to the new one, each held at its own pitch in the key.
    /// Oscillator `slot × voiceCount + voice`.
    static let oscillatorCount = 2 * voiceCount
    /// How long a chord change crossfades, in seconds. A step shorter than this keeps the chord of
    /// the step before, so every crossfade runs its whole length before the next can start.
    static let chordCrossfadeDuration = 8.0
    /// How long the bed fades in at the start, in seconds.
    static let fadeInDuration = 4.0
    /// Breaths per minute the bed swells with.
    static let breathsPerMinute = 6.0
    /// How far the bed sinks over a session, in dB.
    static let darkeningDecibels = -3.0
    /// How fast the bed's clock runs at the end of a sleep tail against its normal speed: the
    /// breath and the swells slow down steadily to this.
    static let sleepTailFinalSpeed = 0.5
    /// How much of the breath's and the swells' depth is left at the end of a sleep tail, so that
    /// the bed's own ebb and flow never outweighs the tail's fall.
    static let sleepTailFinalSwellDepth = 0.4
    /// How far each pad voice, low to high, has faded against the root by the end of a sleep tail.
    static var sleepTailVoiceFade: SIMD4<Double> { SIMD4(0, 0.5, 0.8, 0.9) }
    /// The level of each pad voice before the master gain (linear amplitude of its fundamental).
    /// The upper voices carry the body (200-600 Hz), so the bed holds on a phone speaker; the
    /// root stays soft.
    static var voiceLevels: SIMD4<Double> { SIMD4(0.03, 0.045, 0.06, 0.065) }
    /// `voiceLevels` for each oscillator.
    static var oscillatorLevels: SIMD8<Double> { SIMD8(lowHalf: voiceLevels, highHalf: voiceLevels) }
    /// Where each voice sits, from -1 (left) to 1 (right).
    static let voicePans = SIMD4<Double>(-0.15, 0.4, -0.45, 0.25)
    /// Voicings as semitones above the key's root in octave 3, one note per voice, every note in
    /// the key and none below the root (nothing under about 130 Hz): I, IV, vi7, I add9.
    ///
    /// A note that two chords share sits in the same voice in both, so it sounds on through a change
    /// while only the voices that move crossfade. No chord holds the key's 7th, whose 3rd harmonic
    /// would fall off the key, and no change puts two notes a semitone apart in one octave (the
    /// 3rd of I against the root of IV), which would rub for the whole crossfade.
    static func chord(_ index: Int) -> SIMD4<Double> {
        switch index {
        case 1: SIMD4(5, 12, 21, 24)
        case 2: SIMD4(9, 12, 16, 19)
        case 3: SIMD4(0, 14, 16, 19)
        default: SIMD4(0, 12, 16, 19)
        }
    }
    static var chordCount: Int { 4 }

    let sampleRate: Int
    /// The end of the steps: the bed darkens over the steps, and the sleep tail starts here.
    let stepsEndFrame: Int64
    /// The frames of the sleep tail, 0 for none.
    let sleepTailFrames: Int64
    let rootHertz: Double
    /// Own the memory of `stepChords` and `stepStartFrames`.
    private let stepChordStorage: ManagedBuffer<Void, PadChord>
    private let stepStartFrameStorage: ManagedBuffer<Void, Int64>
    /// The notes of the pad in every step, and where each step starts.
    let stepChords: UnsafeMutableBufferPointer<PadChord>
    let stepStartFrames: UnsafeMutableBufferPointer<Int64>
    let chordCrossfadeFrames: Int64
    /// The slow drift of the whole pad's pitch, one for every voice: a note doubled between voices
    /// (one voice's octave on another's 2nd harmonic) stays a single pitch, never two that beat.
    let detunePeriod: Double
    let detunePhase: Double
    let swellPeriods: SIMD4<Double>
    let swellPhases: SIMD4<Double>
    let breathPhase: Double
    /// Pan gains per oscillator (both of a voice's oscillators sit where the voice sits).
    let leftGains: SIMD8<Double>
    let rightGains: SIMD8<Double>
    /// Noise level against the pad, linear; 0 without noise.
    let noiseGain: Double
    /// The dip under speech: the clips' own, or for the loudness plan the one of their expected
    /// places.
    let ducking: Ducking

    init(timeline: SessionTimeline, random: inout SeededRandom, ducking: consuming Ducking) {
        sampleRate = timeline.sampleRate
        stepsEndFrame = timeline.stepsEndFrame
        sleepTailFrames = timeline.sleepTailFrames
        rootHertz = 130.8127826502993 * pow(2, Double(timeline.bed.keySemitonesAboveC) / 12)
        chordCrossfadeFrames = Int64(Self.chordCrossfadeDuration * Double(sampleRate))
        // The last step's chord sounds on through a sleep tail, so its change has until the end.
        var chordFrameCounts = timeline.steps.map(\.frameCount)
        chordFrameCounts[chordFrameCounts.count - 1] =
            timeline.totalFrames - timeline.steps[timeline.steps.count - 1].startFrame
        (stepChordStorage, stepChords) = makeRenderStorage(
            copying: PadChord.sequence(stepFrameCounts: chordFrameCounts, crossfadeFrames: chordCrossfadeFrames))
        (stepStartFrameStorage, stepStartFrames) = makeRenderStorage(copying: timeline.steps.map(\.startFrame))
        var swellPeriods = SIMD4<Double>(), swellPhases = SIMD4<Double>()
        // A drift is drawn for every voice, as the seed's sequence has always had it, so that the
        // swells, the breath and the noise drawn after keep their values; the first is the pad's.
        var detunePeriods = SIMD4<Double>(), detunePhases = SIMD4<Double>()
        for voice in 0..<Self.voiceCount {
            detunePeriods[voice] = random.next(in: 23...41)
            detunePhases[voice] = random.next(in: 0...(2 * .pi))
            swellPeriods[voice] = random.next(in: 17...37)
            swellPhases[voice] = random.next(in: 0...(2 * .pi))
        }
        detunePeriod = detunePeriods[0]
        detunePhase = detunePhases[0]
        self.swellPeriods = swellPeriods
        self.swellPhases = swellPhases
        breathPhase = random.next(in: 0...(2 * .pi))
        // Equal-power panning that leaves a centred voice at its level in each channel.
        let angles = (Self.voicePans + 1) * (.pi / 4)
        var left = SIMD4<Double>(), right = SIMD4<Double>()
        for voice in 0..<Self.voiceCount {
            left[voice] = 2.0.squareRoot() * cos(angles[voice])
            right[voice] = 2.0.squareRoot() * sin(angles[voice])
        }
        leftGains = SIMD8(lowHalf: left, highHalf: left)
        rightGains = SIMD8(lowHalf: right, highHalf: right)
        let padPower = (Self.voiceLevels * Self.voiceLevels).sum() / 2
        noiseGain =
            timeline.bed.noise == .none ? 0 : padPower.squareRoot() * decibelsToGain(timeline.bed.noiseLevelDecibels)
        self.ducking = ducking
    }

    /// The pad and noise settings at one frame.
    struct Control {
        /// Frequency of each oscillator's fundamental (oscillator `slot × voiceCount + voice`).
        var frequenciesHertz: SIMD8<Double>
        /// Amplitude of each oscillator's fundamental, all bed gains included (not the master
        /// gain); 0 for a slot that is not sounding.
        var amplitudes: SIMD8<Double>
        /// Levels of the 2nd and 3rd harmonics against the fundamental.
        var secondHarmonic: Double
        var thirdHarmonic: Double
        /// Gains of the brighter and the darker noise table (each of unit power).
        var brightNoiseGain: Double
        var darkNoiseGain: Double
    }

    /// - Parameter isDucked: whether the dip under speech applies; the loudness model leaves it
    ///   out to find the bed's own level.
    @_noAllocation
    func control(atFrame frame: Int64, isDucked: Bool = true) -> Control {
        let seconds = Double(frame) / Double(sampleRate)
        let progress = min(max(Double(frame) / Double(max(stepsEndFrame, 1)), 0), 1)
        // In a sleep tail, the clock of the breath, swells and drift slows steadily (its rate
        // falls linearly to `sleepTailFinalSpeed`), integrated so that every phase stays continuous.
        var clockSeconds = seconds
        var tail = 0.0
        if sleepTailFrames > 0 && frame > stepsEndFrame {
            tail = min(Double(frame - stepsEndFrame) / Double(sleepTailFrames), 1)
            let intoTail = tail * Double(sleepTailFrames) / Double(sampleRate)
            let slowedSeconds = intoTail - (1 - Self.sleepTailFinalSpeed) * intoTail * tail / 2
            clockSeconds = Double(stepsEndFrame) / Double(sampleRate) + slowedSeconds
        }

        // The chord: the step's own. A voice whose note changes crossfades, equal in power, from
        // the old note in one of its slots to the new note in the other, each at its own fixed
        // pitch, so no pitch between the two (off the key) ever sounds.
        var step = 0
        var low = 0, high = stepStartFrames.count - 1
        while low <= high {
            let middle = (low + high) / 2
            if stepStartFrames[middle] <= frame { step = middle; low = middle + 1 } else { high = middle - 1 }
        }
        let chord = stepChords[step]
        let crossfade = min(max(Double(frame - stepStartFrames[step]) / Double(chordCrossfadeFrames), 0), 1)
        let incomingGain = sine(.pi / 2 * crossfade)
        // Exactly 0 once the crossfade is over (cos(π/2) is not), so the silent slot is skipped.
        let outgoingGain = crossfade < 1 ? cosine(.pi / 2 * crossfade) : 0
        var frequencies = SIMD8<Double>()
        var shares = SIMD8<Double>()
        var swells = SIMD8<Double>()
        let swellDepth = 1 - (1 - Self.sleepTailFinalSwellDepth) * tail
        let detuneCents = 4 * sine(2 * .pi * clockSeconds / detunePeriod + detunePhase)
        for voice in 0..<Self.voiceCount {
            let slot = chord.slots[voice] * Self.voiceCount + voice
            let other = (1 - chord.slots[voice]) * Self.voiceCount + voice
            frequencies[slot] = rootHertz * exponential2((chord.semitones[voice] + detuneCents / 100) / 12)
            frequencies[other] = rootHertz * exponential2((chord.previousSemitones[voice] + detuneCents / 100) / 12)
            let changes = chord.semitones[voice] != chord.previousSemitones[voice]
            shares[slot] = changes ? incomingGain : 1
            shares[other] = changes ? outgoingGain : 0
            let swell =
                0.78 + 0.22 * swellDepth * sine(2 * .pi * clockSeconds / swellPeriods[voice] + swellPhases[voice])
            swells[slot] = swell
            swells[other] = swell
        }
        let breath = sine(2 * .pi * clockSeconds * Self.breathsPerMinute / 60 + breathPhase)
        let breathDepth = 0.2 * swellDepth
        let fadeIn = smoothstep(seconds / Self.fadeInDuration)
        let level =
            fadeIn * decibelsToGain(Self.darkeningDecibels * progress)
            * (isDucked ? ducking.gain(atFrame: frame) : 1)
        let padLevel = level * (1 + breathDepth * breath)
        // The surf rises a little after the breath, like a wave following it.
        let surf = 0.65 + 0.35 * sine(2 * .pi * clockSeconds * Self.breathsPerMinute / 60 + breathPhase - 0.9)
        let noiseLevel = level * noiseGain * surf
        var amplitudes = Self.oscillatorLevels * shares * swells * padLevel
        // The tail darkens further: the upper voices and the harmonics fade, the surf turns to its
        // darker noise.
        let brightNoiseShare = (0.75 - 0.45 * progress) * (1 - tail)
        if tail > 0 {
            let fade = Self.sleepTailVoiceFade
            amplitudes *= 1 - tail * SIMD8(lowHalf: fade, highHalf: fade)
        }
        return Control(
            frequenciesHertz: frequencies, amplitudes: amplitudes,
            secondHarmonic: (0.35 - 0.15 * progress) * (1 - tail),
            thirdHarmonic: (0.15 - 0.07 * progress) * (1 - tail),
            brightNoiseGain: noiseLevel * squareRoot(brightNoiseShare),
            darkNoiseGain: noiseLevel * squareRoot((0.25 + 0.45 * progress) + (0.75 - 0.45 * progress) * tail))
    }
}

extension ToneBed {
    /// The bed's own level at `frame` without its swells: the fade-in, the darkening over the
    /// session and the dip under speech. The user's own file follows it, so that it enters,
    /// sinks and ducks with the bed.
    @_noAllocation
    func levelEnvelope(atFrame frame: Int64) -> Double {
        let seconds = Double(frame) / Double(sampleRate)
        return smoothstep(seconds / Self.fadeInDuration) * darkeningGain(atFrame: frame) * ducking.gain(atFrame: frame)
    }

    /// The bed's darkening over the steps at `frame`: 1 at the start, `darkeningDecibels` at their end.
    @_noAllocation
    private func darkeningGain(atFrame frame: Int64) -> Double {
        let progress = min(max(Double(frame) / Double(max(stepsEndFrame, 1)), 0), 1)
        return decibelsToGain(Self.darkeningDecibels * progress)
    }

    /// The mean of `value` over the steps after the fade-in, on 400 evenly spaced frames: the
    /// points the bed's average loudness and darkening are both taken on.
    private func averageOverSteps(_ value: (Int64) -> Double) -> Double {
        let points = 400
        let from = Int64(Self.fadeInDuration * Double(sampleRate))
        let to = max(from + 1, stepsEndFrame)
        var sum = 0.0
        for point in 0..<points { sum += value(from + (to - from) * Int64(point) / Int64(points)) }
        return sum / Double(points)
    }

    /// The mean power of the bed's darkening over the steps, on the points `averageLoudnessLUFS`
    /// uses: a layer that darkens with the bed is lifted by its inverse to average where the bed does.
    func averageDarkeningPower() -> Double {
        averageOverSteps { frame in
            let gain = darkeningGain(atFrame: frame)
            return gain * gain
        }
    }

    /// The K-weighted mean square (both channels summed) of the pad and noise for one control
    /// state; the noise powers are the K-weighted powers of the unit-power tables, 0 without noise.
    func weightedEnergy(
        _ control: Control, weights: KWeightingTable, brightNoisePower: Double, darkNoisePower: Double
    ) -> Double {
        var energy = 0.0
        for oscillator in 0..<Self.oscillatorCount {
            let frequency = control.frequenciesHertz[oscillator]
            let amplitude = control.amplitudes[oscillator]
            guard amplitude != 0 else { continue }
            let harmonics =
                weights.powerGain(frequencyHertz: frequency)
                + control.secondHarmonic * control.secondHarmonic * weights.powerGain(frequencyHertz: 2 * frequency)
                + control.thirdHarmonic * control.thirdHarmonic * weights.powerGain(frequencyHertz: 3 * frequency)
            let pan = leftGains[oscillator] * leftGains[oscillator] + rightGains[oscillator] * rightGains[oscillator]
            energy += amplitude * amplitude / 2 * harmonics * pan
        }
        energy +=
            2
            * (control.brightNoiseGain * control.brightNoiseGain * brightNoisePower
                + control.darkNoiseGain * control.darkNoiseGain * darkNoisePower)
        return energy
    }

    /// The bed's own average loudness over the steps, undimmed (no duck), in LUFS before the
    /// master gain: what the voice is set against, so that it sits the same distance above the
    /// bed between prompts over the whole session.
    func averageLoudnessLUFS(weights: KWeightingTable, brightNoisePower: Double, darkNoisePower: Double) -> Double {
        let meanEnergy = averageOverSteps { frame in
            weightedEnergy(
                control(atFrame: frame, isDucked: false), weights: weights, brightNoisePower: brightNoisePower,
                darkNoisePower: darkNoisePower)
        }
        return -0.691 + 10 * log10(meanEnergy)
    }
}

/// The notes of the pad through one step: the step's chord, the chord before it (which the voices
/// that change note crossfade from), and which of its two slots each voice plays the step's note in.
struct PadChord: Equatable {
    var semitones: SIMD4<Double>
    var previousSemitones: SIMD4<Double>
    /// 0 or 1 for each voice: the slot that plays `semitones`; the other plays `previousSemitones`.
    var slots: SIMD4<Int>

    /// The chords of a session's steps: the chords in turn, step by step, back to the tonic for the
    /// last step. A step too short to hold a whole crossfade keeps the chord before it, so one
    /// crossfade always ends before the next begins, and a voice changes slot only where its note
    /// changes: a note held across the change sounds on, never crossfaded against itself.
    static func sequence(stepFrameCounts: [Int64], crossfadeFrames: Int64) -> [PadChord] {
        var chords: [PadChord] = []
        for (index, frameCount) in stepFrameCounts.enumerated() {
            let wanted = ToneBed.chord(index == stepFrameCounts.count - 1 ? 0 : index % ToneBed.chordCount)
            guard let previous = chords.last else {
                chords.append(PadChord(semitones: wanted, previousSemitones: wanted, slots: SIMD4(repeating: 0)))
                continue
            }
            let semitones = frameCount >= crossfadeFrames ? wanted : previous.semitones
            var slots = previous.slots
            for voice in 0..<ToneBed.voiceCount where semitones[voice] != previous.semitones[voice] {
                slots[voice] = 1 - slots[voice]
            }
            chords.append(PadChord(semitones: semitones, previousSemitones: previous.semitones, slots: slots))
        }
        return chords
    }
}

/// A loop of filtered noise made once before rendering, read at two offsets for left and right.
///
/// Two tables of different lengths are read at once, so the sum only repeats after their least
/// common multiple (hours), and reading a table costs a load, not a filter per sample.
///
/// Noncopyable, so that the renderer reads it in place: a copy would retain its storage, and the
/// copy's end would be a release on the render path.
struct NoiseTable: ~Copyable {
    /// Owns the memory of `samples`.
    private let storage: ManagedBuffer<Void, Float>
    /// The samples, `frameCount` of them plus a copy of the first `paddingFrameCount` at the end,
    /// so that any chunk reads contiguously.
    let samples: UnsafeMutablePointer<Float>
    let frameCount: Int
    static let paddingFrameCount = 1024
    static let highPassHertz = 40.0
    /// The K-weighted mean power of the table (the table itself has unit mean power).
    let weightedPower: Double

    init(kind: NoiseKind, frameCount: Int, lowPassHertz: Double, sampleRate: Int, random: inout SeededRandom) {
        self.frameCount = frameCount
        let crossfadeFrameCount = min(frameCount / 4, sampleRate / 2)
        let generatedCount = frameCount + crossfadeFrameCount
        var generated = [Double](repeating: 0, count: generatedCount)
        // Coloured noise: brown is leaky-integrated white, pink is Paul Kellet's filter.
        var b0 = 0.0, b1 = 0.0, b2 = 0.0, b3 = 0.0, b4 = 0.0, b5 = 0.0, b6 = 0.0, brown = 0.0
        let leak = exp(-2 * Double.pi * 25 / Double(sampleRate))
        let lowPass = 1 - exp(-2 * Double.pi * lowPassHertz / Double(sampleRate))
        var low1 = 0.0, low2 = 0.0
        // A high-pass at 40 Hz keeps the surf's rumble out of the lowest octave.
        let highPass = Biquad.highPass(hertz: Self.highPassHertz, q: 0.7071, sampleRate: Double(sampleRate))
        var hx1 = 0.0, hx2 = 0.0, hy1 = 0.0, hy2 = 0.0
        for index in 0..<(generatedCount + sampleRate) {
            let white = random.nextUnit() * 2 - 1
            var value: Double
            switch kind {
            case .brown, .none:
                brown = leak * brown + white
                value = brown
            case .pink:
                b0 = 0.99886 * b0 + white * 0.0555179
                b1 = 0.99332 * b1 + white * 0.0750759
                b2 = 0.96900 * b2 + white * 0.1538520
                b3 = 0.86650 * b3 + white * 0.3104856
                b4 = 0.55000 * b4 + white * 0.5329522
                b5 = -0.7616 * b5 - white * 0.0168980
                value = b0 + b1 + b2 + b3 + b4 + b5 + b6 + white * 0.5362
                b6 = white * 0.115926
            }
            let filtered =
                highPass.b0 * value + highPass.b1 * hx1 + highPass.b2 * hx2 - highPass.a1 * hy1 - highPass.a2 * hy2
            (hx2, hx1, hy2, hy1) = (hx1, value, hy1, filtered)
            value = filtered
            low1 += lowPass * (value - low1)
            low2 += lowPass * (low1 - low2)
            // The first second lets the filters settle.
            if index >= sampleRate { generated[index - sampleRate] = low2 }
        }
        // A seamless loop: the end runs on into the start by an equal-power crossfade, written in
        // place (each head sample reads only itself and a tail sample past the loop), so that no
        // second copy of the table is made: setting up keeps peak memory low.
        for index in 0..<crossfadeFrameCount {
            let t = Double(index) / Double(crossfadeFrameCount) * Double.pi / 2
            generated[index] = sin(t) * generated[index] + cos(t) * generated[frameCount + index]
        }
        let loop = generated[0..<frameCount]
        let mean = loop.reduce(0, +) / Double(frameCount)
        let power = loop.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(frameCount)
        let scale = power > 0 ? 1 / power.squareRoot() : 0
        let (storage, samples) = makeRenderStorage(count: frameCount + Self.paddingFrameCount, repeating: Float(0))
        for index in 0..<frameCount { samples[index] = Float((generated[index] - mean) * scale) }
        generated = []
        for index in 0..<Self.paddingFrameCount { samples[frameCount + index] = samples[index % frameCount] }
        self.storage = storage
        self.samples = samples
        // Measure the loop twice over, so the filter's start-up does not count.
        var sum = 0.0
        KWeighting(sampleRate: sampleRate).forEachWeightedSquare(
            count: 2 * frameCount, sample: { samples[$0 % frameCount] }
        ) {
            index, square in if index >= frameCount { sum += square }
        }
        weightedPower = sum / Double(frameCount)
    }
}
