import ArgumentParser
import Foundation
import Sequencer
import Synthesis

/// How the session sounds beyond its timeline: its loudness, the seed of its noise and dither,
/// and whether each-side steps lean toward their side. Play and export share these, so that with
/// the same options they make the same samples.
struct SoundOptions: ParsableArguments {
    @Option(
        // Taken whatever it looks like, so that `--loudness -20` is a value, not a missing one.
        parsing: .unconditional,
        help: ArgumentHelp(
            "Integrated loudness in LUFS (\(LoudnessTarget.rangeText)), or podcast (-16) or acx; default "
                + "\(LoudnessTarget.standard.integratedLUFS.formatted()).",
            valueName: "lufs|preset"),
        transform: { try LoudnessTarget(parsing: $0) })
    var loudness: LoudnessTarget = .standard

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "The seed of noise and dither, any whole number; the same seed gives the same samples.", valueName: "n"),
        transform: { try SoundOptions.parseSeed($0) })
    var seed: UInt64 = 1

    /// A seed from 0 to 2⁶⁴ − 1, or a negative one from −2⁶³, which stands for the same bits.
    static func parseSeed(_ text: String) throws -> UInt64 {
        if let seed = UInt64(text) { return seed }
        if let seed = Int64(text) { return UInt64(bitPattern: seed) }
        throw ValidationError(
            "'\(text)' is not a seed; a seed is a whole number from \(Int64.min) to \(UInt64.max), such as 1")
    }

    @Flag(
        name: .customLong("no-lean"),
        help: "Keep the voice and chimes centred in each-side steps, rather than leaning toward the side.")
    var noLean = false

    @Option(
        name: .customLong("mix"),
        help: ArgumentHelp(
            "Your own sound to loop under the session: any file libsndfile reads (WAV, FLAC, Ogg, Opus, MP3).",
            valueName: "file"))
    var mixFile: String?

    @Option(
        name: .customLong("mix-level"),
        parsing: .unconditional,
        help: ArgumentHelp(
            "The level of your sound in dB (\(SoundOptions.mixLevelRangeText)); 0 sits where the tones sit "
                + "under the voice.",
            valueName: "dB"),
        transform: { text in
            let range = BedSettings.fileLevelRange
            guard let level = Double(text.replacingOccurrences(of: "dB", with: "")), range.contains(level) else {
                throw ValidationError(
                    "'\(text)' is not a level from \(SoundOptions.mixLevelRangeText) dB; 0 sits where the tones sit "
                        + "under the voice")
            }
            return level
        })
    var mixLevel: Double?

    @Flag(
        name: .customLong("no-tones"),
        help: "Leave out the tone bed, so that only your own sound plays under the voice.")
    var noTones = false

    /// `-30 to 12`.
    static var mixLevelRangeText: String {
        "\(BedSettings.fileLevelRange.lowerBound.formatted()) to \(BedSettings.fileLevelRange.upperBound.formatted())"
    }

    /// `routine` with the background options applied over its own `bed:`.
    func applyingBackground(to routine: Routine) throws -> Routine {
        var routine = routine
        if let mixFile { routine.bed.file = mixFile }
        if let mixLevel { routine.bed.fileLevelDecibels = mixLevel }
        if noTones { routine.bed.playsTones = false }
        if routine.bed.silentBedProblem != nil {
            throw ValidationError("--no-tones leaves only your own sound; name a file with --mix FILE")
        }
        return routine
    }

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
    /// The targets the renderer can reach.
    static let lufsRange = RenderSettings.loudnessTargetRange
    /// `-40 to -10`.
    static var rangeText: String { "\(lufsRange.lowerBound.formatted()) to \(lufsRange.upperBound.formatted())" }

    init(parsing argument: String) throws {
        switch argument.lowercased() {
        case "podcast": self = .podcast
        case "acx": self = .acx
        default:
            let number = argument.uppercased().hasSuffix("LUFS") ? String(argument.dropLast(4)) : argument
            guard let value = Double(number.trimmingCharacters(in: .whitespaces)), value.isFinite else {
                throw ValidationError(
                    "'\(argument)' is not a loudness; give a number of LUFS from \(Self.rangeText) (such as "
                        + "\(Self.standard.integratedLUFS.formatted())), or podcast or acx")
            }
            guard Self.lufsRange.contains(value) else {
                throw ValidationError(
                    "a loudness of \(argument) LUFS is out of range; choose from \(Self.rangeText) LUFS")
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
