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

/// The sound of a cue: a struck bowl or bell, tuned to the bed's key. Partials that fall off the
/// key's notes sit at least 12 dB under the fundamental, so a chime never clashes with the pad.
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

    /// Every partial's rise: a 10-90 % attack of about 20 ms, soft enough to sound struck by a
    /// padded mallet, and gentle on Bluetooth sinks.
    static let strikeAttackTimeConstant = 0.0095

    /// The level all chimes are scaled by, against the pad voices.
    static let chimeLevel = 0.1

    static let bowl = [
        ModalPartial(frequencyRatio: 1, relativeAmplitude: 1, decayFraction: 1),
        ModalPartial(frequencyRatio: 2.76, relativeAmplitude: 0.22, decayFraction: 0.6),
        ModalPartial(frequencyRatio: 5.40, relativeAmplitude: 0.12, decayFraction: 0.35),
        ModalPartial(frequencyRatio: 8.93, relativeAmplitude: 0.05, decayFraction: 0.2),
    ]
    static let bell = [
        ModalPartial(frequencyRatio: 1, relativeAmplitude: 1, decayFraction: 1),
        ModalPartial(frequencyRatio: 2.32, relativeAmplitude: 0.22, decayFraction: 0.55),
        ModalPartial(frequencyRatio: 4.25, relativeAmplitude: 0.12, decayFraction: 0.3),
        ModalPartial(frequencyRatio: 6.63, relativeAmplitude: 0.05, decayFraction: 0.18),
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
                baseSemitones: -12, partialDecaySeconds: 12, attackTimeConstantSeconds: strikeAttackTimeConstant,
                level: chimeLevel * 1.1)
        case .nextStep:
            // One small bell on the fifth.
            Chime(
                name: "small bell", partials: bell,
                strikes: [ChimeStrike(delaySeconds: 0, semitonesAboveBase: 0, gain: 1)],
                baseSemitones: 7, partialDecaySeconds: 8, attackTimeConstantSeconds: strikeAttackTimeConstant,
                level: chimeLevel * 0.8)
        case .sideSwitch:
            // Two light taps of a high bell on the octave.
            Chime(
                name: "double tap",
                partials: bell,
                strikes: [
                    ChimeStrike(delaySeconds: 0, semitonesAboveBase: 0, gain: 0.8),
                    ChimeStrike(delaySeconds: 0.24, semitonesAboveBase: 0, gain: 0.6),
                ],
                baseSemitones: 12, partialDecaySeconds: 6, attackTimeConstantSeconds: strikeAttackTimeConstant,
                level: chimeLevel * 0.7)
        case .lastStep:
            // A bowl falling from the fifth to the root.
            Chime(
                name: "falling bowl",
                partials: bowl,
                strikes: [
                    ChimeStrike(delaySeconds: 0, semitonesAboveBase: 7, gain: 0.75),
                    ChimeStrike(delaySeconds: 0.5, semitonesAboveBase: 0, gain: 1),
                ],
                baseSemitones: 0, partialDecaySeconds: 10, attackTimeConstantSeconds: strikeAttackTimeConstant,
                level: chimeLevel * 0.9)
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
                baseSemitones: -12, partialDecaySeconds: 14, attackTimeConstantSeconds: strikeAttackTimeConstant,
                level: chimeLevel)
        case .stepBell:
            // One small, high, short bell on the fifth two octaves up, well under the cues between
            // steps: it paces a step ("halfway", "change direction") without sounding like a new one.
            Chime(
                name: "step bell",
                partials: [
                    ModalPartial(frequencyRatio: 1, relativeAmplitude: 1, decayFraction: 1),
                    ModalPartial(frequencyRatio: 2.32, relativeAmplitude: 0.12, decayFraction: 0.45),
                    ModalPartial(frequencyRatio: 4.25, relativeAmplitude: 0.05, decayFraction: 0.25),
                ],
                strikes: [ChimeStrike(delaySeconds: 0, semitonesAboveBase: 0, gain: 1)],
                baseSemitones: 19, partialDecaySeconds: 3.5, attackTimeConstantSeconds: strikeAttackTimeConstant,
                level: chimeLevel * 0.4)
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

    /// The soft bowl a waiting `hold` step repeats: small, high and quiet, so it nudges rather
    /// than startles.
    public static let holdReminder = Chime(
        name: "hold reminder",
        partials: [
            ModalPartial(frequencyRatio: 1, relativeAmplitude: 1, decayFraction: 1),
            ModalPartial(frequencyRatio: 2.76, relativeAmplitude: 0.2, decayFraction: 0.5),
            ModalPartial(frequencyRatio: 5.40, relativeAmplitude: 0.08, decayFraction: 0.25),
        ],
        strikes: [ChimeStrike(delaySeconds: 0, semitonesAboveBase: 0, gain: 1)], baseSemitones: 12,
        partialDecaySeconds: 2.4, attackTimeConstantSeconds: strikeAttackTimeConstant, level: chimeLevel * 0.3)
}
