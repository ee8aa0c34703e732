import Foundation
import Testing

@testable import Sequencer

/// The sleep tail in the timeline: its exact length, where it comes from, its limits, and how the
/// table, JSON and picture show it.
struct SleepTailTimelineTests {
    private func decode(_ text: String) throws -> Routine {
        try RoutineFileDecoder(fileName: "tail.yaml").decode(text, defaultName: "tail", isJSON: false)
    }

    private static let routineWithTail = """
        title: Tail
        sleep-tail: 10m
        steps:
          - {id: settle, title: Settle, duration: 1m}
          - {id: rest, title: Rest, duration: 2m}
        """

    @Test(arguments: [(1, 48000), (2, 44100), (10, 22050), (90, 96000), (7, 8000)])
    func aTailOfNMinutesAddsExactlyNMinutes(minutes: Int, sampleRate: Int) throws {
        let routine = try RoutineLibrary.builtIn(named: "quick-reset")
        // An awkward total, so the steps end between two frames.
        let total = SessionDuration(microseconds: 41_337_017)
        let without = try SessionTimeline(
            routine: routine, customization: SessionCustomization(totalDuration: total), sampleRate: sampleRate)
        let tail = SessionDuration(seconds: Double(minutes * 60))
        let with = try SessionTimeline(
            routine: routine, customization: SessionCustomization(totalDuration: total, sleepTail: tail),
            sampleRate: sampleRate)
        #expect(with.sleepTailFrames == Int64(minutes * 60 * sampleRate))
        #expect(with.totalFrames == without.totalFrames + Int64(minutes * 60 * sampleRate))
        #expect(with.stepsEndFrame == without.totalFrames)
        #expect(with.steps == without.steps)
        #expect(with.steps.last?.endFrame == with.stepsEndFrame)
        #expect(with.totalDuration == total + tail)
        #expect(with.stepsDuration == total)
        #expect(with.sleepTailDuration == tail)
        // The session-end cue marks the end of the steps, where the tail starts.
        #expect(with.cues.last == CueEvent(kind: .sessionEnd, frame: with.stepsEndFrame, stepIndex: nil))
        #expect(with.cues == without.cues)
        #expect(with.stepIndex(atFrame: with.totalFrames - 1) == with.steps.count - 1)
    }

    @Test func withoutATailTheSessionEndsWithItsSteps() throws {
        let timeline = try SessionTimeline(routine: try RoutineLibrary.builtIn(named: "bedtime-foot"))
        #expect(!timeline.hasSleepTail)
        #expect(timeline.sleepTailDuration == .zero)
        #expect(timeline.stepsEndFrame == timeline.totalFrames)
        #expect(timeline.stepsDuration == timeline.totalDuration)
    }

    @Test func theRoutinesTailIsTheDefaultAndTheCommandLineOverridesIt() throws {
        let routine = try decode(Self.routineWithTail)
        #expect(routine.sleepTail == SessionDuration(seconds: 600))
        let byDefault = try SessionTimeline(routine: routine)
        #expect(byDefault.sleepTailDuration.seconds == 600)
        #expect(byDefault.totalDuration.seconds == 780)
        let overridden = try SessionTimeline(
            routine: routine,
            customization: SessionCustomization(sleepTail: try SessionDuration(parsingSleepTail: "2m")))
        #expect(overridden.sleepTailDuration.seconds == 120)
        #expect(overridden.totalFrames == overridden.stepsEndFrame + 120 * 48000)
        for off in ["off", "OFF", " off ", "0"] {
            let none = try SessionTimeline(
                routine: routine,
                customization: SessionCustomization(sleepTail: try SessionDuration(parsingSleepTail: off)))
            #expect(!none.hasSleepTail, "--sleep-tail \(off)")
            #expect(none.totalFrames == none.stepsEndFrame)
            #expect(none.totalDuration.seconds == 180)
        }
    }

    @Test func totalScalesTheStepsAndNotTheTail() throws {
        let routine = try decode(Self.routineWithTail)
        let timeline = try SessionTimeline(
            routine: routine, customization: SessionCustomization(totalDuration: SessionDuration(seconds: 90)))
        #expect(timeline.stepsDuration.seconds == 90)
        #expect(timeline.sleepTailDuration.seconds == 600)
        #expect(timeline.totalDuration.seconds == 690)
    }

    @Test(arguments: [
        ("5s", "a sleep tail of 5 s is too short; it lasts at least 10 s (or off for none)"),
        ("9.9", "a sleep tail of 9.9 s is too short"),
        ("-1m", "'-1m' is not a positive duration; give a length such as 10m, or off for no sleep tail"),
        ("soon", "'soon' is not a duration; expected a duration such as 10m, 90s or 1h, or off for none"),
        ("", "a sleep tail is empty"),
        ("25h", "longer than 24 hours"),
    ])
    func badSleepTailValuesSayWhatIsValid(text: String, fragment: String) {
        let error = #expect(throws: RoutineError.self) { try SessionDuration(parsingSleepTail: text) }
        #expect(error?.kind == .invalidDuration)
        #expect(error?.description.contains(fragment) == true, "\(error.map { "\($0)" } ?? "no error")")
    }

    @Test func theTailCountsTowardsTheTwentyFourHours() throws {
        let routine = try decode(Self.routineWithTail)
        let customization = SessionCustomization(
            totalDuration: SessionDuration(seconds: 23 * 3600), sleepTail: SessionDuration(seconds: 2 * 3600))
        let error = #expect(throws: RoutineError.self) {
            try SessionTimeline(routine: routine, customization: customization)
        }
        #expect(error?.kind == .sessionTooLong)
        #expect(error?.description.contains("would last 25:00:00 with its sleep tail of 2:00:00") == true)
        // Exactly 24 hours is allowed.
        let fits = SessionCustomization(
            totalDuration: SessionDuration(seconds: 22 * 3600), sleepTail: SessionDuration(seconds: 2 * 3600))
        #expect(try SessionTimeline(routine: routine, customization: fits).totalDuration == SessionDuration.maximum)
    }

    @Test(arguments: [
        ("sleep-tail: 3s", "tail.yaml:2:13: 'sleep-tail' of the routine: a sleep tail of 3 s is too short"),
        ("sleep-tail: soon", "tail.yaml:2:13: 'sleep-tail' of the routine: 'soon' is not a duration"),
        ("sleep-tail: [10m]", "'sleep-tail' of the routine must be a duration such as"),
    ])
    func badSleepTailInAFileIsReportedWithItsLine(line: String, fragment: String) {
        let text = "title: T\n\(line)\nsteps:\n  - {id: rest, title: Rest, duration: 1m}\n"
        let error = #expect(throws: RoutineError.self) { try decode(text) }
        #expect(error?.description.contains(fragment) == true, "\(error.map { "\($0)" } ?? "no error")")
    }
}
