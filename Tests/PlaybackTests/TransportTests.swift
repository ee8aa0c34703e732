import Foundation
import Playback
import Sequencer
import Synthesis
import Testing

/// A source whose left channel is its own frame number (exact in Float up to 2^24) and whose right
/// channel is a 100 Hz sine at half scale, both computed from the absolute frame: jumps are
/// exactly checkable on the left, clicks measurable on the right.
final class FrameNumberSource: SeekableFrameSource {
    static let sineFrequencyHertz = 100.0
    static let sineAmplitude = 0.5

    let channelCount = 2
    let sampleRate: Int
    let totalFrames: Int64
    private(set) var position: Int64 = 0

    init(timeline: SessionTimeline) {
        sampleRate = timeline.sampleRate
        totalFrames = timeline.totalFrames
    }

    static func sine(atFrame frame: Int64, sampleRate: Int) -> Float {
        Float(sineAmplitude * sin(2 * Double.pi * sineFrequencyHertz * Double(frame) / Double(sampleRate)))
    }

    func render(into buffer: UnsafeMutablePointer<Float>, frameCount: Int) -> Int {
        let count = Int(min(Int64(frameCount), max(0, totalFrames - position)))
        for index in 0..<count {
            let frame = position + Int64(index)
            buffer[2 * index] = Float(frame)
            buffer[2 * index + 1] = Self.sine(atFrame: frame, sampleRate: sampleRate)
        }
        applyVolumeAndReminder(buffer, count: count)
        position += Int64(count)
        return count
    }

    func seek(toFrame frame: Int64) {
        position = min(max(0, frame), totalFrames)
    }

    /// The volume the transport asked for, ramped linearly over 50 ms like the session
    /// renderer's (at once before the first frame).
    private var volumeGain = 1.0
    private var volumeStep = 0.0
    private var volumeFramesLeft = 0
    private var volumeTarget = 1.0

    func setVolume(decibels: Double) {
        volumeTarget = pow(10, decibels / 20)
        volumeFramesLeft = position == 0 ? 0 : Int(0.05 * Double(sampleRate))
        if volumeFramesLeft == 0 { volumeGain = volumeTarget }
        volumeStep = volumeFramesLeft == 0 ? 0 : (volumeTarget - volumeGain) / Double(volumeFramesLeft)
    }

    /// A reminder is a decaying 200 Hz tone on the right channel for 2.5 s.
    private var reminderFrame = Int.max

    func ringHoldReminder() { reminderFrame = 0 }

    private func applyVolumeAndReminder(_ buffer: UnsafeMutablePointer<Float>, count: Int) {
        for index in 0..<count {
            if volumeFramesLeft > 0 {
                volumeFramesLeft -= 1
                volumeGain = volumeFramesLeft == 0 ? volumeTarget : volumeGain + volumeStep
            }
            if reminderFrame < Int(2.5 * Double(sampleRate)) {
                let seconds = Double(reminderFrame) / Double(sampleRate)
                buffer[2 * index + 1] += Float(0.05 * exp(-3 * seconds) * sin(2 * Double.pi * 200 * seconds))
                reminderFrame += 1
            }
            if volumeGain != 1 {
                buffer[2 * index] *= Float(volumeGain)
                buffer[2 * index + 1] *= Float(volumeGain)
            }
        }
    }
}

/// A small session at a low rate: three steps, the middle one a `hold`.
enum Fixture {
    static let sampleRate = 8000
    static let routine = Routine(
        name: "fixture", title: "Fixture",
        items: [
            .step(RoutineStep(id: "first", title: "First", duration: SessionDuration(seconds: 10))),
            .step(RoutineStep(id: "middle", title: "Middle", duration: SessionDuration(seconds: 8))),
            .step(RoutineStep(id: "last", title: "Last", duration: SessionDuration(seconds: 6))),
        ])
    static let holdRoutine: Routine = {
        var routine = Fixture.routine
        routine.items[1] = .step(
            RoutineStep(id: "middle", title: "Middle", duration: SessionDuration(seconds: 8), isHold: true))
        return routine
    }()

