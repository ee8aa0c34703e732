import Foundation
public import Sequencer
import Synchronization

/// Frames in front of each planar mix buffer that hold the previous chunk's tail, for the
/// limiter's interpolated peaks.
private var guardFrameCount: Int { 8 }

/// Renders a whole session (tone bed, chimes, tempo pulse, voice, master) sample-exactly.
///
/// It wires the parts together: the `ToneBed` and its noise, the `StrikeSchedule` and the
/// `StrikeBank` that sounds it, the `VoiceTrack`, the master gain from the `LoudnessPlanBuilder`,
/// the listener's volume, the `Limiter` and the `SessionEnding`. Everything that allocates
/// happens in `init`; `render(into:frameCount:)` and `seek(toFrame:)` only do arithmetic on
/// memory prepared there, and the compiler checks it (`@_noAllocation`). The parts are
/// noncopyable and read in place, and their memory is in `ManagedBuffer`s that go with them.
///
/// The renderer works in chunks of `RenderGrid.chunkFrameCount` frames at fixed absolute
/// positions (frame 0, 512, 1024, …), and every control value (levels, pitches, ducking, limiter
/// gain) is computed on that grid from the absolute frame. `render` copies out of the chunk, so the
/// samples do not depend on the block sizes a caller asks for.
///
/// Not thread-safe: call it from one thread at a time (it may be handed between threads).
public final class SessionRenderer: AudioFrameSource, @unchecked Sendable {
    public let channelCount: Int
    public let sampleRate: Int
    public let totalFrames: Int64
    public private(set) var position: Int64 = 0
    /// The one gain applied to the whole session, in dB: measured for the loudness target, or the
    /// fixed gain the settings gave.
    public let masterGainDecibels: Double
    /// The integrated loudness the renderer predicted before the master gain, in LUFS.
    public let unscaledLoudnessLUFS: Double
    /// Where the closing chime sounds: at the start of the final fade, so it rings out with it;
    /// with a sleep tail, as long before the end of the steps, so it rings on into the tail.
    public let sessionEndChimeFrame: Int64
    /// How long the final fade lasts, in frames (a sleep tail's fade, with one); the last frame is
    /// digital silence.
    public let fadeOutFrameCount: Int64
    /// Where the steps end and a sleep tail starts; `totalFrames` without one.
    public let stepsEndFrame: Int64

    static var chunkFrameCount: Int { RenderGrid.chunkFrameCount }
    static let seekRampDuration = 0.01
    /// How long a change of volume takes.
    public static let volumeRampDuration = 0.05
    /// Every clip's speech level sits this far above the bed's undimmed average loudness, so the
    /// bed lies 10-12 LU under the voice between prompts.
    static let voiceAboveBedDecibels = 11.0

    private let seed: UInt64
    private let isBedMuted: Bool
    private let isVoiceMuted: Bool
    private let bed: ToneBed
    private let ending: SessionEnding
    private let masterGain: Float

    // Tone bed state.
    private let padOscillatorStorage: ManagedBuffer<Void, RotationOscillator>
    private let padOscillators: UnsafeMutablePointer<RotationOscillator>
    private var bedControl: ToneBed.Control
    private let padLeftGains: SIMD8<Float>
    private let padRightGains: SIMD8<Float>
    // Read once here, so that the checked pad loop reads no global or static property.
    private let padOscillatorCount = ToneBed.oscillatorCount
    private let padLaneRamp = laneRamp
    private let padVectorCount = RenderGrid.vectorsPerChunk
    private let brightNoise: NoiseTable?
    private let darkNoise: NoiseTable?

    // Strikes: chimes and pulses, and the hold reminder.
    private let schedule: StrikeSchedule
    private var strikes = StrikeBank()
    private var nextStrikeEvent = 0
    private var isHoldReminderPending = false

    let voice: VoiceTrack
    /// Where the renderer is in the voice's slots.
    private var nextVoiceClip = 0
    /// Which voice slots are published, and where speech sounds in them.
    let speechSpans: SpeechSpans
    /// `speechSpans` again, for the render path: calling a method on a class reference read from
    /// a stored property retains and releases it, and `@_noAllocation` refuses the release. This
    /// one is borrowed without either, which is sound because `speechSpans` holds the same object
    /// for the renderer's whole life.
    private let speechSpansForRendering: Unmanaged<SpeechSpans>
    /// Where the render path has mixed up to (the next chunk's first frame), published after
    /// every chunk for the thread that delivers clips.
    let mixedEndFrameAtomic = Atomic<Int64>(0)
    /// The slots `retireMixedVoiceClips()` has let go, from the first; only the delivering thread
    /// touches it.
    var retiredVoiceSlotCount = 0
    /// Why `deliverAhead(startFrames:fetch:)` could not fetch a clip, or `nil`.
    let deliveryFailure = Mutex<String?>(nil)

