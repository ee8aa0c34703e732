/// A file that cannot be read or written, or samples that cannot be resampled, with a message that
/// says why.
public struct AudioFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// The file is missing, unreadable, or not audio libsndfile knows.
        case unreadable
        /// The file is larger than Soothe reads.
        case tooLong
        /// The file holds no audio frames.
        case empty
        /// Every sample of the file is at or below the silence threshold.
        case silent
        case resamplingFailed
        /// A loudness meter asked for what libebur128 cannot measure.
        case invalidMeter
        /// libsndfile refused an encoder setting (a compression level, a bitrate mode).
        case refusedSetting
        /// libsndfile could not start, tag, encode or finish a file it writes.
        case encodingFailed
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
