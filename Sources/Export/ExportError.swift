/// An export Soothe could not do, with a message that says what was being done and why it failed.
///
/// The message reads like a sentence: "could not write 'foot.wav': disk full". libsndfile's own
/// text (`sf_strerror`) is part of it where libsndfile reported the problem.
public struct ExportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kind of problem, for callers that choose an exit status or tests that branch on it.
    public enum Kind: Equatable, Sendable {
        /// A format, rate, bit depth, bitrate or quality that is not valid.
        case invalidOption
        /// The target exists and overwriting was not asked for.
        case targetExists
        /// The target's directory is missing or not writable, or something other than a regular
        /// file (a link, a directory, a FIFO, a device) is in the way.
        case cannotCreate
        /// The file system has no space left.
        case diskFull
        /// The process's file-size limit (`ulimit -f`) was reached.
        case fileSizeLimit
        /// A termination signal (Ctrl-C, SIGTERM, SIGHUP …) arrived during the export.
        case interrupted
        /// libsndfile refused a setting or failed to encode.
        case encoding
        /// Any other failure of the operating system while writing.
        case io
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