    // The user's own sound: its feed, and the gain that brings it to its level before the master.
    private let mixFeed: MixInFeed?
    /// `mixFeed` again, for the render path, borrowed for the same reason as `speechSpansForRendering`.
    private let mixFeedForRendering: Unmanaged<MixInFeed>?
    private let mixBaseGain: Double
    /// The longest the renderer waits for the read-ahead's first frames when it is made.
    static let mixInStartTimeoutSeconds = 10.0
    private var limiter: Limiter

    // The listener's volume, applied before the limiter so it can never push past the ceiling.
    private var volumeGain: Float = 1
    private var volumeTarget: Float = 1
    private var volumeStep: Float = 0
    private var volumeChunksLeft = 0
    private let volumeRampChunks: Int

    // Mix buffers: planar, each with `guardFrameCount` frames in front holding the previous
    // chunk's tail for the limiter's interpolated peaks, and the interleaved output, all in
    // `mixStorage`.
    private let mixStorage: ManagedBuffer<Void, Lanes>
    private var currentLeft: UnsafeMutablePointer<Float>
    private var currentRight: UnsafeMutablePointer<Float>
    private var aheadLeft: UnsafeMutablePointer<Float>
    private var aheadRight: UnsafeMutablePointer<Float>
    private let output: UnsafeMutablePointer<Float>
    /// The absolute frame of the chunk in `output`, and of the chunk mixed next (the lookahead).
    private var outputChunkStart: Int64 = 0
    private var nextMixStart: Int64 = 0

    private var seekRampFramesDone: Int64 = .max
    private let seekRampFrameCount: Int64

    /// Prepares a session for rendering with every voice clip at hand: validates the settings and
    /// clips, builds every table, and fixes the master gain from the loudness plan (or the
    /// settings' fixed gain), which takes each clip's place and length.
    ///
    /// With `mixIn`, the user's own sound plays under the session at the routine's `level` from
    /// the tone bed's place against the voice; the routine's `tones: off` leaves it alone.
    public convenience init(
        timeline: SessionTimeline, settings: RenderSettings = RenderSettings(), voiceClips: [VoiceClip] = [],
        mixIn: MixIn? = nil
    ) throws(SynthesisError) {
        try settings.validate()
        guard timeline.totalFrames > 0 else { throw SynthesisError("the session has no frames to render") }
        for (index, clip) in voiceClips.enumerated() { try Self.check(clip, number: index + 1, in: timeline) }
        let sorted = voiceClips.sorted { $0.startFrame < $1.startFrame }
        try self.init(
            timeline: timeline, settings: settings,
            voicePlans: sorted.map {
                VoiceClipPlan(
                    earliestStartFrame: $0.startFrame, expectedStartFrame: $0.startFrame,
                    expectedFrameCount: Int64($0.samples.count))
            }, mixIn: mixIn)
        for (slot, clip) in sorted.enumerated() { try deliver(clip, toSlot: slot) }
    }

