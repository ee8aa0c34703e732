import Foundation
public import Sequencer

/// One mode of a struck bowl or bell: a partial with its own level and decay.
public struct ModalPartial: Sendable, Equatable {
    /// Frequency as a multiple of the strike's pitch; inharmonic for bowls and bells.
    public var frequencyRatio: Double
    /// Amplitude against the strongest partial.
    public var relativeAmplitude: Double
    /// This partial's time to -60 dB as a fraction of the sound's decay; high partials die first.
    public var decayFraction: Double
}

/// One strike of a chime: when, how high, how hard.
public struct ChimeStrike: Sendable, Equatable {
    /// Delay after the cue, in seconds.
    public var delaySeconds: Double
    /// Pitch above the chime's base note, in semitones.
    public var semitonesAboveBase: Double
    public var gain: Double
}

/// The sound of a cue: a struck bowl or bell, tuned to the bed's key.
///
/// Every partial is a decaying sinusoid with a soft attack, `A·(e^{-t/τ} - e^{-t/τa})·sin(ωt)`: it
/// starts from zero with no click, peaks within a few milliseconds and decays on its own time.
public struct Chime: Sendable, Equatable {
    public var name: String
    public var partials: [ModalPartial]
    public var strikes: [ChimeStrike]
    /// The base note as semitones above the key's root in octave 4 (D4 for a bed in D).
    public var baseSemitones: Double
    /// Time to -60 dB of the sound's longest partial after its strike, in seconds.
    public var partialDecaySeconds: Double
    /// How quickly each partial rises, as a time constant in seconds.
    public var attackTimeConstantSeconds: Double
    /// Level of the whole chime before the master gain.
    public var level: Double

    /// From the cue's frame to below -60 dB of the chime's peak, in seconds.
    public var decaySeconds: Double {
        (strikes.map(\.delaySeconds).max() ?? 0) + partialDecaySeconds
    }

    /// Partials decay this many time constants within `partialDecaySeconds`: e^-8 is -69 dB, a
    /// margin below -60 dB for the partials summing and the attack not quite reaching 1.
    static let timeConstantsPerDecay = 8.0

    /// The level all chimes are scaled by, against the pad voices.
    static let chimeLevel = 0.2

    static let bowl = [
        ModalPartial(frequencyRatio: 1, relativeAmplitude: 1, decayFraction: 1),
        ModalPartial(frequencyRatio: 2.76, relativeAmplitude: 0.45, decayFraction: 0.6),
        ModalPartial(frequencyRatio: 5.40, relativeAmplitude: 0.2, decayFraction: 0.35),
        ModalPartial(frequencyRatio: 8.93, relativeAmplitude: 0.08, decayFraction: 0.2),
    ]
    static let bell = [
        ModalPartial(frequencyRatio: 1, relativeAmplitude: 1, decayFraction: 1),
        ModalPartial(frequencyRatio: 2.32, relativeAmplitude: 0.5, decayFraction: 0.55),
        ModalPartial(frequencyRatio: 4.25, relativeAmplitude: 0.22, decayFraction: 0.3),
        ModalPartial(frequencyRatio: 6.63, relativeAmplitude: 0.08, decayFraction: 0.18),
    ]

