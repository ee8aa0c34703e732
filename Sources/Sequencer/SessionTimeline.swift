/// What marks a moment in a session; each kind has its own chime so that a listener with closed
/// eyes knows where they are.
public enum CueKind: String, CaseIterable, Equatable, Sendable, Codable {
    case sessionStart = "session-start"
    case nextStep = "next-step"
    case sideSwitch = "side-switch"
    case lastStep = "last-step"
    case sessionEnd = "session-end"
    /// A soft bell inside a step (`bells:`), quieter than the cues between steps.
    case stepBell = "step-bell"
}

/// A cue at an exact frame.
public struct CueEvent: Equatable, Sendable {
    public let kind: CueKind
    public let frame: Int64
    /// The index into `SessionTimeline.steps` of the step this cue starts (or, for a bell, rings
    /// in), or `nil` at the end.
    public let stepIndex: Int?
}

/// A prompt said later in a step, placed for the step's length in this session.
public struct TimelinePrompt: Equatable, Sendable {
    /// Where the routine puts it.
    public let position: StepPosition
    /// How long after the step's start it is said, for the step's length in this session.
    public let offset: SessionDuration
    /// The frame it starts on.
    public let startFrame: Int64
    public let text: String?
    /// The user's recording spoken instead of `text`.
    public let sayAudio: String?
}

/// One step of a session, with sides expanded and customisation applied, at exact frames.
///
/// Every field is fixed when the timeline is laid out: the frames follow from the times, so a
/// change to one alone would make the step disagree with itself.
public struct TimelineStep: Equatable, Sendable {
    /// The step's id as written; both sides of a step share it.
    public let id: String
    public let title: String
    /// The side the step is done on, or `nil` for a step done once.
    public let side: Side?
    public let say: String?
    /// The user's recording spoken instead of `say`.
    public let sayAudio: String?
    public let isHold: Bool
    public let tempoPerMinute: Double?
    /// Whether this is the short step between the sides of an each-side block.
    public let isSideSwitch: Bool
    /// When the step starts, from the start of the session.
    public let startTime: SessionDuration
    public let duration: SessionDuration
    public let startFrame: Int64
    /// The first frame after the step.
    public let endFrame: Int64
    /// The cue that opens the step.
    public let cue: CueKind
    /// The prompts said after the opening one, in order, each at its own frame.
    public let laterPrompts: [TimelinePrompt]
    /// The frames the step's bells are struck on, before any is left out for falling on a prompt.
    public let bellFrames: [Int64]

    public var frameCount: Int64 { endFrame - startFrame }
}

/// A session laid out in time: every step and cue at an exact frame for one sample rate.
///
/// Step `k` starts at `round(sum of the durations before it × sampleRate)`, computed from exact
/// microsecond sums, so no drift accumulates however long the session is.
///
/// A timeline is laid out once and never edited: frames, totals and cues all follow from the
/// steps, so a change means laying out a new one from the routine and its customisation.
public struct SessionTimeline: Equatable, Sendable {
    public let routineName: String
    public let routineTitle: String
    /// The routine's own pace of speech, words per minute; `nil` for the default.
    public let speechRatePerMinute: Double?
    public let bed: BedSettings
    public let sampleRate: Int
    public let steps: [TimelineStep]
    /// One cue per step start and a session-end cue where the steps end (`stepsEndFrame`).
    public let cues: [CueEvent]
    /// Every step's bells (`CueKind.stepBell`), by frame; `ringingBells(avoiding:)` leaves out
    /// those that would fall on a prompt.
    public let bells: [CueEvent]
    /// The length of the whole session: the steps and the sleep tail after them.
    public let totalDuration: SessionDuration
    /// The frames of the whole session, the sleep tail included.
    public let totalFrames: Int64
    /// The length of the steps together, without the sleep tail.
    public let stepsDuration: SessionDuration
    /// The first frame after the last step: where the sleep tail starts, or `totalFrames` without one.
    public let stepsEndFrame: Int64
    /// How long the tone bed goes on after the last step, slowing, darkening and fading to
    /// silence; zero for none.
    public let sleepTailDuration: SessionDuration
    /// The frames of the sleep tail, `totalFrames - stepsEndFrame`.
    public var sleepTailFrames: Int64 { totalFrames - stepsEndFrame }
    public var hasSleepTail: Bool { sleepTailFrames > 0 }
    /// The lead-in spoken before the last step's prompt, from the routine or the default.
    public let lastStepSay: String
    /// The words that close the session, from the routine or the default.
    public let closeSay: String

