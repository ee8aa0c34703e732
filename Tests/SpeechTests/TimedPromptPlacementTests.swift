import Foundation
import Sequencer
import Testing

@testable import Speech

/// The prompts of a `say:` list, spoken by flite and placed on the frames the timeline gives them,
/// after `--step` and `--total` too; one that cannot be said in time is refused like any prompt.
struct TimedPromptPlacementTests {
    private static let rate = 48000

    /// Settle (20 s), circles (1m30s: an opening prompt, one at 45 s, one at 75 %), rest (30 s).
    private func routine(laterSay: String = "Now toward the heel.", secondAt: StepPosition = .time(.init(seconds: 45)))
        -> Routine
    {
        var routine = makeShortRoutine()
        routine.items[1] = .step(
            RoutineStep(
                id: "circles", title: "Circles", duration: SessionDuration(seconds: 90), say: "Press small circles.",
                laterPrompts: [
                    TimedPrompt(position: secondAt, text: laterSay),
                    TimedPrompt(position: .share(0.75), text: "A little higher now."),
                ]))
        return routine
    }

    private func frames(_ seconds: Double) -> Int64 { Int64((seconds * Double(Self.rate)).rounded()) }

    @Test(arguments: [
        // No change: 20 s + 45 s and 20 s + 67.5 s.
        (SessionCustomization(), 20.0, 45.0, 67.5),
        // --step circles=3m: the time stays at 45 s, the share moves to 135 s.
        (
            SessionCustomization(stepOverrides: [StepOverride(stepID: "circles", duration: .init(seconds: 180))]),
            20, 45, 135
        ),
        // --total 4m20s (twice 2m10s): settle lasts 40 s, circles 3 minutes.
        (SessionCustomization(totalDuration: .init(seconds: 280)), 40, 45, 135),
    ])
    func laterPromptsStartOnTheirFrames(
        customization: SessionCustomization, stepStart: Double, timeOffset: Double, shareOffset: Double
    ) throws {
        let timeline = try SessionTimeline(routine: routine(), customization: customization, sampleRate: Self.rate)
        let prompts = try PromptSynthesizer(cache: nil).prepare(for: timeline)
        let circles = prompts.filter { $0.stepIndex == 1 }
        #expect(circles.map(\.text) == ["Press small circles.", "Now toward the heel.", "A little higher now."])
        #expect(circles.map(\.laterPromptIndex) == [nil, 0, 1])
        #expect(circles[1].startFrame == frames(stepStart + timeOffset))
        #expect(circles[2].startFrame == frames(stepStart + shareOffset))
        for prompt in circles { #expect(rootMeanSquare(prompt.samples) > 0.01) }
        #expect(circles.map(\.report.startSeconds) == circles.map { Double($0.startFrame) / Double(Self.rate) })
    }

    @Test func aPromptStillBeingSaidWhenTheNextIsDueIsRefused() throws {
        let long =
            "Now let the circles travel slowly back toward the heel, keeping the pressure firm and even, "
            + "and breathe out slowly each time you press."
        // The second prompt at 45 s lasts well over 7 s; the third comes at 52 s.
        let timeline = try SessionTimeline(
            routine: routine(laterSay: long),
            customization: SessionCustomization(stepOverrides: [
                StepOverride(stepID: "circles", duration: .init(seconds: 70))
            ]), sampleRate: Self.rate)
        let error = #expect(throws: SpeechError.self) { try PromptSynthesizer(cache: nil).prepare(for: timeline) }
        #expect(error?.kind == .promptTooLong)
        let message = error?.message ?? ""
        #expect(message.contains("the prompt at 75% does not fit step 'circles'"), "\(message)")
        #expect(message.contains("the prompt before it starts 45.0 s into the step and lasts"), "\(message)")
        #expect(message.contains("speak faster with --speech-rate"), "\(message)")
    }

    @Test func aLastPromptThatRunsPastItsStepIsRefused() throws {
        let long =
            "Now let the circles travel slowly back toward the heel, keeping the pressure firm and even, "
            + "and breathe out slowly each time you press."
        var routine = makeShortRoutine()
        routine.items[1] = .step(
            RoutineStep(
                id: "circles", title: "Circles", duration: SessionDuration(seconds: 20), say: "Circles.",
                laterPrompts: [TimedPrompt(position: .share(0.8), text: long)]))
        let timeline = try SessionTimeline(routine: routine, sampleRate: Self.rate)
        let error = #expect(throws: SpeechError.self) { try PromptSynthesizer(cache: nil).prepare(for: timeline) }
        let message = error?.message ?? ""
        #expect(
            message.contains(
                "the prompt does not fit step 'circles': the step lasts 20.0 s and its prompt at 80% lasts"),
            "\(message)")
        // At 80 %, the step must be five times the prompt and its pause after it to hold them.
        let spoken = try PromptSynthesizer(cache: nil).clip(for: long, sampleRate: Self.rate)
        let needed = (Double(spoken.count) / Double(Self.rate) + PromptTiming.tail.seconds) / 0.2
        #expect(message.contains("Lengthen it (--step circles=\(Int(needed.rounded(.up)))s)"), "\(message)")
        // That length holds it.
        let lengthened = try SessionTimeline(
            routine: routine,
            customization: SessionCustomization(stepOverrides: [
                StepOverride(stepID: "circles", duration: .init(seconds: needed.rounded(.up)))
            ]), sampleRate: Self.rate)
        #expect(throws: Never.self) { try PromptSynthesizer(cache: nil).prepare(for: lengthened) }
    }

    @Test func aPromptPlacedOnTheChimeWaitsForIt() throws {
        var routine = makeShortRoutine()
        routine.items[1] = .step(
            RoutineStep(
                id: "circles", title: "Circles", duration: SessionDuration(seconds: 20),
                laterPrompts: [TimedPrompt(position: .time(.init(seconds: 0.2)), text: "Circles.")]))
        let timeline = try SessionTimeline(routine: routine, sampleRate: Self.rate)
        let prompts = try PromptSynthesizer(cache: nil).prepare(for: timeline)
        let circles = try #require(prompts.first { $0.stepIndex == 1 })
        #expect(
            circles.startFrame == timeline.steps[1].startFrame + PromptTiming.leadIn.frames(atSampleRate: Self.rate))
    }
}