    /// The chime for each cue: a listener with closed eyes can tell them apart by register, timbre
    /// and number of strikes.
    public static func chime(for kind: CueKind) -> Chime {
        switch kind {
        case .sessionStart:
            // One deep bowl on the root.
            Chime(
                name: "deep bowl", partials: bowl,
                strikes: [ChimeStrike(delaySeconds: 0, semitonesAboveBase: 0, gain: 1)],
                baseSemitones: -12, partialDecaySeconds: 12, attackTimeConstantSeconds: 0.0015, level: chimeLevel * 1.1)
        case .nextStep:
            // One small bell on the fifth.
            Chime(
                name: "small bell", partials: bell,
                strikes: [ChimeStrike(delaySeconds: 0, semitonesAboveBase: 0, gain: 1)],
                baseSemitones: 7, partialDecaySeconds: 8, attackTimeConstantSeconds: 0.001, level: chimeLevel * 0.8)
        case .sideSwitch:
            // Two light taps of a high bell on the octave.
            Chime(
                name: "double tap",
                partials: bell,
                strikes: [
                    ChimeStrike(delaySeconds: 0, semitonesAboveBase: 0, gain: 0.8),
                    ChimeStrike(delaySeconds: 0.24, semitonesAboveBase: 0, gain: 0.6),
                ],
                baseSemitones: 12, partialDecaySeconds: 6, attackTimeConstantSeconds: 0.001, level: chimeLevel * 0.7)
        case .lastStep:
            // A bowl falling from the fifth to the root.
            Chime(
                name: "falling bowl",
                partials: bowl,
                strikes: [
                    ChimeStrike(delaySeconds: 0, semitonesAboveBase: 7, gain: 0.75),
                    ChimeStrike(delaySeconds: 0.5, semitonesAboveBase: 0, gain: 1),
                ],
                baseSemitones: 0, partialDecaySeconds: 10, attackTimeConstantSeconds: 0.0015, level: chimeLevel * 0.9)
        case .sessionEnd:
            // Three slow bowls down the chord to the low root, the longest ring of all.
            Chime(
                name: "closing bowls",
                partials: bowl,
                strikes: [
                    ChimeStrike(delaySeconds: 0, semitonesAboveBase: 12, gain: 0.6),
                    ChimeStrike(delaySeconds: 0.8, semitonesAboveBase: 7, gain: 0.7),
                    ChimeStrike(delaySeconds: 1.6, semitonesAboveBase: 0, gain: 1),
                ],
                baseSemitones: -12, partialDecaySeconds: 14, attackTimeConstantSeconds: 0.002, level: chimeLevel)
        }
    }

    /// The soft pulse that paces strokes in steps with a tempo: a short, low, muffled knock.
    static let tempoPulse = Chime(
        name: "pulse",
        partials: [
            ModalPartial(frequencyRatio: 1, relativeAmplitude: 1, decayFraction: 1),
            ModalPartial(frequencyRatio: 2.02, relativeAmplitude: 0.25, decayFraction: 0.6),
        ],
        strikes: [ChimeStrike(delaySeconds: 0, semitonesAboveBase: 0, gain: 1)], baseSemitones: -12,
        partialDecaySeconds: 0.5, attackTimeConstantSeconds: 0.004, level: chimeLevel * 0.25)
}

/// A single strike scheduled at an exact frame, with its partials resolved to frequencies.
struct StrikeEvent {
    var frame: Int64
    /// Index into the renderer's strike sounds.
    var soundIndex: Int
}

/// A strike's partials at one pitch, ready to start.
struct StrikeSound {
    struct Partial {
        var radiansPerFrame: Double
        var amplitude: Double
        var decayPerFrame: Double
        var timeConstantFrames: Double
        var frequencyHertz: Double
    }
    var partials: [Partial]
    var attackPerFrame: Double
    var attackTimeConstantFrames: Double
    /// After this many frames the attack term is below 1e-15 and is dropped.
    var attackFrameCount: Int64
    /// After this many frames the strike is below -120 dB and its voice is freed.
    var lengthFrames: Int64

    static let maximumPartialCount = 4

    init(chime: Chime, strike: ChimeStrike, keySemitonesAboveC: Int, sampleRate: Int) {
        let rate = Double(sampleRate)
        // The root in octave 4: C4 = 261.63 Hz.
        let baseHertz =
            261.6255653005986
            * pow(2, (Double(keySemitonesAboveC) + chime.baseSemitones + strike.semitonesAboveBase) / 12)
        let longestTimeConstant = chime.partialDecaySeconds / Chime.timeConstantsPerDecay
        partials = chime.partials.prefix(Self.maximumPartialCount).map { partial in
            let hertz = baseHertz * partial.frequencyRatio
            let timeConstantFrames = longestTimeConstant * partial.decayFraction * rate
            return Partial(
                radiansPerFrame: 2 * .pi * hertz / rate,
                amplitude: chime.level * strike.gain * partial.relativeAmplitude,
                decayPerFrame: exp(-1 / timeConstantFrames), timeConstantFrames: timeConstantFrames,
                frequencyHertz: hertz)
        }
        attackTimeConstantFrames = chime.attackTimeConstantSeconds * rate
        attackPerFrame = exp(-1 / attackTimeConstantFrames)
        attackFrameCount = Int64((35 * attackTimeConstantFrames).rounded(.up))
        lengthFrames = Int64((longestTimeConstant * rate * 14).rounded(.up))
    }

