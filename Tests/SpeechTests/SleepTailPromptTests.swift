import Foundation
import Sequencer
import Testing

@testable import Speech

struct SleepTailPromptTests {
    @Test func theClosingWordsEndBeforeTheTailAsTheyWouldWithoutIt() throws {
        let sampleRate = 48000
        let plain = try SessionTimeline(routine: makeShortRoutine(), sampleRate: sampleRate)
        let withTail = try SessionTimeline(
            routine: makeShortRoutine(),
            customization: SessionCustomization(sleepTail: SessionDuration(seconds: 600)), sampleRate: sampleRate)
        let synthesizer = try PromptSynthesizer(cache: nil)
        let prompts = try synthesizer.prepare(for: withTail)
        let close = try #require(prompts.last)
        #expect(close.kind == .close)
        #expect(close.endFrame == withTail.stepsEndFrame - PromptTiming.closeMargin.frames(atSampleRate: sampleRate))
        // Nothing is spoken in the tail: the prompts are where they are without one.
        let plainPrompts = try synthesizer.prepare(for: plain)
        #expect(prompts.map(\.startFrame) == plainPrompts.map(\.startFrame))
        #expect(prompts.allSatisfy { $0.endFrame <= withTail.stepsEndFrame })
    }
}
