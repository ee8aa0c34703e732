/// A length set for one step from the command line: `ID=DURATION` for every side the step is done
/// on, or `ID@SIDE=DURATION` for one side.
public struct StepOverride: Equatable, Sendable {
    public var stepID: String
    /// The one side this applies to, or `nil` for every side.
    public var side: Side?
    public var duration: SessionDuration

    public init(stepID: String, side: Side? = nil, duration: SessionDuration) {
        self.stepID = stepID
        self.side = side
        self.duration = duration
    }

    public static let syntaxHelp = "ID=DURATION or ID@SIDE=DURATION, such as thumb-circles=3m or arch@left=90s"

    /// Parses `ID=DURATION` or `ID@SIDE=DURATION`.
    public init(parsing text: String) throws(RoutineError) {
        guard let equals = text.firstIndex(of: "=") else {
            throw RoutineError(.invalidOverride, "'\(text)' does not set a step's length; expected \(Self.syntaxHelp)")
        }
        let target = String(text[..<equals]).trimmingWhitespace()
        let durationText = String(text[text.index(after: equals)...])
        var stepID = target
        var side: Side?
        if let at = target.firstIndex(of: "@") {
            stepID = String(target[..<at])
            let sideText = String(target[target.index(after: at)...])
            guard let parsedSide = Side(rawValue: sideText.lowercased()) else {
                throw RoutineError(
                    .invalidSide,
                    "'\(text)' names the side '\(sideText)'; sides are "
                        + Side.allCases.map(\.rawValue).joinedAsList())
            }
            side = parsedSide
        }
        guard !stepID.isEmpty else {
            throw RoutineError(.invalidOverride, "'\(text)' names no step; expected \(Self.syntaxHelp)")
        }
        do {
            self.duration = try SessionDuration(parsing: durationText)
        } catch {
            throw RoutineError(.invalidDuration, "--step \(text): \(error)")
        }
        self.stepID = stepID
        self.side = side
    }
}

/// How a user changes a routine's lengths for one session.
public struct SessionCustomization: Equatable, Sendable {
    /// Lengths set for single steps; a later one for the same step and side wins.
    public var stepOverrides: [StepOverride]
    /// The length of the steps together; the steps not named by `stepOverrides` scale to fit it.
    /// A sleep tail comes on top.
    public var totalDuration: SessionDuration?
    /// The sleep tail for this session, replacing the routine's: `nil` keeps the routine's,
    /// `.zero` turns it off.
    public var sleepTail: SessionDuration?

    public init(
        stepOverrides: [StepOverride] = [], totalDuration: SessionDuration? = nil, sleepTail: SessionDuration? = nil
    ) {
        self.stepOverrides = stepOverrides
        self.totalDuration = totalDuration
        self.sleepTail = sleepTail
    }
}

/// Parses the value of `--sleep-tail`: a duration, or `off` (or `0`) for no tail.
extension SessionDuration {
    /// The words that turn a sleep tail off.
    public static let sleepTailOffWords = ["off", "0"]
    public static let sleepTailSyntaxHelp = "a duration such as 10m, 90s or 1h, or off for none"

    /// A sleep tail's length from the command line: `.zero` for `off` or `0`.
    public init(parsingSleepTail text: String) throws(RoutineError) {
        let trimmed = text.trimmingWhitespace()
        if Self.sleepTailOffWords.contains(trimmed.lowercased()) {
            self = .zero
            return
        }
        let duration: SessionDuration
        do {
            duration = try SessionDuration(parsing: trimmed)
        } catch {
            throw RoutineError(.invalidDuration, error.sleepTailDescription)
        }
        try SessionTimeline.checkSleepTail(duration)
        self = duration
    }
}

extension DurationError {
    /// The message for a sleep tail, which may also be `off`.
    fileprivate var sleepTailDescription: String {
        switch problem {
        case .empty: return "a sleep tail is empty; expected \(SessionDuration.sleepTailSyntaxHelp)"
        case .malformed: return "'\(text)' is not a duration; expected \(SessionDuration.sleepTailSyntaxHelp)"
        case .notPositive:
            return "'\(text)' is not a positive duration; give a length such as 10m, or off for no sleep tail"
        case .tooLong: return description
        }
    }
}