    /// Prepares a session whose voice clips arrive later, one slot per prompt in playing order:
    /// validates the settings, builds every table, and fixes the master gain from the loudness plan
    /// with each clip at its expected place and length (or the settings' fixed gain). Rendering may
    /// start at once; `deliver(_:toSlot:)` fills the slots as the clips become ready, and
    /// `preparedEndFrame` says how far rendering can go without the ones still missing.
    public init(
        timeline: SessionTimeline, settings: RenderSettings = RenderSettings(), voicePlans: [VoiceClipPlan],
        mixIn: MixIn? = nil
    ) throws(SynthesisError) {
        try settings.validate()
        guard timeline.totalFrames > 0 else { throw SynthesisError("the session has no frames to render") }
        seed = settings.seed
        isBedMuted = settings.isBedMuted || !timeline.bed.playsTones
        isVoiceMuted = settings.isVoiceMuted
        channelCount = RenderSettings.channelCount
        sampleRate = timeline.sampleRate
        totalFrames = timeline.totalFrames
        let rate = Double(sampleRate)
        var random = SeededRandom(seed: settings.seed)

        // The end: one long fade, with the closing chime at its start; or a sleep tail after the
        // steps, with the chime as long before their end. The loudness plan and the user's own
        // file follow it without the tail's correction for the bed's own fall; the renderer's own
        // end, made below, has it.
        let baseEnding = SessionEnding(timeline: timeline, gridFrameCount: RenderGrid.chunkFrameCount)
        stepsEndFrame = timeline.stepsEndFrame
        fadeOutFrameCount = baseEnding.finalFadeFrameCount
        let lastStep = timeline.steps[timeline.steps.count - 1]
        sessionEndChimeFrame = max(
            stepsEndFrame - baseEnding.fadeOutFrameCount,
            lastStep.startFrame + (stepsEndFrame - lastStep.startFrame) / 2)

        // The bed dips under each clip once it is delivered; the loudness plan and the tail's
        // correction model the dip around the clips' expected places instead, so they are the
        // same whenever the clips arrive.
        let releaseLimitFrame = baseEnding.hasSleepTail ? .max : totalFrames - baseEnding.fadeOutFrameCount
        speechSpans = SpeechSpans(
            earliestStartFrames: voicePlans.map(\.earliestStartFrame), sampleRate: sampleRate,
            releaseLimitFrame: releaseLimitFrame)
        speechSpansForRendering = .passUnretained(speechSpans)
        // The same bed again (the same draws of the seed) with the dip of the clips' expected places.
        var plannedRandom = random
        bed = ToneBed(timeline: timeline, random: &random, ducking: Ducking(spans: speechSpans))
        let plannedBed = ToneBed(
            timeline: timeline, random: &plannedRandom,
            ducking: Ducking(
                clips: voicePlans.map {
                    (
                        start: $0.expectedStartFrame,
                        end: min($0.expectedStartFrame + $0.expectedFrameCount, timeline.totalFrames)
                    )
                }, sampleRate: sampleRate, releaseLimitFrame: releaseLimitFrame))
        let brightNoise: NoiseTable?
        let darkNoise: NoiseTable?
        if timeline.bed.noise != .none && !isBedMuted {
            brightNoise = NoiseTable(
                kind: timeline.bed.noise, frameCount: Int(7.1 * rate), lowPassHertz: 900, sampleRate: sampleRate,
                random: &random)
            darkNoise = NoiseTable(
                kind: timeline.bed.noise, frameCount: Int(9.3 * rate), lowPassHertz: 320, sampleRate: sampleRate,
                random: &random)
        } else {
            brightNoise = nil
            darkNoise = nil
        }
        let brightPower = Self.weightedPower(of: brightNoise)
        let darkPower = Self.weightedPower(of: darkNoise)
        self.brightNoise = brightNoise
        self.darkNoise = darkNoise
        // The tail falls evenly as heard: its gain makes up for the bed's own thinning, measured
        // by the same model as the loudness plan, averaged over the bed's swells and breath.
        let tailWeights = KWeightingTable(sampleRate: sampleRate)
        let uncorrectedEnding = SessionEnding(timeline: timeline, gridFrameCount: RenderGrid.chunkFrameCount)
        self.ending = uncorrectedEnding.correctingTail { frame in
            var sum = 0.0
            for offset in stride(from: -10.0, through: 10.0, by: 0.5) {
                let at = frame + Int64(offset * rate)
                sum += plannedBed.weightedEnergy(
                    plannedBed.control(atFrame: at), weights: tailWeights, brightNoisePower: brightPower,
                    darkNoisePower: darkPower)
            }
            return sum
        }
        padLeftGains = SIMD8<Float>(bed.leftGains)
        padRightGains = SIMD8<Float>(bed.rightGains)
        schedule = StrikeSchedule(
            timeline: timeline,
            startChimeFrame: min(
                PromptTiming.startChimeDelay.frames(atSampleRate: sampleRate), timeline.steps[0].frameCount / 4),
            sessionEndFrame: sessionEndChimeFrame,
            // Bells keep clear of the prompts where they are planned, so play and export ring the
            // same bells whenever the clips arrive.
            bells: timeline.ringingBells(
                avoiding: voicePlans.map {
                    $0.expectedStartFrame..<min($0.expectedStartFrame + $0.expectedFrameCount, timeline.totalFrames)
                }),
            lean: { side in Self.leanGains(side, isEnabled: settings.leansToSide) })

        // The loudness plan, from the bed's control values, the strikes in closed form and the
        // voice clips' lengths; then the master gain.
        var builder = LoudnessPlanBuilder(stepsEndFrame: stepsEndFrame, sampleRate: sampleRate, ending: baseEnding)
        let speechLoudness =
            bed.averageLoudnessLUFS(
                weights: builder.weights, brightNoisePower: brightPower, darkNoisePower: darkPower)
            + Self.voiceAboveBedDecibels
        let clipEnergy = pow(10, (speechLoudness + 0.691) / 10) / 2
        if !isBedMuted {
            builder.addBed(plannedBed, brightNoisePower: brightPower, darkNoisePower: darkPower)
        }
        // The file at level 0 sits where the bed sits against the voice, on average over the
        // steps: it darkens with the bed, so it starts as far above that average as the bed does.
        let bedLoudness = speechLoudness - Self.voiceAboveBedDecibels
        let mixLoudness =
            bedLoudness + timeline.bed.fileLevelDecibels - 10 * log10(bed.averageDarkeningPower())
        if let mixIn {
            let endingForMix = SessionEnding(timeline: timeline, gridFrameCount: RenderGrid.chunkFrameCount)
            builder.addMixIn(energy: pow(10, (mixLoudness + 0.691) / 10)) { frame in
                plannedBed.levelEnvelope(atFrame: frame) * endingForMix.uncorrectedTailGain(atFrame: frame)
            }
            mixBaseGain = decibelsToGain(mixLoudness - mixIn.loudnessLUFS)
        } else {
            mixBaseGain = 0
        }
        mixFeed = mixIn?.feed
        mixFeedForRendering = mixFeed.map { .passUnretained($0) }
        builder.addStrikes(schedule)
        let stepIndices = voicePlans.map { timeline.stepIndex(atFrame: $0.earliestStartFrame) }
        let clipGains = stepIndices.map {
            Self.towardSleepDecibels(stepIndex: $0, stepCount: timeline.steps.count)
        }
        let clipLeans = stepIndices.map { index -> (left: Float, right: Float) in
            let step = timeline.steps[index]
            return Self.leanGains(step.isSideSwitch ? nil : step.side, isEnabled: settings.leansToSide)
        }
        builder.addVoice(
            clips: voicePlans.indices.map { index in
                let plan = voicePlans[index]
                let lean = clipLeans[index]
                return (
                    startFrame: plan.expectedStartFrame,
                    frameCount: max(0, min(plan.expectedFrameCount, timeline.totalFrames - plan.expectedStartFrame)),
                    gainDecibels: clipGains[index], pan: Double(lean.left * lean.left + lean.right * lean.right)
                )
            }, clipEnergy: clipEnergy)
        unscaledLoudnessLUFS = builder.plan.loudnessLUFS(gainDecibels: 0)
        masterGainDecibels =
            settings.fixedMasterGainDecibels
            ?? builder.plan.masterGainDecibels(forTargetLUFS: settings.loudnessTargetLUFS)
        let master = decibelsToGain(masterGainDecibels)
        masterGain = Float(master)
        voice = VoiceTrack(
            slotGainDecibels: clipGains, leans: clipLeans, totalFrames: totalFrames, sampleRate: sampleRate,
            speechLoudnessLUFS: speechLoudness, masterGain: master,
            peakCeiling: decibelsToGain(
                settings.truePeakCeilingDecibels - Limiter.marginDecibels - VoicePeakLimiter.headroomDecibels))
        limiter = Limiter(ceilingDecibels: settings.truePeakCeilingDecibels, sampleRate: sampleRate)
        volumeRampChunks = max(1, Int(Self.volumeRampDuration * rate) / RenderGrid.chunkFrameCount)

        // Scratch, allocated once.
        (padOscillatorStorage, padOscillators) = makeRenderStorage(
            count: ToneBed.oscillatorCount, repeating: RotationOscillator())
        bedControl = bed.control(atFrame: 0)
        // Each buffer a whole number of `Lanes`, so that every one starts on a 32-byte boundary.
        let planarCount = guardFrameCount + RenderGrid.chunkFrameCount
        let (mixStorage, mixSamples) = makeSampleStorage(count: 4 * planarCount + 2 * RenderGrid.chunkFrameCount)
        self.mixStorage = mixStorage
        currentLeft = mixSamples
        currentRight = mixSamples + planarCount
        aheadLeft = mixSamples + 2 * planarCount
        aheadRight = mixSamples + 3 * planarCount
        output = mixSamples + 4 * planarCount
        seekRampFrameCount = Int64(Self.seekRampDuration * rate)

        for oscillator in 0..<ToneBed.oscillatorCount {
            let phase = random.next(in: 0...(2 * .pi))
            padOscillators[oscillator].set(
                amplitude: 1, phase: phase, radiansPerFrame: 2 * .pi * bedControl.frequenciesHertz[oscillator] / rate)
        }
        // The read-ahead fills its ring before the first chunk is mixed.
        mixFeed?.start()
        mixFeed?.waitForFrames(.max, timeoutSeconds: Self.mixInStartTimeoutSeconds)
        prime(atFrame: 0)
        position = 0
    }

