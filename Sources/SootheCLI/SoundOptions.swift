import ArgumentParser
import Foundation
import Synthesis

/// How the session sounds beyond its timeline: its loudness, the seed of its noise and dither,
/// and whether each-side steps lean toward their side. Play and export share these, so that with the same options they make the same samples.
struct SoundOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Integrated loudness in LUFS (-40 to -6), or podcast (-16) or acx; default -24.",
            valueName: "lufs|preset"),
        transform: { try LoudnessTarget(parsing: $0) })
    var loudness: LoudnessTarget = .standard

    @Option(help: ArgumentHelp("The seed of noise and dither; the same seed gives the same samples.", valueName: "n"))
    var seed: UInt64 = 1

    @Flag(
        name: .customLong("no-lean"),
        help: "Keep the voice and chimes centred in each-side steps, rather than leaning toward the side.")
    var noLean = false

    var renderSettings: RenderSettings {
        var settings = RenderSettings(
            loudnessTargetLUFS: loudness.integratedLUFS, truePeakCeilingDecibels: loudness.truePeakCeilingDBTP,
            seed: seed)
        settings.leansToSide = !noLean
        return settings
    }
}

/// `--loudness`: a target in LUFS or a preset.
enum LoudnessTarget: Equatable {
    case lufs(Double)
    /// Spoken-word podcasts: -16 LUFS.
    case podcast
    /// Audible's ACX: RMS -23 to -18 dB, peaks at most -3 dBFS, 44.1 kHz, 192 kbps CBR MP3.
    case acx

    /// The default for every format, so that `play` and `export` match.
    static let standard = LoudnessTarget.lufs(RenderSettings.defaultLoudnessTargetLUFS)
    static let lufsRange: ClosedRange<Double> = -40 ... -6

    init(parsing argument: String) throws {
        switch argument.lowercased() {
        case "podcast": self = .podcast
        case "acx": self = .acx
        default:
            let number = argument.uppercased().hasSuffix("LUFS") ? String(argument.dropLast(4)) : argument
            guard let value = Double(number.trimmingCharacters(in: .whitespaces)), value.isFinite else {
                throw ValidationError(
                    "'\(argument)' is not a loudness; give a number of LUFS from -40 to -6 (such as -20), "
                        + "or podcast or acx")
            }
            guard Self.lufsRange.contains(value) else {
                throw ValidationError("a loudness of \(argument) LUFS is out of range; choose from -40 to -6 LUFS")
            }
            self = .lufs(value)
        }
    }

    /// The integrated loudness the master gain aims at.
    var integratedLUFS: Double {
        switch self {
        case .lufs(let value): value
        case .podcast: -16
        // The middle of ACX's RMS window.
        case .acx: -20
        }
    }

    /// The highest true peak the limiter lets through.
    var truePeakCeilingDBTP: Double {
        self == .acx ? -3 : -1
    }

    /// The rate the preset implies when `--sample-rate` is not given.
    var preferredSampleRate: Int? {
        self == .acx ? 44100 : nil
    }
}
