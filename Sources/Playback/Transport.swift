import Foundation
public import Sequencer
import Synchronization
import Synthesis

/// What a key asks the transport to do.
public enum TransportCommand: Int, Sendable, CaseIterable {
    /// Pause or resume with a short fade; on a `hold` step that has run its time, move on.
    case togglePause = 1
    /// Go to the next step; on the last step, go to the sleep tail, and without one (or in it), stop.
    case nextStep
    /// Restart the step, or go to the previous step within the first seconds of a step.
    case previousStep
    case volumeUp
    case volumeDown
    /// Stop with a gentle fade.
    case stop
}

/// Where the transport is, for the status line and for tests.
public struct TransportStatus: Equatable, Sendable {
    public var stepIndex: Int
    public var stepCount: Int
    public var stepTitle: String
    public var side: Side?
    /// The next frame the session renders.
    public var positionFrame: Int64
    public var stepStartFrame: Int64
    public var stepEndFrame: Int64
    public var totalFrames: Int64
    public var sampleRate: Int
    public var isPaused: Bool
    /// Whether a `hold` step has run its time and waits for the space bar.
    public var isWaitingForHold: Bool
    public var isStopping: Bool
    public var isFinished: Bool
    public var volumeDecibels: Double
    /// Where the sleep tail starts (the end of the steps), or `nil` for a session without one.
    public var sleepTailStartFrame: Int64? = nil

    /// Whether the steps are over and the sleep tail plays.
    public var isInSleepTail: Bool {
        sleepTailStartFrame.map { positionFrame >= $0 } ?? false
    }

    /// Whether the next-step command stops the session rather than moving on.
    public var nextStepStops: Bool {
        stepIndex + 1 >= stepCount && (sleepTailStartFrame == nil || isInSleepTail)
    }

    public var secondsLeftInStep: Double {
        Double(max(0, stepEndFrame - positionFrame)) / Double(sampleRate)
    }

    public var secondsLeftInSession: Double {
        Double(max(0, totalFrames - positionFrame)) / Double(sampleRate)
    }
}

/// Plays a session under the user's control: pause and resume, step skips, step lengths, volume,
/// hold steps and a gentle stop.
///
/// Two threads use it. The control thread (keys, status) calls `send(_:)`,
/// `changeCurrentStepLength(by:)`, `status` and `collectRetiredSessions()`; the audio thread calls
/// `render(into:frameCount:)` only. Commands cross through a lock-free queue and a pointer slot
/// and are applied at the start of the next block, every change of level ramped so nothing
/// clicks. With no command, the frames rendered are the source's frames bit for bit: a gain of
/// exactly 1 is never multiplied in.
///
/// Single-threaded use (tests) is the same: commands sent between two renders apply at the start
/// of the second.
public final class Transport: @unchecked Sendable {
    // MARK: Settings

    /// How long pause and resume fade.
    public static let pauseFadeSeconds = 0.03
    /// How long a stop fades.
    public static let stopFadeSeconds = 1.0
    /// How long a jump crossfades from the old place to the new one.
    public static let jumpCrossfadeSeconds = 0.02
    /// One press of up or down, in dB.
    public static let volumeStepDecibels = 2.0
    public static let volumeRange: ClosedRange<Double> = -40...12
    /// Going back within this long of a step's start goes to the previous step.
    public static let previousStepWindowSeconds = 3.0
    /// One press of `+` or `-`.
    public static let stepLengthChange = SessionDuration(seconds: 30)
    /// How often a waiting hold step reminds the listener.
    public static let holdReminderIntervalSeconds = 20.0
    /// The longest stretch at the end of a hold step that repeats while it waits.
    public static let holdLoopMaximumSeconds = 10.0

    public let channelCount: Int
    public let sampleRate: Int

    // MARK: Control-thread state

    private let makeSession: SessionFactory
    /// Every session the audio thread may still use, oldest first; the control thread owns them
    /// so that none is freed on the audio thread.
    private var sessions: [InstalledSession]
    private var nextGeneration = 1

    // MARK: Shared state