    deinit {
        mixFeed?.cancel()
    }

    /// A noise table's K-weighted power, 0 without one.
    private static func weightedPower(of table: borrowing NoiseTable?) -> Double {
        switch table {
        case .some(let table): table.weightedPower
        case .none: 0
        }
    }

    /// How much closer the near ear is in each-side steps, in dB.
    static let leanDecibels = 3.5
    /// How much quieter each step's prompt is than the one before, in dB, and how far under the
    /// first the last step's prompt and the closing words sit.
    static let stepFallDecibels = 0.3
    static let lastStepFallDecibels = 2.0

    /// The left and right gains of a voice or chime in a step done on `side`: the near channel
    /// `leanDecibels` louder, the power of the two together unchanged.
    static func leanGains(_ side: Side?, isEnabled: Bool) -> (left: Float, right: Float) {
        guard isEnabled, let side else { return (1, 1) }
        let ratio = decibelsToGain(leanDecibels)
        let far = (2 / (1 + ratio * ratio)).squareRoot()
        let near = far * ratio
        return side == .left ? (Float(near), Float(far)) : (Float(far), Float(near))
    }

    /// The gain of the prompts of step `stepIndex`, in dB: a little quieter step by step, the last
    /// step (and the closing words in it) `lastStepFallDecibels` under the first.
    static func towardSleepDecibels(stepIndex: Int, stepCount: Int) -> Double {
        if stepIndex >= stepCount - 1 && stepCount > 1 { return -lastStepFallDecibels }
        return -min(stepFallDecibels * Double(stepIndex), lastStepFallDecibels)
    }