    /// The rate sessions are laid out, played and exported at unless asked otherwise: play and
    /// export share it, so that they render the same samples.
    public static let defaultSampleRate = 48000
    /// The rates a session can be laid out at.
    public static let sampleRateRange: ClosedRange<Int> = 8000...384_000
    /// The shortest a step may be after customisation.
    public static let minimumStepDuration = SessionDuration(seconds: 1)
    /// The shortest sleep tail: time for the bed to slow, darken and fade without hurrying.
    public static let minimumSleepTailDuration = SessionDuration(seconds: 10)

    /// Refuses a sleep tail shorter than `minimumSleepTailDuration`; zero is no tail.
    public static func checkSleepTail(_ duration: SessionDuration) throws(RoutineError) {
        guard duration == .zero || duration >= minimumSleepTailDuration else {
            throw RoutineError(.invalidDuration, sleepTailTooShortMessage(duration))
        }
    }

    static func sleepTailTooShortMessage(_ duration: SessionDuration) -> String {
        "a sleep tail of \(duration.seconds.plainText) s is too short; it lasts at least "
            + "\(minimumSleepTailDuration.seconds.plainText) s (or off for none)"
    }

    public init(
        routine: Routine, customization: SessionCustomization = SessionCustomization(),
        sampleRate: Int = SessionTimeline.defaultSampleRate
    ) throws(RoutineError) {
        precondition(Self.sampleRateRange.contains(sampleRate), "sample rate \(sampleRate) is out of range")
        var planned = routine.expandedSteps()
        guard !planned.isEmpty else {
            throw RoutineError(.emptyRoutine, "the routine '\(routine.name)' has no steps")
        }
        let isPinned = try Self.apply(customization, to: &planned)

        var steps: [TimelineStep] = []
        var elapsed = SessionDuration.zero
        for (index, step) in planned.enumerated() {
            let cue: CueKind =
                index == 0
                ? .sessionStart
                : step.isSideSwitch
                    ? .sideSwitch
                    : index == planned.count - 1 ? .lastStep : .nextStep
            let end = elapsed + step.duration
            let remedy = Self.remedy(isPinned: isPinned[index], step: step, customization: customization)
            let later = try Self.laterPrompts(of: step, remedy: remedy).map { prompt, offset in
                TimelinePrompt(
                    position: prompt.position, offset: offset,
                    startFrame: (elapsed + offset).frames(atSampleRate: sampleRate), text: prompt.text,
                    sayAudio: prompt.sayAudio)
            }
            let bellFrames = (step.bells?.offsets(inStepOf: step.duration) ?? []).map {
                (elapsed + $0).frames(atSampleRate: sampleRate)
            }
            steps.append(
                TimelineStep(
                    id: step.id, title: step.title, side: step.side, say: step.say, sayAudio: step.sayAudio,
                    isHold: step.isHold, tempoPerMinute: step.tempoPerMinute, isSideSwitch: step.isSideSwitch,
                    startTime: elapsed,
                    duration: step.duration, startFrame: elapsed.frames(atSampleRate: sampleRate),
                    endFrame: end.frames(atSampleRate: sampleRate), cue: cue, laterPrompts: later,
                    bellFrames: bellFrames))
            elapsed = end
        }
        let sleepTail = customization.sleepTail ?? routine.sleepTail ?? .zero
        try Self.checkSleepTail(sleepTail)
        let total = elapsed + sleepTail
        guard total <= SessionDuration.maximum else {
            let tailText = sleepTail == .zero ? "" : " with its sleep tail of \(sleepTail)"
            // Too long by the file's own lengths, it is the file's fault and names the file, as
            // the file's other faults do; with a length from the options, it is theirs.
            let setsLength =
                !customization.stepOverrides.isEmpty || customization.totalDuration != nil
                || customization.sleepTail != nil
            throw RoutineError(
                .sessionTooLong,
                "the session would last \(total)\(tailText), longer than 24 hours, the longest Soothe plays",
                at: setsLength ? nil : routine.sourceFile.map { SourceLocation(file: $0) })
        }
        self.routineName = routine.name
        self.routineTitle = routine.title
        self.speechRatePerMinute = routine.speechRatePerMinute
        self.bed = routine.bed
        self.sampleRate = sampleRate
        self.steps = steps
        self.stepsDuration = elapsed
        self.stepsEndFrame = elapsed.frames(atSampleRate: sampleRate)
        self.sleepTailDuration = sleepTail
        // Both ends from exact microsecond sums, so a tail of whole seconds adds exactly its frames.
        self.totalDuration = total
        self.totalFrames = total.frames(atSampleRate: sampleRate)
        self.lastStepSay = routine.lastStepSay ?? Routine.defaultLastStepSay
        self.closeSay = routine.closeSay ?? Routine.defaultCloseSay
        self.cues =
            steps.enumerated().map { CueEvent(kind: $1.cue, frame: $1.startFrame, stepIndex: $0) }
            + [CueEvent(kind: .sessionEnd, frame: stepsEndFrame, stepIndex: nil)]
        self.bells = steps.enumerated().flatMap { index, step in
            step.bellFrames.map { CueEvent(kind: .stepBell, frame: $0, stepIndex: index) }
        }
    }

