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
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