    // MARK: Rendering

    @_noAllocation
    public func render(into buffer: UnsafeMutablePointer<Float>, frameCount: Int) -> Int {
        let chunk = RenderGrid.chunkFrameCount
        var written = 0
        // Not `written < frameCount && position < totalFrames`: the right side of `&&` is a
        // closure that holds `self`, and `@_noAllocation` counts its end as a release.
        while written < frameCount {
            guard position < totalFrames else { break }
            if position >= outputChunkStart + Int64(chunk) {
                produceOutputChunk()
            }
            let offset = Int(position - outputChunkStart)
            let available = min(min(chunk - offset, frameCount - written), Int(totalFrames - position))
            copySamples(output + offset * 2, to: buffer + written * 2, count: available * 2)
            written += available
            position += Int64(available)
        }
        return written
    }

    /// Moves playback to `frame` (clamped to the session), for a live skip. Call it between blocks.
    ///
    /// The sound restarts there as it would have been at that frame: the bed at its level and chord,
    /// a cue that starts on that frame sounds from its first sample. Chimes that were still ringing
    /// from earlier are dropped (a hold reminder rings on), so the first few milliseconds are
    /// ramped up from silence.
    ///
    /// The user's own sound does not jump: it runs on from where it was, as a background sound should.
    @_noAllocation
    public func seek(toFrame frame: Int64) {
        let target = min(max(frame, 0), totalFrames)
        let chunkStart = target - target % Int64(RenderGrid.chunkFrameCount)
        // Pad phases after a seek are fresh but still a function of the seed and the frame.
        var random = SeededRandom(seed: seed ^ UInt64(bitPattern: chunkStart) &* 0x2545_F491_4F6C_DD1D)
        bedControl = bed.control(atFrame: chunkStart)
        for index in 0..<padOscillatorCount {
            padOscillators[index].set(
                amplitude: 1, phase: random.next(in: 0...(2 * .pi)),
                radiansPerFrame: 2 * .pi * bedControl.frequenciesHertz[index] / Double(sampleRate))
        }
        strikes.seek(fromChunk: nextMixStart, toChunk: chunkStart)
        nextStrikeEvent = schedule.firstEvent(atOrAfter: chunkStart)
        voice.seek(toFrame: chunkStart, publishedCount: publishedVoiceSlotCount, nextClip: &nextVoiceClip)
        position = target
        seekRampFramesDone = 0
        // The sound restarts from silence, so the volume can take its new value at once.
        volumeGain = volumeTarget
        volumeChunksLeft = 0
        prime(atFrame: target)
    }

