/// What marks a moment in a session; each kind has its own chime so that a listener with closed
/// eyes knows where they are.
public enum CueKind: String, CaseIterable, Equatable, Sendable, Codable {
    case sessionStart = "session-start"
    case nextStep = "next-step"
    case sideSwitch = "side-switch"
    case lastStep = "last-step"
    case sessionEnd = "session-end"
}

/// A cue at an exact frame.
public struct CueEvent: Equatable, Sendable {
    public let kind: CueKind
    public let frame: Int64
    /// The index into `SessionTimeline.steps` of the step this cue starts, or `nil` at the end.
    public let stepIndex: Int?
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
        try Self.apply(customization, to: &planned)

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
            steps.append(
                TimelineStep(
                    id: step.id, title: step.title, side: step.side, say: step.say, sayAudio: step.sayAudio,
                    isHold: step.isHold, tempoPerMinute: step.tempoPerMinute, isSideSwitch: step.isSideSwitch,
                    startTime: elapsed,
                    duration: step.duration, startFrame: elapsed.frames(atSampleRate: sampleRate),
                    endFrame: end.frames(atSampleRate: sampleRate), cue: cue))
            elapsed = end
        }
        let sleepTail = customization.sleepTail ?? routine.sleepTail ?? .zero
        try Self.checkSleepTail(sleepTail)
        let total = elapsed + sleepTail
        guard total <= SessionDuration.maximum else {
            let tailText = sleepTail == .zero ? "" : " with its sleep tail of \(sleepTail)"
            throw RoutineError(
                .sessionTooLong,
                "the session would last \(total)\(tailText), longer than 24 hours, the longest Soothe plays")
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

    private static func apply(_ customization: SessionCustomization, to steps: inout [PlannedStep])
        throws(RoutineError)
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
            tempoPerMinute: step.tempoPerMinute, isSideSwitch: false, duration: step.duration)
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
