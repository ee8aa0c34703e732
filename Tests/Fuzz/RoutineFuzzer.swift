// A libFuzzer target over everything Soothe reads from a user before it plays: routine files
// (YAML and JSON), their validation, durations, `--step` and `--total`, and the timeline they lay
// out. Built by Scripts/fuzz together with the Sequencer sources, so it sees their internals.
//
// An input is parts separated by NUL bytes:
//   part 0: a built-in routine's name, or the text of a routine file;
//   each further part: `total:DURATION` for `--total`, `tail:VALUE` for `--sleep-tail`, otherwise
//   the text of a `--step` value.
// Every part is also parsed as a duration on its own. Any error thrown is a correct answer; a
// crash, a hang or a broken timeline invariant is a bug.

/// The rates the timeline is laid out at, picked by the input so all of them get exercised.
private let sampleRates = [48000, 44100, 8000, 384_000]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Array(UnsafeBufferPointer(start: bytes, count: count))
    let parts = data.split(separator: 0, omittingEmptySubsequences: false).map {
        String(decoding: $0, as: UTF8.self)
    }
    guard let routineText = parts.first else { return 0 }
    var overrides: [StepOverride] = []
    var total: SessionDuration?
    var sleepTail: SessionDuration?
    for part in parts.dropFirst() {
        _ = try? SessionDuration(parsing: part)
        if part.hasPrefix("total:") {
            total = try? SessionDuration(parsing: String(part.dropFirst("total:".count)))
        } else if part.hasPrefix("tail:") {
            sleepTail = try? SessionDuration(parsingSleepTail: String(part.dropFirst("tail:".count)))
        } else if let override = try? StepOverride(parsing: part) {
            overrides.append(override)
        }
    }
    _ = try? SessionDuration(parsing: routineText)

    var routines: [Routine] = []
    if RoutineLibrary.builtInNames.contains(routineText) {
        if let routine = try? RoutineLibrary.builtIn(named: routineText) { routines.append(routine) }
    } else {
        let decoder = RoutineFileDecoder(fileName: "fuzz.yaml")
        if let routine = try? decoder.decode(routineText, defaultName: "fuzz", isJSON: false) {
            routines.append(routine)
        }
        if let routine = try? decoder.decode(routineText, defaultName: "fuzz", isJSON: true) {
            routines.append(routine)
        }
    }
    let sampleRate = sampleRates[count % sampleRates.count]
    let customization = SessionCustomization(stepOverrides: overrides, totalDuration: total, sleepTail: sleepTail)
    for routine in routines {
        guard
            let timeline = try? SessionTimeline(routine: routine, customization: customization, sampleRate: sampleRate)
        else { continue }
        checkInvariants(timeline, customization: customization)
    }
    return 0
}

/// What must hold for every timeline that is accepted; a violation stops the fuzzer with a crash.
private func checkInvariants(_ timeline: SessionTimeline, customization: SessionCustomization) {
    precondition(!timeline.steps.isEmpty, "an accepted timeline has no steps")
    var frame: Int64 = 0
    var elapsed = SessionDuration.zero
    for (index, step) in timeline.steps.enumerated() {
        precondition(step.startFrame == frame, "step \(index) does not start where the one before it ends")
        precondition(step.endFrame > step.startFrame, "step \(index) lasts no frames")
        precondition(step.startTime == elapsed, "step \(index) starts at the wrong time")
        precondition(step.duration >= SessionTimeline.minimumStepDuration, "step \(index) is shorter than allowed")
        precondition(timeline.stepIndex(atFrame: step.startFrame) == index, "step \(index) is not found at its start")
        frame = step.endFrame
        elapsed = elapsed + step.duration
    }
    precondition(frame == timeline.stepsEndFrame, "the steps do not end where the timeline says")
    precondition(elapsed == timeline.stepsDuration, "the steps do not add up to their length")
    precondition(
        timeline.totalDuration == timeline.stepsDuration + timeline.sleepTailDuration,
        "the session is not its steps and its sleep tail")
    precondition(
        timeline.totalFrames == timeline.totalDuration.frames(atSampleRate: timeline.sampleRate)
            && timeline.sleepTailFrames >= 0, "the session's frames do not match its length")
    precondition(
        timeline.sleepTailDuration == .zero || timeline.sleepTailDuration >= SessionTimeline.minimumSleepTailDuration,
        "the sleep tail is shorter than allowed")
    precondition(timeline.totalDuration <= SessionDuration.maximum, "the session is longer than allowed")
    if let total = customization.totalDuration {
        precondition(timeline.stepsDuration == total, "--total \(total) gave \(timeline.stepsDuration)")
    }
    precondition(timeline.cues.count == timeline.steps.count + 1, "a cue is missing")
    precondition(timeline.cues.last?.frame == timeline.stepsEndFrame, "the end cue is not at the end of the steps")
    for (index, step) in timeline.steps.enumerated() {
        var earliest = step.startFrame
        for prompt in step.laterPrompts {
            precondition(
                prompt.startFrame >= earliest && prompt.startFrame < step.endFrame,
                "a later prompt of step \(index) is outside its step or out of order")
            earliest = prompt.startFrame + 1
        }
        let latestBell = step.endFrame - BellTiming.endMargin.frames(atSampleRate: timeline.sampleRate)
        precondition(
            step.bellFrames.allSatisfy { $0 > step.startFrame && $0 <= latestBell },
            "a bell of step \(index) rings on a chime")
    }
    precondition(timeline.bells.map(\.frame) == timeline.bells.map(\.frame).sorted(), "the bells are out of order")
    let prompts = timeline.plannedPrompts
    precondition(prompts.allSatisfy { timeline.steps.indices.contains($0.stepIndex) }, "a prompt has no step")
    _ = timeline.tableText()
    _ = timeline.jsonText()
    _ = TimelinePicture(timeline: timeline, trailingBlock: .sleepTail(of: timeline)).svgText
}
