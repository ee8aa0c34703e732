/// A voice, rate or prompt that Soothe cannot speak, with a message that says what was wrong and
/// what is valid.
public struct SpeechError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kind of problem, for callers and tests that branch on it.
    public enum Kind: Equatable, Sendable {
        case unknownVoice
        case invalidRate
        case engineUnavailable
        case synthesisFailed
        case resamplingFailed
        case promptTooLong
        /// A Piper voice file that is missing, truncated, foreign or does not match its JSON.
        case badVoiceFile
        /// A prompt with a phoneme the Piper voice does not know.
        case unknownPhoneme
        /// A `say-audio` recording that is missing, unreadable or silent.
        case badRecording
        /// `soothe voices add` found a voice of that name already installed.
        case voiceExists
        /// `soothe voices add` could not write the voice folder.
        case cannotWriteVoice
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
