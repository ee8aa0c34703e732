import Foundation
import Testing

@testable import Sequencer

struct AutomaticPromptTests {
    @Test func bedtimeFootGetsASwitchALastStepAndAClose() throws {
        let timeline = try SessionTimeline(routine: RoutineLibrary.builtIn(named: "bedtime-foot"))
        let prompts = timeline.plannedPrompts
        // One opening prompt a step, a second in thumb circles and the arch on each side, and the close.
        let laterCount = timeline.steps.map(\.laterPrompts.count).reduce(0, +)
        #expect(laterCount == 4)
        #expect(prompts.count == timeline.steps.count + laterCount + 1)
        #expect(
            prompts.filter { $0.kind == .sideSwitch }.map(\.text) == [
                "Gently set that foot down, and bring up your left foot."
            ])
        let last = try #require(prompts.first { $0.kind == .lastStep })
        #expect(last.stepIndex == timeline.steps.count - 1)
        #expect(last.text.hasPrefix("Last step. Set both feet down"))
        #expect(
            prompts.last
                == PlannedPrompt(
                    stepIndex: timeline.steps.count - 1, kind: .close, text: Routine.defaultCloseSay,
                    anchor: .beforeStepEnd))
        #expect(prompts.dropLast().allSatisfy { $0.anchor == .afterChime || $0.laterPromptIndex == 0 })
    }

    @Test func aRoutineFileOverridesTheAutomaticTexts() throws {
        let yaml = """
            title: Mine
            last-step-say: Nearly there.
            close-say: Sleep well.
            steps:
              - id: a
                title: A
                duration: 1m
                say: Begin.
              - id: b
                title: B
                duration: 1m
            """
        let routine = try RoutineFileDecoder(fileName: "mine.yaml").decode(yaml, defaultName: "mine", isJSON: false)
        #expect(routine.lastStepSay == "Nearly there.")
        #expect(routine.closeSay == "Sleep well.")
        let prompts = try SessionTimeline(routine: routine).plannedPrompts
        // The last step has no say of its own, so its prompt is the lead-in alone.
        #expect(prompts.map(\.text) == ["Begin.", "Nearly there.", "Sleep well."])
        #expect(prompts.map(\.kind) == [.step, .lastStep, .close])
    }

    @Test func aSingleStepSessionHasNoLastStepLeadIn() throws {
        let routine = Routine(
            name: "one", title: "One",
            items: [.step(RoutineStep(id: "a", title: "A", duration: SessionDuration(seconds: 60), say: "Rest."))])
        let prompts = try SessionTimeline(routine: routine).plannedPrompts
        #expect(prompts.map(\.kind) == [.step, .close])
    }

    @Test func anEmptyCloseSayIsRefused() throws {
        let yaml = "title: Mine\nclose-say: ''\nsteps:\n  - id: a\n    title: A\n    duration: 1m\n"
        #expect(throws: RoutineError.self) {
            try RoutineFileDecoder(fileName: "mine.yaml").decode(yaml, defaultName: "mine", isJSON: false)
        }
    }
}
