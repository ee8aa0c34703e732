/// A length of time held in whole microseconds, so that sums, scaling and frame positions are exact.
///
/// Durations are written as `90`, `90s`, `1m30s`, `1.5m`, `2m`, `1h`, `1:30` or `1:02:30`.
public struct SessionDuration: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The length in microseconds.
    public var microseconds: Int64

    public init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    public init(seconds: Double) {
        self.microseconds = Int64((seconds * 1_000_000).rounded())
    }

    public static let zero = SessionDuration(microseconds: 0)

    /// The longest session Soothe accepts: a whole night, 24 hours.
    public static let maximum = SessionDuration(seconds: 24 * 3600)

    /// The length in seconds.
    public var seconds: Double { Double(microseconds) / 1_000_000 }

    /// The frame this time falls on at `sampleRate`, rounded to the nearest frame (halves round up).
    public func frames(atSampleRate sampleRate: Int) -> Int64 {
        (microseconds * Int64(sampleRate) + 500_000) / 1_000_000
    }

    public static func < (lhs: SessionDuration, rhs: SessionDuration) -> Bool {
        lhs.microseconds < rhs.microseconds
    }

    public static func + (lhs: SessionDuration, rhs: SessionDuration) -> SessionDuration {
        SessionDuration(microseconds: lhs.microseconds + rhs.microseconds)
    }

    public static func - (lhs: SessionDuration, rhs: SessionDuration) -> SessionDuration {
        SessionDuration(microseconds: lhs.microseconds - rhs.microseconds)
    }

    /// A clock form for people: `45`, `1:30`, `12:00`, `1:02:03`, with tenths when not whole.
    public var description: String {
        let tenths = (microseconds + 50_000) / 100_000
        let wholeSeconds = tenths / 10
        let hours = wholeSeconds / 3600
        let minutes = (wholeSeconds / 60) % 60
        let seconds = wholeSeconds % 60
        let fraction = tenths % 10 == 0 ? "" : ".\(tenths % 10)"
        let secondsText = (seconds < 10 ? "0" : "") + "\(seconds)\(fraction)"
        if hours > 0 {
            return "\(hours):" + (minutes < 10 ? "0" : "") + "\(minutes):\(secondsText)"
        }
        return "\(minutes):\(secondsText)"
    }
}

extension SessionDuration {
    /// The forms a duration may take, for error messages.
    public static let syntaxHelp = "a duration such as 90, 90s, 1m30s, 1.5m, 2m or 1:30"

    /// Parses a duration written by a person.
    ///
    /// A bare number is seconds. Unit forms combine `h`, `m` and `s` in that order (`1h30m`,
    /// `1m30s`, `1.5m`). Clock forms are `M:SS` or `H:MM:SS`. The result must be positive and at
    /// most 24 hours.
    public init(parsing text: String) throws(DurationError) {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw DurationError(text: text, problem: .empty) }
        if trimmed.hasPrefix("-") { throw DurationError(text: text, problem: .notPositive) }
        let seconds: Double
        if trimmed.contains(":") {
            seconds = try Self.parseClock(trimmed, original: text)
        } else {
            seconds = try Self.parseUnits(trimmed, original: text)
        }
        guard seconds.isFinite, seconds <= SessionDuration.maximum.seconds else {
            throw DurationError(text: text, problem: .tooLong)
        }
        let duration = SessionDuration(seconds: seconds)
        guard duration.microseconds > 0 else { throw DurationError(text: text, problem: .notPositive) }
        self = duration
    }

    private static func parseClock(_ text: String, original: String) throws(DurationError) -> Double {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3 else {
            throw DurationError(text: original, problem: .malformed)
        }
        var total = 0.0
        for (position, part) in parts.enumerated() {
            let isLast = position == parts.count - 1
            guard let value = parseNumber(part, allowsFraction: isLast) else {
                throw DurationError(text: original, problem: .malformed)
            }
            // Every field after the first counts within its larger unit, as on a clock.
            if position > 0 && value >= 60 { throw DurationError(text: original, problem: .malformed) }
            if position > 0 && part.prefix(while: { $0 != "." }).count != 2 {
                throw DurationError(text: original, problem: .malformed)
            }
            total = total * 60 + value
        }
        return total
    }

    private static func parseUnits(_ text: String, original: String) throws(DurationError) -> Double {
        let unitSeconds: [Character: Double] = ["h": 3600, "m": 60, "s": 1]
        let unitOrder: [Character] = ["h", "m", "s"]
        var total = 0.0
        var number = ""
        var lastUnitPosition = -1
        for character in text.lowercased() {
            if character.isNumber || character == "." {
                number.append(character)
                continue
            }
            guard let position = unitOrder.firstIndex(of: character), position > lastUnitPosition,
                let value = parseNumber(number, allowsFraction: true)
            else {
                throw DurationError(text: original, problem: .malformed)
            }
            total += value * unitSeconds[character]!
            lastUnitPosition = position
            number = ""
        }
        if !number.isEmpty {
            // A bare number is seconds, but only on its own: `1m30` is ambiguous, so refuse it.
            guard lastUnitPosition == -1, let value = parseNumber(number, allowsFraction: true) else {
                throw DurationError(text: original, problem: .malformed)
            }
            total = value
        } else if lastUnitPosition == -1 {
            throw DurationError(text: original, problem: .malformed)
        }
        return total
    }

    private static func parseNumber(_ text: String, allowsFraction: Bool) -> Double? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) else { return nil }
        let dots = text.filter { $0 == "." }.count
        guard dots == 0 || (allowsFraction && dots == 1 && text.first != "." && text.last != ".") else {
            return nil
        }
        return Double(text)
    }
}

/// Why a duration was refused.
public struct DurationError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Problem: Equatable, Sendable {
        case empty, malformed, notPositive, tooLong
    }

    /// The text as the user wrote it.
    public var text: String
    public var problem: Problem

    public var description: String {
        switch problem {
        case .empty:
            return "a duration is empty; expected \(SessionDuration.syntaxHelp)"
        case .malformed:
            return "'\(text)' is not a duration; expected \(SessionDuration.syntaxHelp)"
        case .notPositive:
            return "'\(text)' is not a positive duration; a duration must be longer than zero"
        case .tooLong:
            return "'\(text)' is longer than 24 hours, the longest duration Soothe accepts"
        }
    }
}