    /// Sets the listener's volume, in dB; it moves there over `volumeRampDuration`, before the
    /// limiter, so that no volume can push a peak past the ceiling. Call it between blocks.
    @_noAllocation
    public func setVolume(decibels: Double) {
        volumeTarget = Float(decibelsToGain(decibels))
        volumeChunksLeft = volumeRampChunks
        volumeStep = (volumeTarget - volumeGain) / Float(volumeRampChunks)
    }

    /// Strikes the soft hold reminder at the next chunk; it rings on through seeks. Call it
    /// between blocks.
    @_noAllocation
    public func ringHoldReminder() {
        isHoldReminderPending = true
    }

    /// How many voice slots are published, read on the render path.
    private var publishedVoiceSlotCount: Int {
        speechSpansForRendering._withUnsafeGuaranteedRef { $0.count }
    }

    /// Mixes the chunk holding `frame` and the one after it, and makes the first output chunk.
    @_noAllocation
    private func prime(atFrame frame: Int64) {
        let chunkStart = frame - frame % Int64(RenderGrid.chunkFrameCount)
        let count = guardFrameCount + RenderGrid.chunkFrameCount
        clearSamples(currentLeft, count: count)
        clearSamples(currentRight, count: count)
        clearSamples(aheadLeft, count: count)
        clearSamples(aheadRight, count: count)
        limiter.reset()
        bedControl = bed.control(atFrame: chunkStart)
        // Mix the chunk that will be output first into the "ahead" slot, then advance once.
        nextMixStart = chunkStart
        mixNextChunk()
        outputChunkStart = chunkStart - Int64(RenderGrid.chunkFrameCount)
        produceOutputChunk()
    }

    /// Makes the next output chunk: mixes a new lookahead chunk, then limits and fades the one before it.
    @_noAllocation
    private func produceOutputChunk() {
        swap(&currentLeft, &aheadLeft)
        swap(&currentRight, &aheadRight)
        limiter.advance()
        mixNextChunk()
        outputChunkStart += Int64(RenderGrid.chunkFrameCount)
        limiter.limitAndInterleave(
            left: currentLeft + guardFrameCount, right: currentRight + guardFrameCount, into: output)
        ending.apply(to: output, chunkStart: outputChunkStart)
        applySeekRamp()
    }

    /// Mixes the chunk at `nextMixStart` into the ahead buffers and measures its peaks.
    @_noAllocation
    private func mixNextChunk() {
        let chunk = RenderGrid.chunkFrameCount
        let guardCount = guardFrameCount
        // The new chunk's guard holds the tail of the chunk before it.
        copySamples(currentLeft + chunk, to: aheadLeft, count: guardCount)
        copySamples(currentRight + chunk, to: aheadRight, count: guardCount)
        let left = aheadLeft + guardCount
        let right = aheadRight + guardCount
        clearSamples(left, count: chunk)
        clearSamples(right, count: chunk)
        let chunkStart = nextMixStart
        let nextControl = bed.control(atFrame: chunkStart + Int64(chunk))
        if !isBedMuted {
            renderPad(left: left, right: right, next: nextControl)
            renderNoise(left: left, right: right, chunkStart: chunkStart, next: nextControl)
        }
        let rate = Double(sampleRate)
        for index in 0..<padOscillatorCount {
            padOscillators[index].retune(
                radiansPerFrame: 2 * .pi * nextControl.frequenciesHertz[index] / rate, amplitude: 1)
        }
        bedControl = nextControl
        renderMixIn(chunkStart: chunkStart, left: left, right: right)
        renderStrikes(chunkStart: chunkStart, left: left, right: right)
        if !isVoiceMuted {
            voice.render(
                chunkStart: chunkStart, left: left, right: right, publishedCount: publishedVoiceSlotCount,
                nextClip: &nextVoiceClip)
        }
        applyVolume(left: left, right: right)
        limiter.measureAhead(left: left, right: right)
        nextMixStart += Int64(chunk)
        mixedEndFrameAtomic.store(nextMixStart, ordering: .releasing)
    }