    private let commands: CommandQueue
    /// An `InstalledSession` (unretained) waiting for the audio thread to take it over.
    private let pendingSession = Atomic<UnsafeMutableRawPointer?>(nil)
    private let publishedGeneration = Atomic<Int>(0)
    private let publishedPosition = Atomic<Int64>(0)
    private let publishedFlags = Atomic<Int>(0)
    private let publishedVolumeMillibels = Atomic<Int>(0)

    private enum Flag {
        static let paused = 1
        static let waiting = 2
        static let stopping = 4
        static let finished = 8
    }

    // MARK: Audio-thread state

    private var active: InstalledSession
    private var transportGain: LinearRamp
    private var volumeDecibels: Double
    private var isStopping = false
    private var isFinished = false
    private var isWaiting = false
    private var waitedFrames: Int64 = 0
    private var nextReminderFrame: Int64 = 0
    private let crossfadeFrames: Int
    /// What the old place would have played during a crossfade, faded out under the new one; and
    /// where the next such tail is made before the two swap. Both are freed with the transport.
    private var tailBuffer: ManagedBuffer<Void, Float>
    private var tailScratch: ManagedBuffer<Void, Float>
    private var tailOffset: Int

    /// - Parameters:
    ///   - session: what plays first.
    ///   - volumeDecibels: the starting volume; 0 leaves the samples untouched.
    ///   - makeSession: rebuilds the session when a step's length changes.
    public init(
        session: PlayableSession, volumeDecibels: Double = 0, makeSession: @escaping SessionFactory
    ) {
        self.makeSession = makeSession
        channelCount = session.source.channelCount
        sampleRate = session.source.sampleRate
        let first = InstalledSession(generation: 0, playable: session)
        sessions = [first]
        active = first
        commands = CommandQueue(capacity: 64)
        let clamped = Self.volumeRange.clamp(volumeDecibels)
        self.volumeDecibels = clamped
        transportGain = LinearRamp(value: 1)
        crossfadeFrames = max(1, Int((Self.jumpCrossfadeSeconds * Double(sampleRate)).rounded()))
        tailBuffer = Self.makeTail(sampleCount: crossfadeFrames * channelCount)
        tailScratch = Self.makeTail(sampleCount: crossfadeFrames * channelCount)
        tailOffset = crossfadeFrames
        // The volume acts inside the source, before its limiter, so no volume clips.
        if clamped != 0 { first.source.setVolume(decibels: clamped) }
        publishedVolumeMillibels.store(Int((clamped * 100).rounded()), ordering: .relaxed)
        publish()
    }

    /// `sampleCount` samples of silence for a crossfade's tail. Plain floats: nothing to
    /// deinitialise when the buffer goes.
    private static func makeTail(sampleCount: Int) -> ManagedBuffer<Void, Float> {
        let tail = ManagedBuffer<Void, Float>.create(minimumCapacity: sampleCount) { _ in }
        tail.withUnsafeMutablePointerToElements { $0.initialize(repeating: 0, count: sampleCount) }
        return tail
    }

    deinit {
        if let pending = pendingSession.exchange(nil, ordering: .acquiring) {
            _ = pending  // owned by `sessions`; nothing to release here
        }
    }

    // MARK: Control thread

    /// Queues a command for the start of the next block. Returns false if the queue is full.
    @discardableResult
    public func send(_ command: TransportCommand) -> Bool {
        commands.push(command.rawValue)
    }

