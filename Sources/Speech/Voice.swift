import Foundation
import Sequencer

/// The speech engines Soothe runs in-process.
public enum SpeechEngine: String, CaseIterable, Equatable, Hashable, Sendable {
    /// flite: four natural-sounding English voices.
    case flite
    /// espeak-ng: many languages and variants, robotic but clear and fast.
    case espeak
    /// Piper neural voices through sherpa-onnx: close to a person, from a voice file.
    case piper
}

/// A voice to speak prompts with: one of flite's, by its short name (`slt`), one of espeak-ng's as
/// `espeak:NAME` (`espeak:en-gb+f3`, `espeak:de`), or a Piper voice as `piper:NAME` or the path of
/// its `.onnx` file.
public struct Voice: Hashable, Sendable, CustomStringConvertible {
    public var engine: SpeechEngine
    /// flite's short name, espeak-ng's language or voice name with an optional `+variant`, or the
    /// Piper voice's file name without `.onnx`.
    public var name: String
    /// A Piper voice's `.onnx` file.
    public var modelPath: String?

    /// flite's voice of a US English woman, calm and clear: the voice where no Piper voice is
    /// installed (see `VoiceCatalog.defaultVoice`).
    public static let `default` = Voice(engine: .flite, name: "slt")

    /// The prefix that picks espeak-ng.
    public static let espeakPrefix = "espeak:"
    /// The prefix that picks a Piper voice by name.
    public static let piperPrefix = "piper:"

    /// The text form that `init(parsing:)` reads back.
    public var description: String {
        switch engine {
        case .flite: name
        case .espeak: Self.espeakPrefix + name
        case .piper: Self.piperPrefix + name
        }
    }

    init(engine: SpeechEngine, name: String, modelPath: String? = nil) {
        self.engine = engine
        self.name = name
        self.modelPath = modelPath
    }

    /// A Piper voice from its `.onnx` file; the file is checked when a `PromptSynthesizer` is made.
    public init(piperModelAt path: String) {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        self.init(
            engine: .piper, name: PiperVoiceFile.name(ofModelAt: path),
            modelPath: URL(fileURLWithPath: absolute).standardizedFileURL.path)
    }

    /// Reads a voice as written on the command line: `slt`, `rms`, `awb`, `kal` (or with a
    /// `flite:` prefix), `espeak:NAME`, `piper:NAME` (looked up in `locations`) or the path of a
    /// Piper `.onnx` file.
    ///
    /// Whether espeak-ng has the named voice, and whether a Piper file is sound, is checked when a
    /// `PromptSynthesizer` is made.
    public init(parsing text: String, locations: PiperLocations = .standard()) throws(SpeechError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased().hasPrefix(Self.piperPrefix) {
            let name = String(trimmed.dropFirst(Self.piperPrefix.count))
            let found = PiperVoiceFinder.modelPaths(in: locations).first {
                PiperVoiceFile.name(ofModelAt: $0.path) == name
            }
            guard let found, !name.isEmpty else {
                let known = PiperVoiceFinder.modelPaths(in: locations).map {
                    "piper:" + PiperVoiceFile.name(ofModelAt: $0.path)
                }
                let folders = locations.voiceFolders.map(\.path).joinedAsList()
                throw SpeechError(
                    .unknownVoice,
                    "there is no Piper voice '\(name)'; "
                        + (known.isEmpty ? "none is installed" : "the Piper voices are \(known.joinedAsList())")
                        + " (looked in \(folders)); add one with 'soothe voices add FILE.onnx' or give the path of "
                        + "its .onnx file")
            }
            self.init(piperModelAt: found.path)
            return
        }
        if trimmed.lowercased().hasPrefix(Self.espeakPrefix) {
            let name = String(trimmed.dropFirst(Self.espeakPrefix.count))
            guard !name.isEmpty, !name.contains(where: \.isWhitespace) else {
                throw Self.unknown(text)
            }
            self.init(engine: .espeak, name: name)
            return
        }
        if trimmed.hasSuffix(".onnx") || trimmed.contains("/") {
            self.init(piperModelAt: trimmed)
            return
        }
        var name = trimmed.lowercased()
        if name.hasPrefix("flite:") { name.removeFirst("flite:".count) }
        guard FliteVoice.all.contains(where: { $0.name == name }) else { throw Self.unknown(text) }
        self.init(engine: .flite, name: name)
    }