    static func makeFactory(_ routine: Routine) -> SessionFactory {
        { customization in
            let timeline = try SessionTimeline(routine: routine, customization: customization, sampleRate: sampleRate)
            return PlayableSession(timeline: timeline, source: FrameNumberSource(timeline: timeline))
        }
    }

    static func makeTransport(
        routine: Routine = routine, customization: SessionCustomization = SessionCustomization(),
        volumeDecibels: Double = 0
    ) throws -> Transport {
        let factory = makeFactory(routine)
        return Transport(session: try factory(customization), volumeDecibels: volumeDecibels, makeSession: factory)
    }

    static func frames(seconds: Double) -> Int64 { Int64((seconds * Double(sampleRate)).rounded()) }
}

/// Plays a transport offline in fixed blocks, doing each action exactly when the output reaches
/// its frame.
struct OfflineRun {
    var left: [Float] = []
    var right: [Float] = []
    var statuses: [Int64: TransportStatus] = [:]

    init(
        _ transport: Transport, blockFrames: Int = 80, maximumFrames: Int64 = 2_000_000,
        actions: [(frame: Int64, action: (Transport) throws -> Void)] = []
    ) throws {
        var pending = actions.sorted { $0.frame < $1.frame }
        var buffer = [Float](repeating: 0, count: blockFrames * 2)
        var done: Int64 = 0
        while done < maximumFrames {
            while let next = pending.first, next.frame <= done {
                try next.action(transport)
                pending.removeFirst()
            }
            var count = blockFrames
            if let next = pending.first { count = Int(min(Int64(blockFrames), next.frame - done)) }
            let produced = buffer.withUnsafeMutableBufferPointer {
                transport.render(into: $0.baseAddress!, frameCount: count)
            }
            guard produced > 0 else { break }
            for index in 0..<produced {
                left.append(buffer[2 * index])
                right.append(buffer[2 * index + 1])
            }
            done += Int64(produced)
            statuses[done] = transport.status
        }
    }

    var frameCount: Int64 { Int64(left.count) }

    /// The largest step between neighbouring samples of the sine channel; the undisturbed sine
    /// moves at most 2π·100/8000·0.5 ≈ 0.039 per frame.
    func largestRightStep(from start: Int = 0) -> Float {
        var largest: Float = 0
        for index in max(1, start)..<right.count {
            largest = max(largest, abs(right[index] - right[index - 1]))
        }
        return largest
    }

    /// Whether output frames `range` are the source's frames `firstSourceFrame...`, exactly or
    /// within `tolerance` (a crossfade of a frame with itself rounds).
    func plays(_ range: Range<Int64>, fromSourceFrame firstSourceFrame: Int64, tolerance: Float = 0) -> Bool {
        range.allSatisfy { abs(left[Int($0)] - Float(firstSourceFrame + ($0 - range.lowerBound))) <= tolerance }
    }
}

/// A click is a step between neighbouring samples well beyond what the sine itself does.
let clickThreshold: Float = 0.06

@Suite struct TransportTests {
    let crossfade = Fixture.frames(seconds: Transport.jumpCrossfadeSeconds)