    /// Lengthens (positive) or shortens (negative) the step playing now and moves the rest of the
    /// session with it, by rebuilding the session with every step's length pinned and handing the
    /// new one to the audio thread at the same moment of the step.
    ///
    /// A shortened step never goes below the shortest step or behind the moment playing now.
    /// Returns false when nothing changes (a waiting hold step, a step already as short as it
    /// can be, or the sleep tail). Throws what the session factory throws.
    @discardableResult
    public func changeCurrentStepLength(by change: SessionDuration) throws -> Bool {
        collectRetiredSessions()
        let flags = publishedFlags.load(ordering: .acquiring)
        guard flags & (Flag.waiting | Flag.stopping | Flag.finished) == 0 else { return false }
        let generation = publishedGeneration.load(ordering: .acquiring)
        let position = publishedPosition.load(ordering: .relaxed)
        guard let playing = sessions.first(where: { $0.generation == generation }), let latest = sessions.last else {
            return false
        }
        // The sleep tail is no step: its length is set once, before the session.
        guard position < playing.timeline.stepsEndFrame else { return false }
        let stepIndex = playing.timeline.stepIndex(atFrame: position)
        let step = latest.timeline.steps[stepIndex]
        var newDuration = step.duration + change
        if change < .zero {
            let elapsedFrames = max(0, position - playing.timeline.steps[stepIndex].startFrame)
            let elapsedMicroseconds = (elapsedFrames * 1_000_000 + Int64(sampleRate) - 1) / Int64(sampleRate)
            newDuration = max(
                newDuration, SessionTimeline.minimumStepDuration, SessionDuration(microseconds: elapsedMicroseconds))
        }
        guard newDuration != step.duration else { return false }
        var overrides = latest.timeline.steps.map {
            StepOverride(stepID: $0.id, side: $0.side, duration: $0.duration)
        }
        overrides[stepIndex].duration = newDuration
        // The sleep tail stays as it was; every step is pinned, so no total is needed.
        let playable = try makeSession(
            SessionCustomization(stepOverrides: overrides, sleepTail: latest.timeline.sleepTailDuration))
        let session = InstalledSession(generation: nextGeneration, playable: playable)
        nextGeneration += 1
        sessions.append(session)
        let raw = Unmanaged.passUnretained(session).toOpaque()
        if let replaced = pendingSession.exchange(raw, ordering: .acquiringAndReleasing) {
            // The audio thread never saw it: drop it here.
            sessions.removeAll { Unmanaged.passUnretained($0).toOpaque() == replaced }
        }
        return true
    }

    /// Frees the sessions the audio thread has moved past. Call it from the control thread now
    /// and then.
    public func collectRetiredSessions() {
        let generation = publishedGeneration.load(ordering: .acquiring)
        sessions.removeAll { $0.generation < generation }
    }

    /// The latest state the audio thread published.
    public var status: TransportStatus {
        let generation = publishedGeneration.load(ordering: .acquiring)
        let position = publishedPosition.load(ordering: .relaxed)
        let flags = publishedFlags.load(ordering: .relaxed)
        let session = sessions.first(where: { $0.generation == generation }) ?? sessions.last!
        let timeline = session.timeline
        let index = timeline.stepIndex(atFrame: position)
        let step = timeline.steps[index]
        return TransportStatus(
            stepIndex: index, stepCount: timeline.steps.count, stepTitle: step.title, side: step.side,
            positionFrame: position, stepStartFrame: step.startFrame, stepEndFrame: step.endFrame,
            totalFrames: timeline.totalFrames, sampleRate: sampleRate, isPaused: flags & Flag.paused != 0,
            isWaitingForHold: flags & Flag.waiting != 0, isStopping: flags & Flag.stopping != 0,
            isFinished: flags & Flag.finished != 0,
            volumeDecibels: Double(publishedVolumeMillibels.load(ordering: .relaxed)) / 100,
            sleepTailStartFrame: timeline.hasSleepTail ? timeline.stepsEndFrame : nil)
    }

    /// The timeline playing now (the control thread's view).
    public var timeline: SessionTimeline {
        let generation = publishedGeneration.load(ordering: .acquiring)
        return (sessions.first(where: { $0.generation == generation }) ?? sessions.last!).timeline
    }

    // MARK: Audio thread

    /// Waits, at most `timeoutSeconds`, until the playing source has made ahead what the next
    /// `frameCount` frames take. Audio thread only, outside `render(into:frameCount:)`.
    public func waitUntilReady(toRender frameCount: Int, timeoutSeconds: Double) {
        active.source.waitUntilReady(toRender: frameCount, timeoutSeconds: timeoutSeconds)
    }