    private static func unknown(_ text: String) -> SpeechError {
        let flite = FliteVoice.all.map(\.name)
        return SpeechError(
            .unknownVoice,
            "there is no voice '\(text)'; the voices are flite's \(flite.joinedAsList()), espeak-ng's as "
                + "espeak:NAME, such as espeak:en-gb, espeak:en-gb+f3 or espeak:de, and Piper voices as piper:NAME "
                + "or the path of a .onnx file ('soothe voices' lists them all)")
    }
}

/// One of flite's built-in voices.
struct FliteVoice: Sendable {
    var name: String
    var summary: String
    /// How the voice's duration stretch maps to its pace (see `PaceCalibration`).
    var pace: PaceCalibration

    /// Each voice's pace measured over the prompts of the built-in routines at duration stretches
    /// 0.6 to 2 (342 to 103 words a minute for slt): seconds per word are proportional to the
    /// stretch, within 0.6 % of these lines. Left alone (a stretch of 1) slt speaks 206 words a
    /// minute, rms 179, awb 198 and kal 209.
    static let all = [
        FliteVoice(
            name: "slt", summary: "female, US English",
            pace: PaceCalibration(scaledSecondsPerWord: 0.2917, fixedSecondsPerWord: -0.0004)),
        FliteVoice(
            name: "rms", summary: "male, US English",
            pace: PaceCalibration(scaledSecondsPerWord: 0.3379, fixedSecondsPerWord: -0.0028)),
        FliteVoice(
            name: "awb", summary: "male, Scottish English",
            pace: PaceCalibration(scaledSecondsPerWord: 0.3007, fixedSecondsPerWord: 0.0020)),
        FliteVoice(
            name: "kal", summary: "male, US English, telephone quality",
            pace: PaceCalibration(scaledSecondsPerWord: 0.2869, fixedSecondsPerWord: 0.0003)),
    ]
}

/// The pace of speech.
public enum SpeechRate {
    /// A bedtime pace, far calmer than any engine's own (flite's slt speaks 206 words a minute,
    /// espeak-ng 208, the Piper voice joe 236, measured as `PaceCalibration` says).
    public static let defaultWordsPerMinute: Double = 120
    /// The paces Soothe accepts. espeak-ng speaks no slower than about 95 words a minute (its
    /// slowest rate setting), so a slower pace is 95 with its voices.
    public static let wordsPerMinuteRange: ClosedRange<Double> = 80...300

    /// Checks a pace, with a message that gives the range.
    public static func check(_ wordsPerMinute: Double) throws(SpeechError) {
        try validate(wordsPerMinute)
    }

    static func validate(_ wordsPerMinute: Double) throws(SpeechError) {
        guard wordsPerMinute.isFinite, wordsPerMinuteRange.contains(wordsPerMinute) else {
            throw SpeechError(
                .invalidRate,
                "a speech rate of \(wordsPerMinute) words a minute is out of range; choose from "
                    + "\(Int(wordsPerMinuteRange.lowerBound)) to \(Int(wordsPerMinuteRange.upperBound)) "
                    + "(the default is \(Int(defaultWordsPerMinute)))")
        }
    }
}

/// How an engine's speed setting maps to the pace heard, measured on its output.
///
/// Every engine has a stretch: 1 is its own pace, 2 makes its sounds last twice as long (flite's
/// duration stretch, Piper's length scale relative to the voice's own, espeak-ng's rate setting as
/// 175 over the stretch). The pace is words over speaking time: the time from the first to the
/// last sound of a prompt (a 10 ms frame within 40 dB of its loudest), less the pauses between
/// sentences that `SpokenSentences` adds; pauses at commas are speaking time. It was measured over
/// the 38 distinct prompts of the built-in routines at seven or eight stretches per engine, and each
/// engine's seconds per word lie close to a straight line in the stretch: a part the stretch scales
/// and a part it leaves alone. The tests measure the same way.
struct PaceCalibration: Sendable {
    var scaledSecondsPerWord: Double
    var fixedSecondsPerWord: Double

    /// The stretch that speaks `wordsPerMinute`.
    func stretch(forWordsPerMinute wordsPerMinute: Double) -> Double {
        max(0.25, (60 / wordsPerMinute - fixedSecondsPerWord) / scaledSecondsPerWord)
    }
}
