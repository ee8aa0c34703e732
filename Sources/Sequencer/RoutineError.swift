/// Where in a routine file something was found, for messages in the `file:line:column:` form.
public struct SourceLocation: Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?

    public init(file: String, line: Int? = nil, column: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String {
        guard let line else { return file }
        guard let column else { return "\(file):\(line)" }
        return "\(file):\(line):\(column)"
    }
}

/// A routine, a routine file or a customisation that Soothe refuses, with a message that says what
/// was wrong and what is valid.
public struct RoutineError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kind of problem, for callers and tests that branch on it.
    public enum Kind: Equatable, Sendable {
        case unknownRoutine
        case fileNotFound
        case unreadableFile
        case syntax
        case missingField
        case wrongType
        case unknownField
        case invalidValue
        case duplicateStepID
        case emptyRoutine
        case invalidDuration
        case unknownStepID
        case invalidSide
        case invalidOverride
        case totalTooShort
        case sessionTooLong
        case stepTooShort
    }

    public var kind: Kind
    public var location: SourceLocation?
    /// What was wrong and what is valid, without the location.
    public var message: String

    public init(_ kind: Kind, _ message: String, at location: SourceLocation? = nil) {
        self.kind = kind
        self.message = message
        self.location = location
    }

    /// The location and the message, with any control character from the file or the command
    /// line shown escaped, so that printing it cannot drive the terminal.
    public var description: String {
        guard let location else { return message.escapingControlCharacters }
        return "\(location): \(message)".escapingControlCharacters
    }
}