    /// The strike's K-weighted energy (summed over partials, per channel) between `startFrame`
    /// and `endFrame` after its onset, in (amplitude² × frames), with `gain` applied.
    func weightedEnergy(fromFrame startFrame: Double, toFrame endFrame: Double, weights: [Double]) -> Double {
        // a(t)² = A²(e^{-2t/τ} - 2e^{-t(1/τ+1/τa)} + e^{-2t/τa}); a sinusoid's mean square is half that.
        func integral(_ rate: Double) -> Double { (exp(-rate * startFrame) - exp(-rate * endFrame)) / rate }
        var sum = 0.0
        let attackRate = 1 / attackTimeConstantFrames
        for (index, partial) in partials.enumerated() {
            let decayRate = 1 / partial.timeConstantFrames
            let envelope = integral(2 * decayRate) - 2 * integral(decayRate + attackRate) + integral(2 * attackRate)
            sum += partial.amplitude * partial.amplitude / 2 * envelope * weights[index]
        }
        return sum
    }
}

extension Chime {
    /// Renders this chime alone (mono, one strike schedule from frame 0) through the same strike
    /// code the session uses, so its decay can be measured.
    func renderAlone(keySemitonesAboveC: Int, sampleRate: Int, frameCount: Int) -> [Float] {
        let chunk = SessionRenderer.chunkFrameCount
        let chunkCount = (frameCount + chunk - 1) / chunk
        let output = UnsafeMutableRawPointer.allocate(byteCount: chunkCount * chunk * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: chunkCount * chunk)
        defer { output.deallocate() }
        output.initialize(repeating: 0, count: chunkCount * chunk)
        for strike in strikes {
            let sound = StrikeSound(
                chime: self, strike: strike, keySemitonesAboveC: keySemitonesAboveC, sampleRate: sampleRate)
            let onset = Int((strike.delaySeconds * Double(sampleRate)).rounded())
            for partial in sound.partials {
                var decaying = RotationOscillator()
                var attack = RotationOscillator()
                let onsetChunk = onset / chunk
                let laneOffset = (onset % chunk) % 8
                decaying.set(
                    amplitude: partial.amplitude, phase: 0, radiansPerFrame: partial.radiansPerFrame,
                    decayPerFrame: partial.decayPerFrame, laneOffset: laneOffset)
                attack.set(
                    amplitude: partial.amplitude, phase: 0, radiansPerFrame: partial.radiansPerFrame,
                    decayPerFrame: sound.attackPerFrame, laneOffset: laneOffset)
                for chunkIndex in onsetChunk..<chunkCount {
                    let chunkStart = chunkIndex * chunk
                    let offset = onset - chunkStart
                    let lanes = UnsafeMutableRawPointer(output + chunkStart).assumingMemoryBound(to: Lanes.self)
                    renderStrikePartial(
                        decaying: &decaying, attack: &attack,
                        hasAttack: Int64(chunkStart - onset) < sound.attackFrameCount,
                        into: lanes, firstVector: offset > 0 ? offset / 8 : 0,
                        maskedLanes: offset >= 0 ? laneOffset : 0,
                        mask: laneMasks[offset >= 0 ? laneOffset : 0], vectorCount: chunk / 8)
                }
            }
        }
        return Array(UnsafeBufferPointer(start: output, count: frameCount))
    }
}