    /// Renders the next `frameCount` frames into `buffer` (interleaved) and returns how many it
    /// wrote: `frameCount` while the session plays or is paused (silence), fewer at the end, and
    /// 0 once it has ended or stopped.
    ///
    /// Real-time safe: no allocation, locks or I/O.
    public func render(into buffer: UnsafeMutablePointer<Float>, frameCount: Int) -> Int {
        guard !isFinished else { return 0 }
        takePendingSession()
        while let raw = commands.pop(), let command = TransportCommand(rawValue: raw) {
            apply(command)
        }
        guard !isFinished else {
            publish()
            return 0
        }
        let sampleCount = frameCount * channelCount
        if isFullyPaused {
            buffer.update(repeating: 0, count: sampleCount)
            publish()
            return frameCount
        }
        // A pause renders only the frames its fade needs, so the session resumes on the very
        // next frame.
        let isPausing = transportGain.target == 0 && !isStopping
        let wanted = isPausing ? min(frameCount, transportGain.remainingFrames) : frameCount
        var produced = renderContent(into: buffer, frameCount: wanted)
        if produced < wanted { isFinished = true }
        if isWaiting {
            waitedFrames += Int64(produced)
            if waitedFrames >= nextReminderFrame {
                active.source.ringHoldReminder()
                nextReminderFrame += Int64(Self.holdReminderIntervalSeconds * Double(sampleRate))
            }
        }
        applyGains(to: buffer, frameCount: produced)
        if !isFinished && produced < frameCount {
            (buffer + produced * channelCount).update(repeating: 0, count: (frameCount - produced) * channelCount)
            produced = frameCount
        }
        publish()
        return produced
    }

    /// Whether the next `frameCount` frames can be rendered as they will sound once every prompt
    /// is prepared; false while a prompt they need is still being spoken. The audio thread asks
    /// before each block and waits outside `render` while it is false. Paused, stopping or
    /// finished, nothing is waited for. Real-time safe.
    public func isReadyToRender(frameCount: Int) -> Bool {
        guard !isFinished, !isStopping, !isFullyPaused else { return true }
        return active.source.isPrepared(forNext: frameCount)
    }

    private var isFullyPaused: Bool {
        transportGain.value == 0 && transportGain.target == 0 && !isStopping
    }

    private func apply(_ command: TransportCommand) {
        let timeline = active.timeline
        let position = active.source.position
        let stepIndex = timeline.stepIndex(atFrame: position)
        switch command {
        case .togglePause:
            guard !isStopping else { return }
            if isWaiting {
                jump(to: timeline.steps[stepIndex + 1].startFrame)
            } else {
                transportGain.setTarget(
                    transportGain.target == 0 ? 1 : 0, fullScaleFrames: Self.pauseFadeSeconds * Double(sampleRate))
            }
        case .nextStep:
            guard !isStopping else { return }
            if stepIndex + 1 < timeline.steps.count {
                jump(to: timeline.steps[stepIndex + 1].startFrame)
            } else if position < timeline.stepsEndFrame && timeline.hasSleepTail {
                jump(to: timeline.stepsEndFrame)
            } else {
                beginStop()
            }
        case .previousStep:
            guard !isStopping else { return }
            let intoStep = position - timeline.steps[stepIndex].startFrame
            let window = Int64(Self.previousStepWindowSeconds * Double(sampleRate))
            if intoStep < window && stepIndex > 0 && !isWaiting {
                jump(to: timeline.steps[stepIndex - 1].startFrame)
            } else {
                jump(to: timeline.steps[stepIndex].startFrame)
            }
        case .volumeUp, .volumeDown:
            let change = command == .volumeUp ? Self.volumeStepDecibels : -Self.volumeStepDecibels
            volumeDecibels = Self.volumeRange.clamp(volumeDecibels + change)
            active.source.setVolume(decibels: volumeDecibels)
            publishedVolumeMillibels.store(Int((volumeDecibels * 100).rounded()), ordering: .relaxed)
        case .stop:
            beginStop()
        }
    }

    private func beginStop() {
        guard !isStopping else { return }
        if isFullyPaused || transportGain.value == 0 {
            isFinished = true
            return
        }
        isStopping = true
        transportGain.setTarget(0, fullScaleFrames: Self.stopFadeSeconds * Double(sampleRate))
    }