    /// A step's later prompts with their offsets for its length in this session; an error when
    /// `--step` or `--total` leaves one outside the step or out of order.
    private static func laterPrompts(of step: PlannedStep, remedy: String) throws(RoutineError)
        -> [(TimedPrompt, SessionDuration)]
    {
        let name = "step '\(step.id)'" + (step.side.map { " (\($0.rawValue))" } ?? "")
        var placed: [(TimedPrompt, SessionDuration)] = []
        for prompt in step.laterPrompts {
            let offset = prompt.position.offset(inStepOf: step.duration)
            guard offset < step.duration else {
                throw RoutineError(
                    .stepTooShort,
                    "\(name) would last only \(step.duration), but its prompt at \(prompt.position) starts after "
                        + "that, \(remedy), or place the prompt by a share of the step, such as 50%")
            }
            if let (earlier, earlierOffset) = placed.last, offset <= earlierOffset {
                throw RoutineError(
                    .invalidValue,
                    "\(name) would last \(step.duration), which puts its prompt at \(prompt.position) "
                        + "(\(offset.seconds.secondsText) in) before its prompt at \(earlier.position) "
                        + "(\(earlierOffset.seconds.secondsText) in); prompts stay in their order, so give "
                        + "the step another length or write both positions as times or both as shares")
            }
            placed.append((prompt, offset))
        }
        return placed
    }

    /// What to do about a step left too short by the session's lengths.
    private static func remedy(isPinned: Bool, step: PlannedStep, customization: SessionCustomization) -> String {
        isPinned
            ? "so set a longer --step \(step.id)"
            : customization.totalDuration != nil ? "so choose a longer --total" : "so lengthen it in the routine"
    }

    /// The index of the step that plays at `frame`; the last step for frames at or past the end of
    /// the steps, the sleep tail included.
    public func stepIndex(atFrame frame: Int64) -> Int {
        var low = 0
        var high = steps.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if steps[middle].startFrame <= frame { low = middle } else { high = middle - 1 }
        }
        return low
    }

    // MARK: Customisation

    /// Applies the lengths the user set; returns which steps `--step` set.
    private static func apply(_ customization: SessionCustomization, to steps: inout [PlannedStep])
        throws(RoutineError) -> [Bool]
    {
        var isPinned = Array(repeating: false, count: steps.count)
        for override in customization.stepOverrides {
            let matches = try indices(of: override, in: steps)
            for index in matches {
                steps[index].duration = override.duration
                isPinned[index] = true
            }
        }
        if let total = customization.totalDuration {
            try scale(&steps, isPinned: isPinned, toTotal: total)
        }
        for (index, step) in steps.enumerated() where step.duration < minimumStepDuration {
            // Say what made the step short: the user's --step, their --total, or the routine itself.
            let remedy =
                isPinned[index]
                ? "so set --step \(step.id)=\(minimumStepDuration.seconds.plainText)s or longer"
                : customization.totalDuration != nil ? "so choose a longer --total" : "so lengthen it in the routine"
            throw RoutineError(
                .stepTooShort,
                "step '\(step.id)'\(step.side.map { " (\($0.rawValue))" } ?? "") would last only \(step.duration); "
                    + "every step needs at least \(minimumStepDuration.seconds.plainText) s, \(remedy)")
        }
        return isPinned
    }

    private static func indices(of override: StepOverride, in steps: [PlannedStep]) throws(RoutineError) -> [Int] {
        let sameID = steps.indices.filter { steps[$0].id == override.stepID }
        guard !sameID.isEmpty else {
            var validIDs: [String] = []
            for step in steps where !validIDs.contains(step.id) { validIDs.append(step.id) }
            throw RoutineError(
                .unknownStepID, "there is no step '\(override.stepID)'; the steps are \(validIDs.joinedAsList())")
        }
        guard let side = override.side else { return sameID }
        let sides = sameID.compactMap { steps[$0].side }
        guard !sides.isEmpty else {
            throw RoutineError(
                .invalidSide,
                "step '\(override.stepID)' is done once, not per side; set it with --step \(override.stepID)=DURATION")
        }
        let matches = sameID.filter { steps[$0].side == side }
        guard !matches.isEmpty else {
            throw RoutineError(
                .invalidSide,
                "step '\(override.stepID)' is done on the \(sides.map(\.rawValue).joinedAsList()) side, "
                    + "not the \(side.rawValue)")
        }
        return matches
    }

    /// Scales the steps that are not pinned so that the whole lasts exactly `total`.
    ///
    /// The new lengths are whole microseconds; the microseconds lost to rounding down go to the
    /// steps with the largest remainders, so the sum is exact.
    private static func scale(_ steps: inout [PlannedStep], isPinned: [Bool], toTotal total: SessionDuration)
        throws(RoutineError)
    {
        let pinnedTotal = zip(steps, isPinned).filter(\.1).reduce(SessionDuration.zero) { $0 + $1.0.duration }
        let free = steps.indices.filter { !isPinned[$0] }
        guard total <= SessionDuration.maximum else {
            throw RoutineError(.sessionTooLong, "--total \(total) is longer than 24 hours, the longest Soothe plays")
        }
        guard !free.isEmpty else {
            guard pinnedTotal == total else {
                throw RoutineError(
                    .totalTooShort,
                    "every step is set with --step and they add up to \(pinnedTotal), so --total \(total) "
                        + "cannot be met; leave a step free or drop --total")
            }
            return
        }
        guard pinnedTotal < total else {
            throw RoutineError(
                .totalTooShort,
                "the steps set with --step already last \(pinnedTotal), leaving nothing of --total \(total) "
                    + "for the other steps; choose a total longer than \(pinnedTotal)")
        }
        let remaining = UInt64((total - pinnedTotal).microseconds)
        let freeTotal = UInt64(free.reduce(Int64(0)) { $0 + steps[$1].duration.microseconds })
        var remainders: [(index: Int, remainder: UInt64)] = []
        var assigned: UInt64 = 0
        for index in free {
            let product = UInt64(steps[index].duration.microseconds).multipliedFullWidth(by: remaining)
            let (quotient, remainder) = freeTotal.dividingFullWidth(product)
            steps[index].duration = SessionDuration(microseconds: Int64(quotient))
            assigned += quotient
            remainders.append((index, remainder))
        }
        remainders.sort { $0.remainder != $1.remainder ? $0.remainder > $1.remainder : $0.index < $1.index }
        for entry in remainders.prefix(Int(remaining - assigned)) {
            steps[entry.index].duration.microseconds += 1
        }
    }
}

