import Testing

@testable import Sequencer

struct SessionTimelineTests {
    private func bedtimeFoot() throws -> Routine { try RoutineLibrary.builtIn(named: "bedtime-foot") }

    @Test func sidesExpandAroundASwitchStep() throws {
        let timeline = try SessionTimeline(routine: try bedtimeFoot())
        let ids = timeline.steps.map { $0.id + ($0.side.map { "@\($0.rawValue)" } ?? "") }
        #expect(
            ids == [
                "settle", "oil", "warm-up@right", "thumb-circles@right", "arch@right", "toes@right",
                "switch-to-left@left", "warm-up@left", "thumb-circles@left", "arch@left", "toes@left", "rest",
            ])
        #expect(timeline.steps[6].isSideSwitch)
        #expect(timeline.steps[6].say == "Gently set that foot down, and bring up your left foot.")
    }

    @Test func cuesMarkEveryKindOfTransition() throws {
        let timeline = try SessionTimeline(routine: try bedtimeFoot(), sampleRate: 48000)
        let kinds = timeline.cues.map(\.kind)
        #expect(kinds.first == .sessionStart)
        #expect(kinds[6] == .sideSwitch)
        #expect(kinds[11] == .lastStep)
        #expect(kinds.last == .sessionEnd)
        #expect(kinds.filter { $0 == .nextStep }.count == 9)
        #expect(timeline.cues.last?.frame == timeline.totalFrames)
        #expect(zip(timeline.cues, timeline.steps).allSatisfy { $0.frame == $1.startFrame })
    }

    @Test func defaultBedtimeSessionIsTwelveMinutes() throws {
        let timeline = try SessionTimeline(routine: try bedtimeFoot(), sampleRate: 44100)
        #expect(timeline.totalDuration.seconds == 720)
        #expect(timeline.totalFrames == 720 * 44100)
    }

    @Test func pinnedStepKeepsItsLengthOnBothSidesUnderATotal() throws {
        let customization = SessionCustomization(
            stepOverrides: [try StepOverride(parsing: "thumb-circles=3m")],
            totalDuration: try SessionDuration(parsing: "15m"))
        let timeline = try SessionTimeline(routine: try bedtimeFoot(), customization: customization)
        #expect(timeline.totalDuration.seconds == 900)
        #expect(timeline.totalFrames == 900 * 48000)
        let circles = timeline.steps.filter { $0.id == "thumb-circles" }
        #expect(circles.count == 2)
        #expect(circles.allSatisfy { $0.duration.seconds == 180 })
    }

    @Test func oneSidedOverrideChangesOnlyThatSide() throws {
        let customization = SessionCustomization(stepOverrides: [try StepOverride(parsing: "arch@left=2m")])
        let timeline = try SessionTimeline(routine: try bedtimeFoot(), customization: customization)
        let arches = timeline.steps.filter { $0.id == "arch" }
        #expect(arches.map(\.duration.seconds) == [60, 120])
        #expect(timeline.totalDuration.seconds == 780)
    }

    @Test func laterOverrideOfTheSameStepWins() throws {
        let customization = SessionCustomization(stepOverrides: [
            try StepOverride(parsing: "rest=2m"), try StepOverride(parsing: "rest=3m"),
        ])
        let timeline = try SessionTimeline(routine: try bedtimeFoot(), customization: customization)
        #expect(timeline.steps.last?.duration.seconds == 180)
    }

    /// For many totals and rates the session lasts exactly the total, and starts strictly increase
    /// and sit at round(elapsed × rate).
    @Test(arguments: [44100, 48000, 96000, 22050])
    func anyTotalGivesExactlyThatLength(sampleRate: Int) throws {
        var generator = SplitMix64(seed: UInt64(sampleRate))
        let routines = try RoutineLibrary.builtIns()
        for trial in 0..<200 {
            let routine = routines[trial % routines.count]
            // Totals from 20 s to 23 h, with odd microseconds so that scaling cannot be exact by luck.
            let totalMicroseconds = Int64(generator.next() % 82_800_000_000) + 20_000_000
            let total = SessionDuration(microseconds: totalMicroseconds)
            let timeline = try SessionTimeline(
                routine: routine, customization: SessionCustomization(totalDuration: total), sampleRate: sampleRate)
            #expect(timeline.totalDuration == total)
            #expect(timeline.totalFrames == (totalMicroseconds * Int64(sampleRate) + 500_000) / 1_000_000)
            var elapsed = SessionDuration.zero
            for (index, step) in timeline.steps.enumerated() {
                #expect(step.startTime == elapsed)
                #expect(step.startFrame == elapsed.frames(atSampleRate: sampleRate))
                if index > 0 { #expect(step.startFrame > timeline.steps[index - 1].startFrame) }
                elapsed = elapsed + step.duration
            }
            #expect(timeline.steps.last?.endFrame == timeline.totalFrames)
        }
    }

    @Test func scalingKeepsProportions() throws {
        let routine = try bedtimeFoot()
        let timeline = try SessionTimeline(
            routine: routine, customization: SessionCustomization(totalDuration: SessionDuration(seconds: 1440)))
        let original = try SessionTimeline(routine: routine)
        for (scaled, step) in zip(timeline.steps, original.steps) {
            #expect(scaled.duration.microseconds == step.duration.microseconds * 2)
        }
    }

    /// No drift: a long session of odd-length steps keeps every start on its exact frame.
    @Test func longSessionsDoNotDrift() throws {
        let steps = (0..<500).map { index in
            RoutineItem.step(
                RoutineStep(id: "s\(index)", title: "S", duration: SessionDuration(microseconds: 97_333_331)))
        }
        let timeline = try SessionTimeline(
            routine: Routine(name: "long", title: "Long", items: steps), sampleRate: 44100)
        let last = try #require(timeline.steps.last)
        #expect(last.startFrame == (499 * 97_333_331 * 44100 + 500_000) / 1_000_000)
    }

    @Test func stepIndexAtFrameFindsTheStepPlaying() throws {
        let timeline = try SessionTimeline(routine: try bedtimeFoot(), sampleRate: 48000)
        #expect(timeline.stepIndex(atFrame: 0) == 0)
        #expect(timeline.stepIndex(atFrame: timeline.steps[3].startFrame - 1) == 2)
        #expect(timeline.stepIndex(atFrame: timeline.steps[3].startFrame) == 3)
        #expect(timeline.stepIndex(atFrame: timeline.totalFrames + 10) == timeline.steps.count - 1)
    }
}