    private func takePendingSession() {
        guard let raw = pendingSession.exchange(nil, ordering: .acquiringAndReleasing) else { return }
        let next = Unmanaged<InstalledSession>.fromOpaque(raw).takeUnretainedValue()
        let position = active.source.position
        let old = active.timeline
        // The same moment of the same step: steps before the changed one keep their frames.
        let index = old.stepIndex(atFrame: position)
        let intoStep = position - old.steps[index].startFrame
        let newStep = next.timeline.steps[min(index, next.timeline.steps.count - 1)]
        let target = newStep.startFrame + min(intoStep, newStep.frameCount)
        jump(to: target, installing: next)
    }

    /// Moves playing to `frame` (of `session`, if given), crossfading from what would have played.
    private func jump(to frame: Int64, installing session: InstalledSession? = nil, isHoldLoop: Bool = false) {
        if !isFullyPaused {
            let sampleCount = crossfadeFrames * channelCount
            tailScratch.withUnsafeMutablePointerToElements { scratch in
                let produced = active.source.render(into: scratch, frameCount: crossfadeFrames)
                (scratch + produced * channelCount).update(repeating: 0, count: sampleCount - produced * channelCount)
                mixTail(into: scratch, frameCount: crossfadeFrames)
            }
            swap(&tailBuffer, &tailScratch)
            tailOffset = 0
        } else {
            tailOffset = crossfadeFrames
        }
        if let session {
            active = session
            if volumeDecibels != 0 { active.source.setVolume(decibels: volumeDecibels) }
        }
        active.source.seek(toFrame: frame)
        if !isHoldLoop { isWaiting = false }
    }

    /// Crossfades the held tail (fading out) into `buffer` (fading in).
    private func mixTail(into buffer: UnsafeMutablePointer<Float>, frameCount: Int) {
        let count = min(frameCount, crossfadeFrames - tailOffset)
        guard count > 0 else { return }
        let length = Float(crossfadeFrames)
        tailBuffer.withUnsafeMutablePointerToElements { tail in
            for frame in 0..<count {
                let fadeIn = (Float(tailOffset + frame) + 0.5) / length
                let tailBase = (tailOffset + frame) * channelCount
                for channel in 0..<channelCount {
                    let index = frame * channelCount + channel
                    buffer[index] = buffer[index] * fadeIn + tail[tailBase + channel] * (1 - fadeIn)
                }
            }
        }
        tailOffset += count
    }

    /// Renders the session from where it is, looping the end of a `hold` step while it waits.
    private func renderContent(into buffer: UnsafeMutablePointer<Float>, frameCount: Int) -> Int {
        var done = 0
        while done < frameCount {
            let position = active.source.position
            var limit = frameCount - done
            if let hold = holdLoop(at: position) {
                if position >= hold.endFrame {
                    if !isWaiting {
                        isWaiting = true
                        waitedFrames = 0
                        nextReminderFrame = 0
                    }
                    jump(to: hold.startFrame, isHoldLoop: true)
                    continue
                }
                limit = min(limit, Int(hold.endFrame - position))
            }
            let output = buffer + done * channelCount
            let produced = active.source.render(into: output, frameCount: limit)
            mixTail(into: output, frameCount: produced)
            done += produced
            if produced < limit { break }
        }
        return done
    }

    /// The stretch that repeats when `position` is in a `hold` step (not the last): the second
    /// half of the step, at most `holdLoopMaximumSeconds`, ending a crossfade before the step ends
    /// so that the next step's cue never sounds while waiting. That stretch is the bed alone, past
    /// the step's chime and prompt.
    private func holdLoop(at position: Int64) -> (startFrame: Int64, endFrame: Int64)? {
        let timeline = active.timeline
        let index = timeline.stepIndex(atFrame: position)
        let step = timeline.steps[index]
        guard step.isHold, index + 1 < timeline.steps.count, position >= step.startFrame else { return nil }
        let endFrame = step.endFrame - Int64(crossfadeFrames)
        let longest = Int64(Self.holdLoopMaximumSeconds * Double(sampleRate))
        let startFrame = max(step.startFrame + step.frameCount / 2, endFrame - longest)
        guard endFrame - startFrame > Int64(crossfadeFrames) else { return nil }
        return (startFrame, endFrame)
    }

