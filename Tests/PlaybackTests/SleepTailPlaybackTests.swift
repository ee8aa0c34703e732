import Foundation
import Sequencer
import Testing

@testable import Playback

/// Live play of a session with a sleep tail: the keys, the length changes and the status line.
@Suite struct SleepTailPlaybackTests {
    let crossfade = Fixture.frames(seconds: Transport.jumpCrossfadeSeconds)
    static let withTail = SessionCustomization(sleepTail: SessionDuration(seconds: 20))

    @Test func theWholeSessionPlaysTheTailToo() throws {
        let transport = try Fixture.makeTransport(customization: Self.withTail)
        let timeline = transport.timeline
        #expect(timeline.sleepTailFrames == Fixture.frames(seconds: 20))
        let run = try OfflineRun(transport)
        #expect(run.frameCount == timeline.totalFrames)
        let inTail = try #require(run.statuses[timeline.stepsEndFrame + 8000])
        #expect(inTail.isInSleepTail)
        #expect(inTail.sleepTailStartFrame == timeline.stepsEndFrame)
        #expect(try #require(run.statuses[timeline.stepsEndFrame - 800]).isInSleepTail == false)
    }

    @Test func nextStepOnTheLastStepGoesToTheTailAndInTheTailStops() throws {
        let transport = try Fixture.makeTransport(customization: Self.withTail)
        let timeline = transport.timeline
        let onLastStep = timeline.steps[2].startFrame + 800
        let inTail = onLastStep + Fixture.frames(seconds: 4)
        var stopsBefore: Bool?
        var stopsAfter: Bool?
        let run = try OfflineRun(
            transport,
            actions: [
                (
                    onLastStep,
                    {
                        stopsBefore = $0.status.nextStepStops; $0.send(.nextStep)
                    }
                ),
                (
                    inTail,
                    {
                        stopsAfter = $0.status.nextStepStops; $0.send(.nextStep)
                    }
                ),
            ])
        #expect(stopsBefore == false)
        #expect(stopsAfter == true)
        let tailStart = timeline.stepsEndFrame
        #expect(
            run.plays(
                (onLastStep + crossfade)..<(onLastStep + crossfade + 1000), fromSourceFrame: tailStart + crossfade))
        let fade = Fixture.frames(seconds: Transport.stopFadeSeconds)
        #expect(abs(run.frameCount - (inTail + fade)) <= 80)
        #expect(transport.status.isFinished)
        #expect(run.largestRightStep() < clickThreshold)
    }

    @Test func lengtheningAStepKeepsTheTailAndTheTailCannotBeLengthened() throws {
        let transport = try Fixture.makeTransport(customization: Self.withTail)
        let original = transport.timeline
        var changedInTail: Bool?
        let inTail = original.stepsEndFrame + Fixture.frames(seconds: 30) + 800
        let run = try OfflineRun(
            transport,
            actions: [
                (8_000, { _ = try $0.changeCurrentStepLength(by: SessionDuration(seconds: 30)) }),
                (inTail, { changedInTail = try $0.changeCurrentStepLength(by: SessionDuration(seconds: 30)) }),
            ])
        #expect(transport.timeline.sleepTailDuration == SessionDuration(seconds: 20))
        #expect(changedInTail == false)
        #expect(run.frameCount == original.totalFrames + Fixture.frames(seconds: 30))
    }

    @Test func theStatusLineSaysTheTailIsPlaying() {
        var status = StatusLineTests.status
        status.sleepTailStartFrame = 48000 * 200
        #expect(!status.isInSleepTail)
        #expect(StatusLine.text(status, columns: 120).hasPrefix("Step 3 of 9"))
        status.stepIndex = 8
        status.positionFrame = 48000 * 210
        #expect(status.isInSleepTail)
        #expect(
            StatusLine.text(status, columns: 120) == "Sleep tail, fading to silence · 0:30 left [##################--]")
    }
}
