/// Where in a step something happens: a fixed time from the step's start (`45s`, `1m30s`), or a
/// share of the step's length (`50%`).
///
/// When `--step` or `--total` changes a step's length, a share moves with it and a time stays put.
public enum StepPosition: Equatable, Sendable, CustomStringConvertible {
    /// This long after the step's first frame.
    case time(SessionDuration)
    /// This fraction of the step's length after its first frame, from 0 up to (not including) 1.
    case share(Double)

    /// The forms a position may take, for messages.
    public static let syntaxHelp = "a time from the step's start such as 45s or 1m30s, or a share such as 50%"

    /// Parses `45s`, `1:30`, `0` (a time) or `50%` (a share).
    public init?(parsing text: String) {
        let trimmed = text.trimmingWhitespace()
        if trimmed.hasSuffix("%") {
            let number = String(trimmed.dropLast()).trimmingWhitespace()
            guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
                let percent = Double(number), (0..<100).contains(percent)
            else { return nil }
            self = .share(percent / 100)
            return
        }
        do {
            self = .time(try SessionDuration(parsing: trimmed))
        } catch {
            // Zero is no length, but it is a place: the start of the step.
            guard error.problem == .notPositive, !trimmed.hasPrefix("-") else { return nil }
            self = .time(.zero)
        }
    }

    /// How long after the start of a step of `duration` this position falls, in whole microseconds.
    public func offset(inStepOf duration: SessionDuration) -> SessionDuration {
        switch self {
        case .time(let time): time
        case .share(let share): SessionDuration(microseconds: Int64((Double(duration.microseconds) * share).rounded()))
        }
    }

    /// `45s`, `1m30s` or `50%`, as a routine file writes it.
    public var description: String {
        switch self {
        case .time(let time): time.writtenForm
        case .share(let share): (share * 100).plainText + "%"
        }
    }
}

/// A prompt said later in a step than its opening words, at its own position (an item of a
/// `say:` list).
public struct TimedPrompt: Equatable, Sendable {
    public var position: StepPosition
    /// What is said; for a recording, its transcript, if any.
    public var text: String?
    /// The user's recording spoken instead of `text`.
    public var sayAudio: String?

    public init(position: StepPosition, text: String? = nil, sayAudio: String? = nil) {
        self.position = position
        self.text = text
        self.sayAudio = sayAudio
    }
}

/// Soft bells rung inside a step to pace it: every so often, or at given positions.
public enum StepBells: Equatable, Sendable {
    /// One bell each time this much of the step has passed.
    case every(SessionDuration)
    /// One bell at each position.
    case at([StepPosition])

    /// The offsets from the start of a step of `duration` where its bells ring: only those at
    /// least `BellTiming.leadIn` after the step's chime and `BellTiming.endMargin` before the next.
    public func offsets(inStepOf duration: SessionDuration) -> [SessionDuration] {
        let latest = duration - BellTiming.endMargin
        let wanted: [SessionDuration]
        switch self {
        case .every(let interval):
            guard interval.microseconds > 0 else { return [] }
            wanted = Array(
                sequence(first: interval) { $0 + interval }.prefix { $0 <= latest }.prefix(Routine.maximumStepCount))
        case .at(let positions):
            // Two positions may meet at a new length (50 % and 45 s in a 90 s step): one bell.
            wanted = Set(positions.map { $0.offset(inStepOf: duration) }).sorted()
        }
        return wanted.filter { $0 >= BellTiming.leadIn && $0 <= latest }
    }
}

/// Where bells may ring in a step.
public enum BellTiming {
    /// The earliest a bell rings after its step starts, clear of the step's own chime.
    public static let leadIn = SessionDuration(seconds: 2)
    /// No bell rings this close to the end of its step, so it never runs into the next step's chime.
    public static let endMargin = SessionDuration(seconds: 5)
    /// A bell does not ring from this long before a prompt starts until the prompt ends, nor this
    /// long after: it would sound on top of the words. It is left out instead.
    public static let clearanceBeforePrompt = SessionDuration(seconds: 2)
    public static let clearanceAfterPrompt = SessionDuration(seconds: 0.5)
    /// The shortest time between bells of `every`: closer, they would be a pulse, which `tempo` is for.
    public static let minimumInterval = SessionDuration(seconds: 5)
}

extension SessionTimeline {
    /// The bells that ring, given the frames prompts are spoken over: every bell of every step,
    /// less those that would fall on a prompt (see `BellTiming`). Sorted by frame.
    public func ringingBells(avoiding promptSpans: [Range<Int64>]) -> [CueEvent] {
        let before = BellTiming.clearanceBeforePrompt.frames(atSampleRate: sampleRate)
        let after = BellTiming.clearanceAfterPrompt.frames(atSampleRate: sampleRate)
        // Both in order, so each bell is checked against the few spans around it.
        let quiet = promptSpans.map { ($0.lowerBound - before)..<($0.upperBound + after) }.sorted {
            $0.lowerBound < $1.lowerBound
        }
        var first = 0
        return bells.filter { bell in
            while first < quiet.count && quiet[first].upperBound <= bell.frame { first += 1 }
            var index = first
            while index < quiet.count && quiet[index].lowerBound <= bell.frame {
                if quiet[index].contains(bell.frame) { return false }
                index += 1
            }
            return true
        }
    }
}

extension RoutineItem {
    /// The steps of this item as written.
    var writtenSteps: [RoutineStep] {
        switch self {
        case .step(let step): [step]
        case .eachSide(let block): block.steps
        }
    }
}

extension SessionDuration {
    /// `45s`, `1m30s`, `1h5m`, `2.5s`: the unit form a routine file reads back, exact to the
    /// microsecond (a part of a second is a decimal fraction of the seconds).
    public var writtenForm: String {
        let wholeSeconds = microseconds / 1_000_000
        let fraction = microseconds % 1_000_000
        var text = ""
        if wholeSeconds >= 3600 { text += "\(wholeSeconds / 3600)h" }
        if (wholeSeconds / 60) % 60 > 0 { text += "\((wholeSeconds / 60) % 60)m" }
        let seconds = wholeSeconds % 60
        if fraction > 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 6 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "\(seconds).\(digits)s"
        } else if seconds > 0 || text.isEmpty {
            text += "\(seconds)s"
        }
        return text
    }
}