    private func applyGains(to buffer: UnsafeMutablePointer<Float>, frameCount: Int) {
        if transportGain.isSteady && transportGain.value == 1 {
            // Unity gain: leave the source's samples exactly as they are.
            return
        }
        for frame in 0..<frameCount {
            let gain = transportGain.next()
            let base = frame * channelCount
            for channel in 0..<channelCount {
                buffer[base + channel] *= gain
            }
        }
        if isStopping && transportGain.value == 0 {
            isFinished = true
        }
    }

    private func publish() {
        var flags = 0
        if isFullyPaused || (transportGain.target == 0 && !isStopping) { flags |= Flag.paused }
        if isWaiting { flags |= Flag.waiting }
        if isStopping { flags |= Flag.stopping }
        if isFinished { flags |= Flag.finished }
        publishedPosition.store(active.source.position, ordering: .relaxed)
        publishedFlags.store(flags, ordering: .relaxed)
        publishedGeneration.store(active.generation, ordering: .releasing)
    }

}

/// A session the transport has taken on, numbered in the order they were made.
final class InstalledSession {
    let generation: Int
    let timeline: SessionTimeline
    let source: any SeekableFrameSource

    init(generation: Int, playable: PlayableSession) {
        self.generation = generation
        self.timeline = playable.timeline
        self.source = playable.source
    }
}

/// A gain that moves linearly to its target over a whole number of frames, so that the frame on
/// which it arrives is known exactly.
struct LinearRamp {
    private(set) var value: Float
    private(set) var target: Float
    private var step: Float = 0
    /// Frames until `value` is `target`.
    private(set) var remainingFrames = 0

    init(value: Float) {
        self.value = value
        self.target = value
    }

    var isSteady: Bool { remainingFrames == 0 }

    /// Moves to `newTarget` at the pace of a full-scale (0 to 1) move in `fullScaleFrames`.
    mutating func setTarget(_ newTarget: Float, fullScaleFrames: Double) {
        target = newTarget
        let distance = Double(abs(newTarget - value))
        remainingFrames = distance == 0 ? 0 : max(1, Int((distance * fullScaleFrames).rounded(.up)))
        step = remainingFrames == 0 ? 0 : (newTarget - value) / Float(remainingFrames)
        if remainingFrames == 0 { value = newTarget }
    }

    /// Moves to `newTarget` over exactly `frames` frames.
    mutating func setTarget(_ newTarget: Float, frames: Int) {
        target = newTarget
        remainingFrames = newTarget == value ? 0 : max(1, frames)
        step = remainingFrames == 0 ? 0 : (newTarget - value) / Float(remainingFrames)
    }

    mutating func next() -> Float {
        if remainingFrames > 0 {
            remainingFrames -= 1
            value = remainingFrames == 0 ? target : value + step
        }
        return value
    }
}

/// A single-producer, single-consumer queue of small integers, lock-free.
final class CommandQueue: @unchecked Sendable {
    /// The queue's slots, freed with the queue. Plain integers: nothing to deinitialise.
    private let storage: ManagedBuffer<Void, Int>
    private let capacity: Int
    private let head = Atomic<Int>(0)
    private let tail = Atomic<Int>(0)

    init(capacity: Int) {
        self.capacity = capacity
        storage = .create(minimumCapacity: capacity) { _ in }
        storage.withUnsafeMutablePointerToElements { $0.initialize(repeating: 0, count: capacity) }
    }

    /// Producer side.
    func push(_ value: Int) -> Bool {
        let tailIndex = tail.load(ordering: .relaxed)
        guard tailIndex - head.load(ordering: .acquiring) < capacity else { return false }
        storage.withUnsafeMutablePointerToElements { $0[tailIndex % capacity] = value }
        tail.store(tailIndex + 1, ordering: .releasing)
        return true
    }

    /// Consumer side.
    func pop() -> Int? {
        let headIndex = head.load(ordering: .relaxed)
        guard headIndex < tail.load(ordering: .acquiring) else { return nil }
        let value = storage.withUnsafeMutablePointerToElements { $0[headIndex % capacity] }
        head.store(headIndex + 1, ordering: .releasing)
        return value
    }
}

extension ClosedRange where Bound == Double {
    func clamp(_ value: Double) -> Double { Swift.min(upperBound, Swift.max(lowerBound, value)) }
}

func pow10(_ exponent: Double) -> Double {
    pow(10, exponent)
}
