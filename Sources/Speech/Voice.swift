import Foundation

/// The speech engines Soothe runs in-process.
public enum SpeechEngine: String, CaseIterable, Equatable, Hashable, Sendable {
    /// flite: four natural-sounding English voices.
    case flite
    /// espeak-ng: many languages and variants, robotic but clear and fast.
    case espeak
}

/// A voice to speak prompts with: one of flite's, by its short name (`slt`), or one of
/// espeak-ng's as `espeak:NAME` (`espeak:en-gb+f3`, `espeak:de`).
public struct Voice: Hashable, Sendable, CustomStringConvertible {
    public var engine: SpeechEngine
    /// flite's short name, or espeak-ng's language or voice name with an optional `+variant`.
    public var name: String

    /// flite's voice of a US English woman, calm and clear.
    public static let `default` = Voice(engine: .flite, name: "slt")

    /// The prefix that picks espeak-ng.
    public static let espeakPrefix = "espeak:"

    /// The text form that `init(parsing:)` reads back.
    public var description: String {
        engine == .flite ? name : Self.espeakPrefix + name
    }

    init(engine: SpeechEngine, name: String) {
        self.engine = engine
        self.name = name
    }

    /// Reads a voice as written on the command line: `slt`, `rms`, `awb`, `kal` (or with a
    /// `flite:` prefix), or `espeak:NAME`.
    ///
    /// Whether espeak-ng has the named voice is checked when a `PromptSynthesizer` is made, since
    /// that needs espeak-ng's data.
    public init(parsing text: String) throws(SpeechError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased().hasPrefix(Self.espeakPrefix) {
            let name = String(trimmed.dropFirst(Self.espeakPrefix.count))
            guard !name.isEmpty, !name.contains(where: \.isWhitespace) else {
                throw Self.unknown(text)
            }
            self.init(engine: .espeak, name: name)
            return
        }
        var name = trimmed.lowercased()
        if name.hasPrefix("flite:") { name.removeFirst("flite:".count) }
        guard FliteVoice.all.contains(where: { $0.name == name }) else { throw Self.unknown(text) }
        self.init(engine: .flite, name: name)
    }

    private static func unknown(_ text: String) -> SpeechError {
        let flite = FliteVoice.all.map { $0.name == Voice.default.name ? "\($0.name) (the default)" : $0.name }
        return SpeechError(
            .unknownVoice,
            "there is no voice '\(text)'; the voices are flite's \(flite.joinedAsList()), and espeak-ng's as "
                + "espeak:NAME, such as espeak:en-gb, espeak:en-gb+f3 or espeak:de ('soothe voices' lists them all)")
    }
}

/// One of flite's built-in voices.
struct FliteVoice: Sendable {
    var name: String
    var summary: String
    /// How fast the voice speaks when left alone, words per minute with its pauses, measured on
    /// prompts of the built-in routines; the rate is set by stretching durations against it.
    var naturalWordsPerMinute: Double

    static let all = [
        FliteVoice(name: "slt", summary: "female, US English", naturalWordsPerMinute: 183),
        FliteVoice(name: "rms", summary: "male, US English", naturalWordsPerMinute: 159),
        FliteVoice(name: "awb", summary: "male, Scottish English", naturalWordsPerMinute: 167),
        FliteVoice(name: "kal", summary: "male, US English, telephone quality", naturalWordsPerMinute: 154),
    ]
}

/// The pace of speech.
public enum SpeechRate {
    /// Calmer than either engine's own pace (flite's slt speaks about 180 words a minute,
    /// espeak-ng 175).
    public static let defaultWordsPerMinute: Double = 140
    /// The paces Soothe accepts; espeak-ng cannot go slower than 80.
    public static let wordsPerMinuteRange: ClosedRange<Double> = 80...300

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