/// A step after side expansion, before it is placed in time.
struct PlannedStep {
    var id: String
    var title: String
    var side: Side?
    var say: String?
    var sayAudio: String? = nil
    var isHold: Bool
    var tempoPerMinute: Double?
    var isSideSwitch: Bool
    var duration: SessionDuration
    var laterPrompts: [TimedPrompt] = []
    var bells: StepBells? = nil
}

extension Routine {
    /// The steps in playing order: each-side blocks become the block for the first side, a side
    /// switch, and the block for the next side.
    func expandedSteps() -> [PlannedStep] {
        var planned: [PlannedStep] = []
        var blockNumber = 0
        for item in items {
            switch item {
            case .step(let step):
                planned.append(PlannedStep(step, side: nil))
            case .eachSide(let block):
                blockNumber += 1
                for (sideIndex, side) in block.sides.enumerated() {
                    if sideIndex > 0 {
                        planned.append(
                            PlannedStep(
                                id: Self.switchStepID(to: side, blockNumber: blockNumber),
                                title: "Change to the \(side.rawValue) side", side: side,
                                say: block.switchSay.replacingSidePlaceholder(with: side), isHold: false,
                                tempoPerMinute: nil, isSideSwitch: true, duration: block.switchDuration))
                    }
                    planned += block.steps.map { PlannedStep($0, side: side) }
                }
            }
        }
        return planned
    }

    /// The ids of the steps as written, blocks included, in order.
    var writtenStepIDs: [String] {
        items.flatMap { item -> [String] in
            switch item {
            case .step(let step): return [step.id]
            case .eachSide(let block): return block.steps.map(\.id)
            }
        }
    }

    /// The ids of the generated side-switch steps.
    var switchStepIDs: [String] {
        expandedSteps().filter(\.isSideSwitch).map(\.id)
    }

    static func switchStepID(to side: Side, blockNumber: Int) -> String {
        "switch-to-\(side.rawValue)" + (blockNumber > 1 ? "-\(blockNumber)" : "")
    }
}

extension PlannedStep {
    init(_ step: RoutineStep, side: Side?) {
        self.init(
            id: step.id, title: step.title, side: side, say: step.say, sayAudio: step.sayAudio, isHold: step.isHold,
            tempoPerMinute: step.tempoPerMinute, isSideSwitch: false, duration: step.duration,
            laterPrompts: step.laterPrompts, bells: step.bells)
    }
}

extension String {
    fileprivate func replacingSidePlaceholder(with side: Side) -> String {
        split(separator: "{side}", omittingEmptySubsequences: false).joined(separator: side.rawValue)
    }
}

extension Double {
    /// `1`, `1.5`: a plain number without a trailing `.0`.
    var plainText: String {
        self == rounded() ? String(Int64(self)) : String(self)
    }
}