    @Test(arguments: [1, 64, 80, 333, 4096])
    func withoutKeysTheOutputIsTheSourceBitForBit(blockFrames: Int) throws {
        let transport = try Fixture.makeTransport()
        let run = try OfflineRun(transport, blockFrames: blockFrames)
        let timeline = transport.timeline
        #expect(run.frameCount == timeline.totalFrames)
        #expect(run.plays(0..<timeline.totalFrames, fromSourceFrame: 0))
        #expect(
            run.right.indices.allSatisfy {
                run.right[$0] == FrameNumberSource.sine(atFrame: Int64($0), sampleRate: 8000)
            })
        #expect(transport.status.isFinished)
    }

    @Test func pauseFadesOutWithinFiftyMillisecondsAndResumesWhereItStopped() throws {
        let transport = try Fixture.makeTransport()
        let pauseFrame: Int64 = 20_000
        let resumeFrame: Int64 = 40_000
        let run = try OfflineRun(
            transport,
            actions: [
                (pauseFrame, { $0.send(.togglePause) }),
                (resumeFrame, { $0.send(.togglePause) }),
            ])
        // Silent from some point between 20 and 50 ms after the key, and until the resume.
        let firstSilent = (pauseFrame..<resumeFrame).first { run.left[Int($0)] == 0 && run.right[Int($0)] == 0 }!
        let fadeSeconds = Double(firstSilent - pauseFrame) / 8000
        #expect(fadeSeconds >= 0.02 && fadeSeconds <= 0.05)
        #expect((firstSilent..<resumeFrame).allSatisfy { run.left[Int($0)] == 0 })
        // The fade is a ramp: the gain (left / frame) falls monotonically.
        let gains = (pauseFrame..<firstSilent).map { run.left[Int($0)] / Float($0) }
        #expect(zip(gains, gains.dropFirst()).allSatisfy { $0 >= $1 })
        // After the resume fade, the session continues where the pause fade ended.
        // After the resume, the session continues on the frame after the last one faded out.
        let resumeSourceFrame = firstSilent + 1
        let fadeFrames = Fixture.frames(seconds: Transport.pauseFadeSeconds)
        let resumed = run.plays(
            (resumeFrame + fadeFrames)..<(resumeFrame + 2000), fromSourceFrame: resumeSourceFrame + fadeFrames)
        #expect(resumed)
        #expect(run.frameCount == transport.timeline.totalFrames + (resumeFrame - resumeSourceFrame))
        #expect(run.largestRightStep() < clickThreshold)
    }

    @Test func pauseIsReportedAndThePositionStands() throws {
        let transport = try Fixture.makeTransport()
        let run = try OfflineRun(transport, maximumFrames: 30_000, actions: [(10_000, { $0.send(.togglePause) })])
        let status = try #require(run.statuses[30_000])
        #expect(status.isPaused)
        #expect(status.positionFrame == run.statuses[20_000]?.positionFrame)
        #expect(status.positionFrame < 10_000 + Fixture.frames(seconds: 0.05))
    }

    @Test(arguments: [Int64(0), 3000, 30_000])
    func nextStepLandsOnTheNextStepStart(atFrame frame: Int64) throws {
        let transport = try Fixture.makeTransport()
        let timeline = transport.timeline
        let run = try OfflineRun(transport, actions: [(frame, { $0.send(.nextStep) })])
        let stepIndex = timeline.stepIndex(atFrame: frame)
        let target = timeline.steps[stepIndex + 1].startFrame
        #expect(run.plays((frame + crossfade)..<(frame + crossfade + 2000), fromSourceFrame: target + crossfade))
        #expect(run.frameCount == frame + timeline.totalFrames - target)
        #expect(run.largestRightStep() < clickThreshold)
    }

    @Test func nextStepOnTheLastStepStopsGently() throws {
        let transport = try Fixture.makeTransport()
        let frame = transport.timeline.steps[2].startFrame + 100
        let run = try OfflineRun(transport, actions: [(frame, { $0.send(.nextStep) })])
        let fade = Fixture.frames(seconds: Transport.stopFadeSeconds)
        #expect(abs(run.frameCount - (frame + fade)) <= 80)
        #expect(abs(run.left.last!) < 1e-3 * Float(frame))
        #expect(run.largestRightStep() < clickThreshold)
        #expect(transport.status.isFinished)
    }

    @Test func nextStepDuringAPauseMovesAndStaysPaused() throws {
        let transport = try Fixture.makeTransport()
        let timeline = transport.timeline
        let resumeFrame: Int64 = 30_000
        let run = try OfflineRun(
            transport,
            actions: [
                (5_000, { $0.send(.togglePause) }),
                (20_000, { $0.send(.nextStep) }),
                (resumeFrame, { $0.send(.togglePause) }),
            ])
        #expect((6_000..<resumeFrame).allSatisfy { run.left[Int($0)] == 0 })
        let fade = Fixture.frames(seconds: Transport.pauseFadeSeconds)
        let start = resumeFrame + fade + 1
        #expect(run.plays(start..<(start + 1000), fromSourceFrame: timeline.steps[1].startFrame + fade + 1))
        #expect(run.largestRightStep() < clickThreshold)
    }

    @Test func previousStepRestartsOrGoesBackWithinThreeSeconds() throws {
        let transport = try Fixture.makeTransport()
        let timeline = transport.timeline
        let middle = timeline.steps[1].startFrame
        // 2 s into the middle step: back to the first step.
        let early = try OfflineRun(
            try Fixture.makeTransport(), actions: [(middle + 16_000, { $0.send(.previousStep) })])
        #expect(early.plays((middle + 16_000 + crossfade)..<(middle + 18_000), fromSourceFrame: crossfade))
        // 5 s into it: restart it.
        let late = try OfflineRun(try Fixture.makeTransport(), actions: [(middle + 40_000, { $0.send(.previousStep) })])
        #expect(late.plays((middle + 40_000 + crossfade)..<(middle + 42_000), fromSourceFrame: middle + crossfade))
        // On the first frame of the first step: restart it (there is no previous one).
        let first = try OfflineRun(transport, actions: [(0, { $0.send(.previousStep) })])
        #expect(first.frameCount == timeline.totalFrames)
        for run in [early, late, first] { #expect(run.largestRightStep() < clickThreshold) }
    }

    @Test func volumeRampsByTwoDecibelsAPress() throws {
        let transport = try Fixture.makeTransport()
        let run = try OfflineRun(
            transport,
            actions: [
                (10_000, { $0.send(.volumeUp) }),
                (20_000, { $0.send(.volumeDown) }), (20_000, { $0.send(.volumeDown) }),
            ])
        func gain(_ frame: Int64) -> Double { Double(run.left[Int(frame)]) / Double(frame) }
        #expect(gain(9_999) == 1)
        #expect(abs(gain(10_000 + Fixture.frames(seconds: 0.05) + 10) - pow(10, 2.0 / 20)) < 1e-5)
        #expect(abs(gain(30_000) - pow(10, -2.0 / 20)) < 1e-5)
        // A ramp, not a step: halfway through, about halfway between.
        let halfway = gain(10_000 + Fixture.frames(seconds: 0.025))
        #expect(halfway > 1.05 && halfway < 1.2)
        #expect(run.largestRightStep() < clickThreshold)
        #expect(abs(transport.status.volumeDecibels - -2) < 1e-9)
    }

    @Test func aStartingVolumeScalesEverything() throws {
        let run = try OfflineRun(try Fixture.makeTransport(volumeDecibels: -6), maximumFrames: 4000)
        #expect(abs(Double(run.left[3000]) / 3000 - pow(10, -6.0 / 20)) < 1e-6)
    }

    @Test func stopFadesOverAboutASecondThenEnds() throws {
        let transport = try Fixture.makeTransport()
        let run = try OfflineRun(transport, actions: [(50_000, { $0.send(.stop) })])
        let fade = Fixture.frames(seconds: Transport.stopFadeSeconds)
        #expect(abs(run.frameCount - (50_000 + fade)) <= 80)
        let gainHalfway = run.left[50_000 + Int(fade / 2)] / Float(50_000 + fade / 2)
        #expect(abs(gainHalfway - 0.5) < 0.01)
        #expect(run.largestRightStep() < clickThreshold)
        #expect(transport.status.isFinished)
    }

    @Test func stopWhilePausedEndsAtOnce() throws {
        let transport = try Fixture.makeTransport()
        let run = try OfflineRun(
            transport, actions: [(8_000, { $0.send(.togglePause) }), (16_000, { $0.send(.stop) })])
        #expect(run.frameCount == 16_000)
        #expect(transport.status.isFinished)
    }

    @Test func commandsOnTheLastFrameEndTheSessionCleanly() throws {
        for command in TransportCommand.allCases {
            let transport = try Fixture.makeTransport()
            let last = transport.timeline.totalFrames - 1
            let run = try OfflineRun(transport, actions: [(last, { $0.send(command) })])
            // Going back on the last frame restarts the last step; everything else ends.
            let expected = last + (command == .previousStep ? transport.timeline.steps[2].frameCount : 1)
            #expect(run.frameCount == expected, "\(command)")
            #expect(run.largestRightStep() < clickThreshold, "\(command)")
            #expect(transport.render(into: UnsafeMutablePointer.allocate(capacity: 2), frameCount: 1) == 0)
        }
    }

    @Test(arguments: TransportCommand.allCases)
    func everyCommandAtTheFirstFrameMidwayAndWhilePausedIsClickFree(command: TransportCommand) throws {
        let starts: [[(frame: Int64, action: (Transport) throws -> Void)]] = [
            [(0, { $0.send(command) })],
            [(45_000, { $0.send(command) })],
            [(45_000, { $0.send(.togglePause) }), (50_000, { $0.send(command) }), (60_000, { $0.send(.togglePause) })],
        ]
        for actions in starts {
            let transport = try Fixture.makeTransport()
            let run = try OfflineRun(transport, maximumFrames: 300_000, actions: actions)
            #expect(run.largestRightStep() < clickThreshold, "\(command) at \(actions.map(\.frame))")
            // Only a pause left standing keeps the session from ending.
            #expect(transport.status.isFinished == (command != .togglePause))
            #expect(run.frameCount > 0)
        }
    }

    @Test func lengtheningMovesTheRestOfTheSessionLater() throws {
        let transport = try Fixture.makeTransport()
        let original = transport.timeline
        let change = Fixture.frames(seconds: 30)
        let run = try OfflineRun(
            transport,
            actions: [
                (
                    20_000,
                    {
                        let changed = try $0.changeCurrentStepLength(by: SessionDuration(seconds: 30)); #expect(changed)
                    }
                )
            ])
        #expect(run.frameCount == original.totalFrames + change)
        // Unbroken: the output is the new session from its first frame to its last.
        let isUnbroken = run.plays(0..<run.frameCount, fromSourceFrame: 0, tolerance: 0.5)
        #expect(isUnbroken)
        let timeline = transport.timeline
        #expect(timeline.steps[0].duration == SessionDuration(seconds: 40))
        #expect(timeline.steps[1].startFrame == original.steps[1].startFrame + change)
        #expect(timeline.steps[2].duration == original.steps[2].duration)
        #expect(run.largestRightStep() < clickThreshold)
    }

    @Test func shorteningStopsAtTheMomentPlayingNow() throws {
        let transport = try Fixture.makeTransport()
        let original = transport.timeline
        let position: Int64 = 16_000  // 2 s into a 10 s step; 30 s shorter would be below zero
        let run = try OfflineRun(
            transport,
            actions: [
                (
                    position,
                    {
                        let changed = try $0.changeCurrentStepLength(by: SessionDuration(seconds: -30));
                        #expect(changed)
                    }
                )
            ])
        let timeline = transport.timeline
        #expect(timeline.steps[0].duration == SessionDuration(seconds: 2))
        #expect(timeline.steps[1].duration == original.steps[1].duration)
        #expect(run.frameCount == original.totalFrames - Fixture.frames(seconds: 8))
        #expect(
            run.plays((position + crossfade)..<(position + crossfade + 1000), fromSourceFrame: position + crossfade))
        #expect(run.largestRightStep() < clickThreshold)
    }

    @Test func shorteningNeverGoesBelowOneSecond() throws {
        let transport = try Fixture.makeTransport()
        let run = try OfflineRun(
            transport, actions: [(80, { _ = try $0.changeCurrentStepLength(by: SessionDuration(seconds: -30)) })])
        #expect(transport.timeline.steps[0].duration == SessionTimeline.minimumStepDuration)
        #expect(run.frameCount == transport.timeline.totalFrames)
    }

    @Test func lengtheningKeepsAScaledSessionsOtherSteps() throws {
        let customization = SessionCustomization(totalDuration: SessionDuration(seconds: 12))
        let transport = try Fixture.makeTransport(customization: customization)
        let original = transport.timeline
        _ = try OfflineRun(
            transport, maximumFrames: 100,
            actions: [(80, { _ = try $0.changeCurrentStepLength(by: SessionDuration(seconds: 30)) })])
        let timeline = transport.timeline
        #expect(timeline.steps[0].duration == original.steps[0].duration + SessionDuration(seconds: 30))
        #expect(timeline.steps[1].duration == original.steps[1].duration)
        #expect(timeline.steps[2].duration == original.steps[2].duration)
    }

    @Test func twoQuickLengtheningsBothCount() throws {
        let transport = try Fixture.makeTransport()
        let original = transport.timeline
        let run = try OfflineRun(
            transport,
            actions: [
                (8_000, { _ = try $0.changeCurrentStepLength(by: SessionDuration(seconds: 30)) }),
                (8_000, { _ = try $0.changeCurrentStepLength(by: SessionDuration(seconds: 30)) }),
            ])
        #expect(run.frameCount == original.totalFrames + Fixture.frames(seconds: 60))
    }

    @Test func aHoldStepWaitsWithRemindersUntilSpace() throws {
        let transport = try Fixture.makeTransport(routine: Fixture.holdRoutine)
        let timeline = transport.timeline
        let hold = timeline.steps[1]
        let releaseFrame = hold.endFrame + Fixture.frames(seconds: 45)
        let run = try OfflineRun(transport, actions: [(releaseFrame, { $0.send(.togglePause) })])
        // While waiting, only frames of the hold step play: the next step's cue never sounds.
        #expect((hold.startFrame..<releaseFrame).allSatisfy { run.left[Int($0)] < Float(hold.endFrame) })
        #expect(run.statuses[releaseFrame]?.isWaitingForHold == true)
        // A reminder sounds on top of the bed when the wait starts and 20 s later, not in between.
        func reminderLevel(afterWaitSeconds seconds: Double) -> Float {
            let start = Int(hold.endFrame - crossfade + Fixture.frames(seconds: seconds))
            var peak: Float = 0
            for index in start..<(start + 4000) {
                let residual =
                    run.right[index] - FrameNumberSource.sine(atFrame: Int64(run.left[index]), sampleRate: 8000)
                peak = max(peak, abs(residual))
            }
            return peak
        }
        #expect(reminderLevel(afterWaitSeconds: 0.1) > 0.01)
        #expect(reminderLevel(afterWaitSeconds: 10) < 0.001)
        #expect(reminderLevel(afterWaitSeconds: 20.1) > 0.01)
        // Space moves on to the next step.
        let next = timeline.steps[2].startFrame
        #expect(
            run.plays((releaseFrame + crossfade)..<(releaseFrame + crossfade + 1000), fromSourceFrame: next + crossfade)
        )
        #expect(run.frameCount == releaseFrame + timeline.totalFrames - next)
        #expect(run.largestRightStep() < clickThreshold)
    }

    @Test func aHoldStepMovesOnWithNextStepToo() throws {
        let transport = try Fixture.makeTransport(routine: Fixture.holdRoutine)
        let hold = transport.timeline.steps[1]
        let frame = hold.endFrame + Fixture.frames(seconds: 5)
        let run = try OfflineRun(transport, actions: [(frame, { $0.send(.nextStep) })])
        #expect(run.plays((frame + crossfade)..<(frame + 2000), fromSourceFrame: hold.endFrame + crossfade))
    }
}

extension OfflineRun: CustomTestStringConvertible {
    var testDescription: String { "a run of \(left.count) frames" }
}