    /// The pad's oscillators that sound in this chunk, two at a time. Outside a chord change only
    /// one slot of each voice sounds, so the silent ones are skipped (their phase is free: it is
    /// fresh after every seek, and nothing hears it); an odd one out is paired with a silent one.
    @_noAllocation
    private func renderPad(left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>, next: ToneBed.Control)
    {
        let startAmplitudes = SIMD8<Float>(bedControl.amplitudes) * masterGain
        let endAmplitudes = SIMD8<Float>(next.amplitudes) * masterGain
        let second = Float(bedControl.secondHarmonic)
        let third = Float(bedControl.thirdHarmonic)
        let leftLanes = UnsafeMutableRawPointer(left).assumingMemoryBound(to: Lanes.self)
        let rightLanes = UnsafeMutableRawPointer(right).assumingMemoryBound(to: Lanes.self)
        var waiting = -1
        var silent = -1
        for index in 0..<padOscillatorCount {
            guard startAmplitudes[index] != 0 || endAmplitudes[index] != 0 else {
                if silent < 0 { silent = index }
                continue
            }
            if waiting < 0 {
                waiting = index
                continue
            }
            renderPadPair(
                waiting, index, left: leftLanes, right: rightLanes, startAmplitudes: startAmplitudes,
                endAmplitudes: endAmplitudes, secondHarmonic: second, thirdHarmonic: third)
            waiting = -1
        }
        if waiting >= 0 {
            // Eight oscillators and an odd number sounding: at least one is silent.
            renderPadPair(
                waiting, silent, left: leftLanes, right: rightLanes, startAmplitudes: startAmplitudes,
                endAmplitudes: endAmplitudes, secondHarmonic: second, thirdHarmonic: third)
        }
    }

    @_noAllocation
    private func renderPadPair(
        _ first: Int, _ second: Int, left: UnsafeMutablePointer<Lanes>, right: UnsafeMutablePointer<Lanes>,
        startAmplitudes: SIMD8<Float>, endAmplitudes: SIMD8<Float>, secondHarmonic: Float, thirdHarmonic: Float
    ) {
        renderPadVoices(
            &padOscillators[first], &padOscillators[second], left: left, right: right,
            startAmplitudes: SIMD2(startAmplitudes[first], startAmplitudes[second]),
            endAmplitudes: SIMD2(endAmplitudes[first], endAmplitudes[second]), secondHarmonic: secondHarmonic,
            thirdHarmonic: thirdHarmonic, leftGains: SIMD2(padLeftGains[first], padLeftGains[second]),
            rightGains: SIMD2(padRightGains[first], padRightGains[second]), ramp: padLaneRamp,
            vectorCount: padVectorCount)
    }

    @_noAllocation
    private func renderNoise(
        left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>, chunkStart: Int64, next: ToneBed.Control
    ) {
        // Borrowed where they are: `if let` would copy the tables out of the renderer.
        switch brightNoise {
        case .some(let bright):
            switch darkNoise {
            case .some(let dark):
                renderNoise(
                    left: left, right: right, chunkStart: chunkStart, next: next, bright: bright, dark: dark)
            case .none: return
            }
        case .none: return
        }
    }

    private func renderNoise(
        left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>, chunkStart: Int64, next: ToneBed.Control,
        bright: borrowing NoiseTable, dark: borrowing NoiseTable
    ) {
        let brightLeft = Int(chunkStart % Int64(bright.frameCount))
        let brightRight = Int((chunkStart + Int64(bright.frameCount / 2)) % Int64(bright.frameCount))
        let darkLeft = Int(chunkStart % Int64(dark.frameCount))
        let darkRight = Int((chunkStart + Int64(dark.frameCount / 2)) % Int64(dark.frameCount))
        renderNoiseLayer(
            left: left, right: right, bright: bright.samples, brightLeft: brightLeft, brightRight: brightRight,
            dark: dark.samples, darkLeft: darkLeft, darkRight: darkRight,
            brightGains: (Float(bedControl.brightNoiseGain) * masterGain, Float(next.brightNoiseGain) * masterGain),
            darkGains: (Float(bedControl.darkNoiseGain) * masterGain, Float(next.darkNoiseGain) * masterGain),
            ramp: padLaneRamp, vectorCount: padVectorCount)
    }

    /// The user's own file, copied out of the read-ahead's ring with the bed's envelope, the
    /// master gain and, in a sleep tail, the tail's even fall. The gains are control-rate
    /// arithmetic, once a chunk; the copy itself (`MixInFeed.take`) is checked `@_noAllocation`.
    @_noAllocation
    private func renderMixIn(chunkStart: Int64, left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>) {
        guard let mixFeedForRendering else { return }
        let chunkEnd = chunkStart + Int64(RenderGrid.chunkFrameCount)
        let gain = mixBaseGain * Double(masterGain)
        let startGain = gain * bed.levelEnvelope(atFrame: chunkStart) * ending.uncorrectedTailGain(atFrame: chunkStart)
        let endGain = gain * bed.levelEnvelope(atFrame: chunkEnd) * ending.uncorrectedTailGain(atFrame: chunkEnd)
        mixFeedForRendering._withUnsafeGuaranteedRef {
            $0.take(
                into: left, right, frameCount: RenderGrid.chunkFrameCount, startGain: Float(startGain),
                endGain: Float(endGain))
        }
    }

    /// Waits, at most `timeoutSeconds`, until the read-ahead has made the frames that rendering
    /// `frameCount` more frames takes (the chunks up to them and the limiter's lookahead).
    public func waitUntilReady(toRender frameCount: Int, timeoutSeconds: Double) {
        mixFeed?.waitForFrames(frameCount + 2 * RenderGrid.chunkFrameCount, timeoutSeconds: timeoutSeconds)
    }

    /// The frames of the user's own sound that rendering wanted before the read-ahead made them.
    var mixInUnderrunFrameCount: Int { mixFeed?.underrunFrameCount ?? 0 }

    @_noAllocation
    private func renderStrikes(chunkStart: Int64, left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>)
    {
        let chunkEnd = chunkStart + Int64(RenderGrid.chunkFrameCount)
        let gain = Double(masterGain)
        // Not a condition joined by `&&`: its right side is a closure that holds `self` (see `render`).
        while nextStrikeEvent < schedule.eventCount {
            let event = schedule.events[nextStrikeEvent]
            guard event.frame < chunkEnd else { break }
            nextStrikeEvent += 1
            if event.frame >= chunkStart {
                strikes.start(
                    schedule.sounds[event.soundIndex], soundIndex: event.soundIndex, atFrame: event.frame,
                    chunkStart: chunkStart, gain: gain, leftGain: event.leftGain, rightGain: event.rightGain,
                    isLive: false)
            }
        }
        if isHoldReminderPending {
            isHoldReminderPending = false
            let index = schedule.holdReminderSoundIndex
            strikes.start(
                schedule.sounds[index], soundIndex: index, atFrame: chunkStart, chunkStart: chunkStart, gain: gain,
                leftGain: 1, rightGain: 1, isLive: true)
        }
        strikes.render(chunkStart: chunkStart, sounds: schedule.sounds, left: left, right: right)
    }

    @_noAllocation
    private func applyVolume(left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>) {
        let start = volumeGain
        if volumeChunksLeft > 0 {
            volumeChunksLeft -= 1
            volumeGain = volumeChunksLeft == 0 ? volumeTarget : volumeGain + volumeStep
        }
        // Read into a local first: `||` would hold `self` in a closure (see `render`).
        let end = volumeGain
        guard start != 1 || end != 1 else { return }
        scaleWithRamp(
            left: left, right: right, startGain: start, endGain: end, count: RenderGrid.chunkFrameCount)
    }

    /// The short ramp up from silence after a seek.
    @_noAllocation
    private func applySeekRamp() {
        guard seekRampFramesDone < seekRampFrameCount else { return }
        for index in 0..<RenderGrid.chunkFrameCount {
            let frame = outputChunkStart + Int64(index)
            guard frame >= position, seekRampFramesDone < seekRampFrameCount else { continue }
            let gain = Float(Double(seekRampFramesDone) / Double(seekRampFrameCount))
            output[index * 2] *= gain
            output[index * 2 + 1] *= gain
            seekRampFramesDone += 1
        }
    }
}
