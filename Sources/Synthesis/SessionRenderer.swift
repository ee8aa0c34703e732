import Foundation
public import Sequencer

/// Renders a whole session (tone bed, chimes, tempo pulse, voice, master) sample-exactly.
///
/// Everything that allocates happens in `init`: noise tables, voice buffers, the strike schedule,
/// the loudness plan that fixes the master gain, the scratch buffers. `render(into:frameCount:)`
/// only does arithmetic on them.
///
/// The renderer works internally in chunks of `chunkFrameCount` frames at fixed absolute
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

    /// The fixed grid control values and the limiter work on.
    static var chunkFrameCount: Int { 512 }
    static var vectorsPerChunk: Int { chunkFrameCount / laneCount }
    /// The limiter's peak-detection resolution and its lookahead (in sub-blocks).
    static let limiterSubblockFrameCount = 32
    static let subblocksPerChunk = chunkFrameCount / limiterSubblockFrameCount
    static let limiterAttackSubblocks = 8
    static let limiterReleaseDuration = 0.4
    /// Margin below the ceiling for the error of the interpolated peak estimate, in dB.
    static let limiterMarginDecibels = 0.5
    static var fadeOutDuration: Double { SessionEnding.fadeOutDuration }
    static let seekRampDuration = 0.01
    static let maximumStrikeVoices = 24
    /// Voice sits this far above the bed's undimmed loudness; under ducking it is 8 dB more.
    static let voiceAboveBedDecibels = 7.0
    /// Pulses start this long into a step with a tempo and stop this long before its end.
    static let pulseLeadDuration = 3.0
    static let pulseTailDuration = 1.5

    private let settings: RenderSettings
    private let bed: ToneBed
    private let ending: SessionEnding
    private let masterGain: Float

    // Tone bed state.
    private var padOscillators: UnsafeMutablePointer<RotationOscillator>
    private var bedControl: ToneBed.Control
    private let padLeftGains: SIMD4<Float>
    private let padRightGains: SIMD4<Float>
    private let brightNoise: NoiseTable?
    private let darkNoise: NoiseTable?

    // Strikes: chimes and pulses.
    private let strikeSounds: [StrikeSound]
    private let strikeEvents: [StrikeEvent]
    private var nextStrikeEvent = 0
    private var strikeVoices: [StrikeVoice]
    private let strikeOscillators: UnsafeMutablePointer<RotationOscillator>

    // Voice clips, scaled and laid end to end.
    private let voiceSamples: UnsafeMutablePointer<Float>
    private let voiceClips: [(startFrame: Int64, offset: Int, count: Int)]
    private var nextVoiceClip = 0

    // Mix buffers: planar, each with `guardFrameCount` frames in front holding the previous
    // chunk's tail for the limiter's interpolated peaks.
    private static let guardFrameCount = 8
    private var currentLeft: UnsafeMutablePointer<Float>
    private var currentRight: UnsafeMutablePointer<Float>
    private var aheadLeft: UnsafeMutablePointer<Float>
    private var aheadRight: UnsafeMutablePointer<Float>
    private let center: UnsafeMutablePointer<Float>
    private let output: UnsafeMutablePointer<Float>
    /// The absolute frame of the chunk in `output`, and of the chunk mixed next (the lookahead).
    private var outputChunkStart: Int64 = 0
    private var nextMixStart: Int64 = 0

    // Limiter: required gains of the sub-blocks (index 0: the last sub-block before the current
    // chunk, 1…16 the current chunk, 17…32 the chunk ahead), and the gain where the current chunk starts.
    private let requiredGains: UnsafeMutablePointer<Float>
    /// The limiter's gain at each sub-block boundary of the current chunk.
    private let boundaryGains: UnsafeMutablePointer<Float>
    private var limiterGain: Float = 1
    private let limiterCeiling: Float
    private let limiterReleaseStep: Float
    private var seekRampFramesDone: Int64 = .max
    private let seekRampFrameCount: Int64

    struct StrikeVoice {
        var isActive = false
        var soundIndex = 0
        var onsetFrame: Int64 = 0
    }

    /// Prepares a session for rendering: validates the settings and clips, builds every table,
    /// and fixes the master gain from the loudness plan (or the settings' fixed gain).
    public init(timeline: SessionTimeline, settings: RenderSettings = RenderSettings(), voiceClips: [VoiceClip] = [])
        throws(SynthesisError)
    {
        try settings.validate()
        guard timeline.totalFrames > 0 else { throw SynthesisError("the session has no frames to render") }
        for (index, clip) in voiceClips.enumerated() {
            guard clip.startFrame >= 0 && clip.startFrame < timeline.totalFrames else {
                throw SynthesisError(
                    "voice clip \(index + 1) starts at frame \(clip.startFrame), outside the session's "
                        + "0..<\(timeline.totalFrames) frames")
            }
            guard clip.samples.allSatisfy({ $0.isFinite }) else {
                throw SynthesisError("voice clip \(index + 1) holds samples that are not finite numbers")
            }
        }
        self.settings = settings
        channelCount = RenderSettings.channelCount
        sampleRate = timeline.sampleRate
        totalFrames = timeline.totalFrames
        let rate = Double(sampleRate)
        var random = SeededRandom(seed: settings.seed)

        // The end: one long fade, with the closing chime at its start; or a sleep tail after the
        // steps, with the chime as long before their end.
        let ending = SessionEnding(timeline: timeline, gridFrameCount: Self.chunkFrameCount)
        self.ending = ending
        stepsEndFrame = timeline.stepsEndFrame
        fadeOutFrameCount = ending.finalFadeFrameCount
        let lastStep = timeline.steps[timeline.steps.count - 1]
        sessionEndChimeFrame = max(
            stepsEndFrame - ending.fadeOutFrameCount, lastStep.startFrame + (stepsEndFrame - lastStep.startFrame) / 2)

        let sortedClips = voiceClips.sorted { $0.startFrame < $1.startFrame }
        let ducking = Ducking(
            clips: sortedClips.map {
                ($0.startFrame, min($0.startFrame + Int64($0.samples.count), timeline.totalFrames))
            },
            sampleRate: sampleRate)
        bed = ToneBed(timeline: timeline, random: &random, ducking: ducking)
        if timeline.bed.noise != .none && !settings.isBedMuted {
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
        padLeftGains = SIMD4<Float>(bed.leftGains)
        padRightGains = SIMD4<Float>(bed.rightGains)

        // The strike schedule: each step's chime, the closing chime, and the pulses.
        var sounds: [StrikeSound] = []
        var soundIndexByKey: [String: Int] = [:]
        func soundIndex(_ chime: Chime, _ strike: ChimeStrike) -> Int {
            let key = "\(chime.name)/\(strike.semitonesAboveBase)/\(strike.gain)"
            if let index = soundIndexByKey[key] { return index }
            sounds.append(
                StrikeSound(
                    chime: chime, strike: strike, keySemitonesAboveC: timeline.bed.keySemitonesAboveC,
                    sampleRate: timeline.sampleRate))
            soundIndexByKey[key] = sounds.count - 1
            return sounds.count - 1
        }
        var events: [StrikeEvent] = []
        func schedule(_ chime: Chime, at frame: Int64) {
            for strike in chime.strikes {
                let onset = frame + Int64((strike.delaySeconds * rate).rounded())
                // Nothing strikes in a sleep tail: chimes may only ring on into it.
                if onset < timeline.stepsEndFrame {
                    events.append(StrikeEvent(frame: onset, soundIndex: soundIndex(chime, strike)))
                }
            }
        }
        for step in timeline.steps {
            schedule(Chime.chime(for: step.cue), at: step.startFrame)
            if let tempo = step.tempoPerMinute, tempo > 0 {
                let period = 60 / tempo
                var pulse = 0
                while true {
                    let seconds = Self.pulseLeadDuration + Double(pulse) * period
                    let frame = step.startFrame + Int64((seconds * rate).rounded())
                    if frame > step.endFrame - Int64(Self.pulseTailDuration * rate) { break }
                    schedule(Chime.tempoPulse, at: frame)
                    pulse += 1
                }
            }
        }
        schedule(Chime.chime(for: .sessionEnd), at: sessionEndChimeFrame)
        events.sort { $0.frame < $1.frame }
        strikeSounds = sounds
        strikeEvents = events

        // Voice clips: each brought to a fixed loudness above the bed, measured exactly. The plan
        // covers the steps only: a sleep tail, falling to silence, would only pull the gain up.
        var plan = LoudnessPlan(totalFrames: stepsEndFrame, sampleRate: sampleRate)
        let weightTable = KWeightingTable(sampleRate: sampleRate)
        let bedReferenceLUFS = Self.bedReferenceLoudness(
            bed: bed, weights: weightTable, bright: brightNoise, dark: darkNoise)
        let voiceTargetLUFS = bedReferenceLUFS + Self.voiceAboveBedDecibels
        let kWeighting = KWeighting(sampleRate: sampleRate)
        let totalVoiceSamples = sortedClips.reduce(0) { $0 + $1.samples.count }
        voiceSamples = .allocate(capacity: max(totalVoiceSamples, 1))
        var clipLayout: [(startFrame: Int64, offset: Int, count: Int)] = []
        var voiceEnergies: [[Double]] = []
        var clipGains: [Double] = []
        var offset = 0
        for clip in sortedClips {
            let usable = Int(min(Int64(clip.samples.count), totalFrames - clip.startFrame))
            let subblock = plan.subblockFrameCount
            let firstBlock = Int(clip.startFrame) / subblock
            let blockCount = (Int(clip.startFrame) + usable) / subblock - firstBlock + 1
            var energies = [Double](repeating: 0, count: blockCount)
            clip.samples.withUnsafeBufferPointer { samples in
                guard let base = samples.baseAddress, usable > 0 else { return }
                kWeighting.forEachWeightedSquare(of: base, count: usable) { index, square in
                    energies[(Int(clip.startFrame) + index) / subblock - firstBlock] += square
                }
            }
            let clipLUFS = energies.map { $0 / Double(subblock) }.withUnsafeBufferPointer {
                integratedLoudnessLUFS(subblockEnergies: $0)
            }
            // A centred mono voice counts once per channel.
            let clipLUFSStereo = clipLUFS + 10 * log10(2.0)
            let gain = clipLUFSStereo.isFinite ? min(decibelsToGain(voiceTargetLUFS - clipLUFSStereo), 100) : 1
            clipGains.append(gain)
            voiceEnergies.append(energies)
            clipLayout.append((clip.startFrame, offset, usable))
            offset += clip.samples.count
        }

        // The loudness plan, then the master gain.
        Self.addBedEnergies(
            to: &plan, bed: bed, weights: weightTable, bright: brightNoise, dark: darkNoise,
            isMuted: settings.isBedMuted, ending: ending)
        Self.addStrikeEnergies(to: &plan, events: events, sounds: sounds, weights: weightTable, ending: ending)
        for (index, clip) in clipLayout.enumerated() {
            let firstBlock = Int(clip.startFrame) / plan.subblockFrameCount
            for (block, energy) in voiceEnergies[index].enumerated() where firstBlock + block < plan.energies.count {
                let middle = Int64((firstBlock + block) * plan.subblockFrameCount + plan.subblockFrameCount / 2)
                let fade = ending.gain(atFrame: middle)
                plan.energies[firstBlock + block] +=
                    2 * energy / Double(plan.subblockFrameCount) * clipGains[index] * clipGains[index] * fade * fade
            }
        }
        unscaledLoudnessLUFS = plan.loudnessLUFS(gainDecibels: 0)
        masterGainDecibels =
            settings.fixedMasterGainDecibels ?? plan.masterGainDecibels(forTargetLUFS: settings.loudnessTargetLUFS)
        let master = decibelsToGain(masterGainDecibels)
        masterGain = Float(master)

        for (index, clip) in sortedClips.enumerated() {
            let gain = Float(clipGains[index] * master)
            for (sampleIndex, sample) in clip.samples.enumerated() {
                voiceSamples[clipLayout[index].offset + sampleIndex] = sample * gain
            }
        }
        self.voiceClips = clipLayout

        // Scratch, allocated once.
        padOscillators = .allocate(capacity: ToneBed.voiceCount)
        padOscillators.initialize(repeating: RotationOscillator(), count: ToneBed.voiceCount)
        bedControl = bed.control(atFrame: 0)
        strikeVoices = Array(repeating: StrikeVoice(), count: Self.maximumStrikeVoices)
        let strikeOscillatorCount = Self.maximumStrikeVoices * StrikeSound.maximumPartialCount * 2
        strikeOscillators = .allocate(capacity: strikeOscillatorCount)
        strikeOscillators.initialize(repeating: RotationOscillator(), count: strikeOscillatorCount)
        func makeBuffer(_ count: Int) -> UnsafeMutablePointer<Float> {
            let raw = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
            let buffer = raw.bindMemory(to: Float.self, capacity: count)
            buffer.initialize(repeating: 0, count: count)
            return buffer
        }
        let planarCount = Self.guardFrameCount + Self.chunkFrameCount
        currentLeft = makeBuffer(planarCount)
        currentRight = makeBuffer(planarCount)
        aheadLeft = makeBuffer(planarCount)
        aheadRight = makeBuffer(planarCount)
        center = makeBuffer(Self.chunkFrameCount)
        output = makeBuffer(Self.chunkFrameCount * 2)
        requiredGains = makeBuffer(1 + 2 * Self.subblocksPerChunk)
        boundaryGains = makeBuffer(1 + Self.subblocksPerChunk)
        limiterCeiling = Float(decibelsToGain(settings.truePeakCeilingDecibels - Self.limiterMarginDecibels))
        limiterReleaseStep = Float(Double(Self.limiterSubblockFrameCount) / (Self.limiterReleaseDuration * rate))
        seekRampFrameCount = Int64(Self.seekRampDuration * rate)

        for voice in 0..<ToneBed.voiceCount {
            let phase = random.next(in: 0...(2 * .pi))
            padOscillators[voice].set(
                amplitude: 1, phase: phase, radiansPerFrame: 2 * .pi * bedControl.frequenciesHertz[voice] / rate)
        }
        // Globals initialise lazily on first use; make that happen here, not on the audio thread.
        _ = laneRamp
        _ = laneMasks
        prime(atFrame: 0, isSeek: false)
    }

    deinit {
        padOscillators.deallocate()
        strikeOscillators.deallocate()
        voiceSamples.deallocate()
        for buffer in [currentLeft, currentRight, aheadLeft, aheadRight, center, output, requiredGains, boundaryGains] {
            UnsafeMutableRawPointer(buffer).deallocate()
        }
        brightNoise?.deallocate()
        darkNoise?.deallocate()
    }

    // MARK: Rendering

    public func render(into buffer: UnsafeMutablePointer<Float>, frameCount: Int) -> Int {
        var written = 0
        while written < frameCount && position < totalFrames {
            if position >= outputChunkStart + Int64(Self.chunkFrameCount) {
                produceOutputChunk()
            }
            let offset = Int(position - outputChunkStart)
            let available = min(
                Self.chunkFrameCount - offset, frameCount - written, Int(totalFrames - position))
            (buffer + written * 2).update(from: output + offset * 2, count: available * 2)
            written += available
            position += Int64(available)
        }
        return written
    }

    /// Moves playback to `frame` (clamped to the session), for a live skip. Call it between blocks.
    ///
    /// The sound restarts there as it would have been at that frame: the bed at its level and chord,
    /// a cue that starts on that frame sounds from its first sample. Chimes that were still ringing
    /// from earlier are dropped, so the first few milliseconds are ramped up from silence.
    public func seek(toFrame frame: Int64) {
        let target = min(max(frame, 0), totalFrames)
        let chunkStart = target - target % Int64(Self.chunkFrameCount)
        // Pad phases after a seek are fresh but still a function of the seed and the frame.
        var random = SeededRandom(seed: settings.seed ^ UInt64(bitPattern: chunkStart) &* 0x2545_F491_4F6C_DD1D)
        bedControl = bed.control(atFrame: chunkStart)
        for voice in 0..<ToneBed.voiceCount {
            padOscillators[voice].set(
                amplitude: 1, phase: random.next(in: 0...(2 * .pi)),
                radiansPerFrame: 2 * .pi * bedControl.frequenciesHertz[voice] / Double(sampleRate))
        }
        for index in strikeVoices.indices { strikeVoices[index].isActive = false }
        nextStrikeEvent = firstIndex(in: strikeEvents.count) { self.strikeEvents[$0].frame >= chunkStart }
        nextVoiceClip = 0
        position = target
        seekRampFramesDone = 0
        prime(atFrame: target, isSeek: true)
    }

    /// Mixes the chunk holding `frame` and the one after it, and makes the first output chunk.
    private func prime(atFrame frame: Int64, isSeek: Bool) {
        let chunkStart = frame - frame % Int64(Self.chunkFrameCount)
        for buffer in [currentLeft, currentRight, aheadLeft, aheadRight] {
            buffer.update(repeating: 0, count: Self.guardFrameCount + Self.chunkFrameCount)
        }
        limiterGain = 1
        requiredGains[0] = 1
        bedControl = bed.control(atFrame: chunkStart)
        // Mix the chunk that will be output first into the "ahead" slot, then advance once.
        nextMixStart = chunkStart
        mixNextChunk()
        outputChunkStart = chunkStart - Int64(Self.chunkFrameCount)
        produceOutputChunk()
        if !isSeek { position = 0 }
    }

    /// Makes the next output chunk: mixes a new lookahead chunk, then limits and fades the one before it.
    private func produceOutputChunk() {
        swap(&currentLeft, &aheadLeft)
        swap(&currentRight, &aheadRight)
        let subblocks = Self.subblocksPerChunk
        requiredGains[0] = requiredGains[subblocks]
        (requiredGains + 1).update(from: requiredGains + 1 + subblocks, count: subblocks)
        mixNextChunk()
        outputChunkStart += Int64(Self.chunkFrameCount)
        limitAndInterleave()
        applyFades()
    }

    /// Mixes the chunk at `nextMixStart` into the ahead buffers and measures its peaks.
    private func mixNextChunk() {
        let guardCount = Self.guardFrameCount
        // The new chunk's guard holds the tail of the chunk before it.
        (aheadLeft).update(from: currentLeft + Self.chunkFrameCount, count: guardCount)
        (aheadRight).update(from: currentRight + Self.chunkFrameCount, count: guardCount)
        let left = aheadLeft + guardCount
        let right = aheadRight + guardCount
        left.update(repeating: 0, count: Self.chunkFrameCount)
        right.update(repeating: 0, count: Self.chunkFrameCount)
        center.update(repeating: 0, count: Self.chunkFrameCount)
        let chunkStart = nextMixStart
        let nextControl = bed.control(atFrame: chunkStart + Int64(Self.chunkFrameCount))
        if !settings.isBedMuted {
            renderPad(left: left, right: right, next: nextControl)
            renderNoise(left: left, right: right, chunkStart: chunkStart, next: nextControl)
        }
        let rate = Double(sampleRate)
        for voice in 0..<ToneBed.voiceCount {
            padOscillators[voice].retune(
                radiansPerFrame: 2 * .pi * nextControl.frequenciesHertz[voice] / rate, amplitude: 1)
        }
        bedControl = nextControl
        renderStrikes(chunkStart: chunkStart)
        if !settings.isVoiceMuted { renderVoice(chunkStart: chunkStart) }
        addCenter(left: left, right: right)
        measurePeaks(left: left, right: right, into: requiredGains + 1 + Self.subblocksPerChunk)
        nextMixStart += Int64(Self.chunkFrameCount)
    }

    private func renderPad(left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>, next: ToneBed.Control)
    {
        let startAmplitudes = SIMD4<Float>(bedControl.amplitudes) * masterGain
        let endAmplitudes = SIMD4<Float>(next.amplitudes) * masterGain
        let second = Float(bedControl.secondHarmonic)
        let third = Float(bedControl.thirdHarmonic)
        let leftLanes = UnsafeMutableRawPointer(left).assumingMemoryBound(to: Lanes.self)
        let rightLanes = UnsafeMutableRawPointer(right).assumingMemoryBound(to: Lanes.self)
        for pair in stride(from: 0, to: ToneBed.voiceCount, by: 2) {
            renderPadVoices(
                &padOscillators[pair], &padOscillators[pair + 1], left: leftLanes, right: rightLanes,
                startAmplitudes: SIMD2(startAmplitudes[pair], startAmplitudes[pair + 1]),
                endAmplitudes: SIMD2(endAmplitudes[pair], endAmplitudes[pair + 1]), secondHarmonic: second,
                thirdHarmonic: third, leftGains: SIMD2(padLeftGains[pair], padLeftGains[pair + 1]),
                rightGains: SIMD2(padRightGains[pair], padRightGains[pair + 1]), ramp: laneRamp,
                vectorCount: Self.vectorsPerChunk)
        }
    }

    private func renderNoise(
        left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>, chunkStart: Int64, next: ToneBed.Control
    ) {
        guard let bright = brightNoise, let dark = darkNoise else { return }
        let brightLeft = Int(chunkStart % Int64(bright.frameCount))
        let brightRight = Int((chunkStart + Int64(bright.frameCount / 2)) % Int64(bright.frameCount))
        let darkLeft = Int(chunkStart % Int64(dark.frameCount))
        let darkRight = Int((chunkStart + Int64(dark.frameCount / 2)) % Int64(dark.frameCount))
        renderNoiseLayer(
            left: left, right: right, bright: bright.samples, brightLeft: brightLeft, brightRight: brightRight,
            dark: dark.samples, darkLeft: darkLeft, darkRight: darkRight,
            brightGains: (Float(bedControl.brightNoiseGain) * masterGain, Float(next.brightNoiseGain) * masterGain),
            darkGains: (Float(bedControl.darkNoiseGain) * masterGain, Float(next.darkNoiseGain) * masterGain),
            ramp: laneRamp, vectorCount: Self.vectorsPerChunk)
    }

    private func renderStrikes(chunkStart: Int64) {
        let chunkEnd = chunkStart + Int64(Self.chunkFrameCount)
        while nextStrikeEvent < strikeEvents.count && strikeEvents[nextStrikeEvent].frame < chunkEnd {
            let event = strikeEvents[nextStrikeEvent]
            nextStrikeEvent += 1
            if event.frame >= chunkStart { startStrike(event, chunkStart: chunkStart) }
        }
        let centerLanes = UnsafeMutableRawPointer(center).assumingMemoryBound(to: Lanes.self)
        for index in 0..<strikeVoices.count where strikeVoices[index].isActive {
            let voice = strikeVoices[index]
            let sound = strikeSounds[voice.soundIndex]
            let offset = voice.onsetFrame - chunkStart
            let firstVector = offset > 0 ? Int(offset) / laneCount : 0
            let laneOffset = offset > 0 ? Int(offset) % laneCount : 0
            let isOnsetChunk = offset >= 0
            let hasAttack = chunkStart - voice.onsetFrame < sound.attackFrameCount
            let oscillators = strikeOscillators + index * StrikeSound.maximumPartialCount * 2
            let masked = isOnsetChunk ? laneOffset : 0
            let mask = laneMasks[masked]
            for partial in 0..<sound.partials.count {
                renderStrikePartial(
                    decaying: &oscillators[partial * 2], attack: &oscillators[partial * 2 + 1], hasAttack: hasAttack,
                    into: centerLanes, firstVector: firstVector, maskedLanes: masked, mask: mask,
                    vectorCount: Self.vectorsPerChunk)
            }
            if chunkEnd - voice.onsetFrame >= sound.lengthFrames { strikeVoices[index].isActive = false }
        }
    }

    private func startStrike(_ event: StrikeEvent, chunkStart: Int64) {
        var slot = strikeVoices.firstIndex { !$0.isActive } ?? -1
        if slot < 0 {
            // Every voice busy (a pathological schedule): take the oldest, by then the quietest.
            slot = 0
            for index in strikeVoices.indices where strikeVoices[index].onsetFrame < strikeVoices[slot].onsetFrame {
                slot = index
            }
        }
        strikeVoices[slot] = StrikeVoice(isActive: true, soundIndex: event.soundIndex, onsetFrame: event.frame)
        let sound = strikeSounds[event.soundIndex]
        let laneOffset = Int(event.frame - chunkStart) % laneCount
        let oscillators = strikeOscillators + slot * StrikeSound.maximumPartialCount * 2
        for (index, partial) in sound.partials.enumerated() {
            let amplitude = partial.amplitude * Double(masterGain)
            oscillators[index * 2].set(
                amplitude: amplitude, phase: 0, radiansPerFrame: partial.radiansPerFrame,
                decayPerFrame: partial.decayPerFrame, laneOffset: laneOffset)
            oscillators[index * 2 + 1].set(
                amplitude: amplitude, phase: 0, radiansPerFrame: partial.radiansPerFrame,
                decayPerFrame: sound.attackPerFrame, laneOffset: laneOffset)
        }
    }

    private func renderVoice(chunkStart: Int64) {
        let chunkEnd = chunkStart + Int64(Self.chunkFrameCount)
        while nextVoiceClip < voiceClips.count
            && voiceClips[nextVoiceClip].startFrame + Int64(voiceClips[nextVoiceClip].count) <= chunkStart
        {
            nextVoiceClip += 1
        }
        var index = nextVoiceClip
        while index < voiceClips.count && voiceClips[index].startFrame < chunkEnd {
            let clip = voiceClips[index]
            let clipEnd = clip.startFrame + Int64(clip.count)
            let from = max(clip.startFrame, chunkStart)
            let to = min(clipEnd, chunkEnd)
            if from < to {
                let source = voiceSamples + clip.offset + Int(from - clip.startFrame)
                let destination = center + Int(from - chunkStart)
                addSamples(source, into: destination, count: Int(to - from))
            }
            index += 1
        }
    }

    private func addCenter(left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>) {
        let leftLanes = UnsafeMutableRawPointer(left).assumingMemoryBound(to: Lanes.self)
        let rightLanes = UnsafeMutableRawPointer(right).assumingMemoryBound(to: Lanes.self)
        let centerLanes = UnsafeMutableRawPointer(center).assumingMemoryBound(to: Lanes.self)
        addCenterLanes(centerLanes, left: leftLanes, right: rightLanes, count: Self.vectorsPerChunk)
    }

    /// The gain each limiter sub-block needs so that its (interpolated) peak stays under the ceiling.
    private func measurePeaks(
        left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>,
        into required: UnsafeMutablePointer<Float>
    ) {
        for subblock in 0..<Self.subblocksPerChunk {
            let start = subblock * Self.limiterSubblockFrameCount
            // Between samples a signal overshoots its samples by at most about 3 dB for content below
            // a quarter of the rate; only sub-blocks that could reach the ceiling need the finer estimate.
            let coarse = max(
                samplePeak(left + start, count: Self.limiterSubblockFrameCount),
                samplePeak(right + start, count: Self.limiterSubblockFrameCount))
            guard coarse * 1.5 > limiterCeiling else {
                required[subblock] = 1
                continue
            }
            let peak = max(
                interpolatedPeak(left + start, count: Self.limiterSubblockFrameCount),
                interpolatedPeak(right + start, count: Self.limiterSubblockFrameCount))
            required[subblock] = peak > limiterCeiling ? limiterCeiling / peak : 1
        }
    }

    /// Applies the limiter's gain to the current chunk and interleaves it into `output`.
    ///
    /// The gain at each sub-block boundary is the lowest of what the neighbouring sub-blocks need
    /// and of a ramp down towards any louder sub-block up to `limiterAttackSubblocks` ahead; it
    /// rises again slowly. Between boundaries it is interpolated per sample, so it never steps.
    private func limitAndInterleave() {
        let subblocks = Self.subblocksPerChunk
        let attack = Self.limiterAttackSubblocks
        let left = currentLeft + Self.guardFrameCount
        let right = currentRight + Self.guardFrameCount
        var previous = limiterGain
        var isUnity = previous == 1
        // Boundary j (1…16) of the current chunk sits between required[j] and required[j + 1].
        let boundary = boundaryGains
        do {
            boundary[0] = previous
            for j in 1...subblocks {
                var constraint = min(requiredGains[j], requiredGains[j + 1])
                for ahead in 1..<attack where j + 1 + ahead <= 2 * subblocks {
                    let needed = requiredGains[j + 1 + ahead]
                    constraint = min(constraint, needed + (1 - needed) * Float(ahead) / Float(attack))
                }
                let gain = min(constraint, previous + limiterReleaseStep, 1)
                boundary[j] = gain
                previous = gain
                if gain != 1 { isUnity = false }
            }
            if isUnity {
                interleave(left: left, right: right, into: output, count: Self.chunkFrameCount)
            } else {
                interleaveWithGain(
                    left: left, right: right, into: output, boundaryGains: boundary,
                    subblockCount: subblocks, subblockFrameCount: Self.limiterSubblockFrameCount)
            }
        }
        limiterGain = previous
    }

    /// The long fade at the end (to exact silence on the last frame), or the sleep tail's, and the
    /// short ramp after a seek.
    private func applyFades() {
        let chunkEnd = outputChunkStart + Int64(Self.chunkFrameCount)
        let fadeStart = totalFrames - fadeOutFrameCount
        if ending.hasSleepTail {
            if chunkEnd > stepsEndFrame { applySleepTailFade() }
        } else if chunkEnd > fadeStart {
            for index in 0..<Self.chunkFrameCount {
                let frame = outputChunkStart + Int64(index)
                guard frame >= fadeStart else { continue }
                let gain = Float(
                    Self.endFade(atFrame: frame, totalFrames: totalFrames, fadeOutFrameCount: fadeOutFrameCount))
                output[index * 2] *= gain
                output[index * 2 + 1] *= gain
            }
        }
        if seekRampFramesDone < seekRampFrameCount {
            for index in 0..<Self.chunkFrameCount {
                let frame = outputChunkStart + Int64(index)
                guard frame >= position, seekRampFramesDone < seekRampFrameCount else { continue }
                let gain = Float(Double(seekRampFramesDone) / Double(seekRampFrameCount))
                output[index * 2] *= gain
                output[index * 2 + 1] *= gain
                seekRampFramesDone += 1
            }
        }
    }

    /// The sleep tail's level over the current chunk: interpolated between its values at the
    /// chunk's ends, and exact zeros once both are zero.
    private func applySleepTailFade() {
        let (startGain, endGain) = ending.tailGridGains(atFrame: outputChunkStart)
        let firstIndex = Int(max(0, stepsEndFrame - outputChunkStart))
        if startGain == 0 && endGain == 0 {
            (output + firstIndex * 2).update(repeating: 0, count: (Self.chunkFrameCount - firstIndex) * 2)
            return
        }
        let slope = (endGain - startGain) / Double(Self.chunkFrameCount)
        for index in firstIndex..<Self.chunkFrameCount {
            let gain = Float(startGain + slope * Double(index))
            output[index * 2] *= gain
            output[index * 2 + 1] *= gain
        }
    }

    // MARK: Loudness plan

    static func endFade(atFrame frame: Int64, totalFrames: Int64, fadeOutFrameCount: Int64) -> Double {
        let remaining = totalFrames - 1 - frame
        guard remaining < fadeOutFrameCount else { return 1 }
        guard remaining > 0 else { return 0 }
        return smoothstep(Double(remaining) / Double(fadeOutFrameCount))
    }

    /// Mean-square energy (both channels) of the pad and noise for one control state.
    private static func bedEnergy(
        _ control: ToneBed.Control, bed: ToneBed, weights: KWeightingTable, bright: NoiseTable?, dark: NoiseTable?
    ) -> Double {
        var energy = 0.0
        for voice in 0..<ToneBed.voiceCount {
            let frequency = control.frequenciesHertz[voice]
            let amplitude = control.amplitudes[voice]
            let harmonics =
                weights.powerGain(frequencyHertz: frequency)
                + control.secondHarmonic * control.secondHarmonic * weights.powerGain(frequencyHertz: 2 * frequency)
                + control.thirdHarmonic * control.thirdHarmonic * weights.powerGain(frequencyHertz: 3 * frequency)
            let pan = bed.leftGains[voice] * bed.leftGains[voice] + bed.rightGains[voice] * bed.rightGains[voice]
            energy += amplitude * amplitude / 2 * harmonics * pan
        }
        if let bright, let dark {
            energy +=
                2
                * (control.brightNoiseGain * control.brightNoiseGain * bright.weightedPower
                    + control.darkNoiseGain * control.darkNoiseGain * dark.weightedPower)
        }
        return energy
    }

    /// The bed's loudness at full level (no fade, duck or darkening), the reference voices are set against.
    private static func bedReferenceLoudness(
        bed: ToneBed, weights: KWeightingTable, bright: NoiseTable?, dark: NoiseTable?
    ) -> Double {
        var control = bed.control(atFrame: 0)
        // The voices' swells average about 0.8 of their level.
        control.amplitudes = ToneBed.voiceLevels * 0.8
        let noise = bed.noiseGain
        control.brightNoiseGain = noise * 0.75.squareRoot()
        control.darkNoiseGain = noise * 0.25.squareRoot()
        return -0.691 + 10 * log10(bedEnergy(control, bed: bed, weights: weights, bright: bright, dark: dark))
    }

    private static func addBedEnergies(
        to plan: inout LoudnessPlan, bed: ToneBed, weights: KWeightingTable, bright: NoiseTable?, dark: NoiseTable?,
        isMuted: Bool, ending: SessionEnding
    ) {
        guard !isMuted else { return }
        let length = plan.subblockFrameCount
        for block in plan.energies.indices {
            var sum = 0.0
            for point in [1, 3] {
                let frame = Int64(block * length + point * length / 4)
                let fade = ending.gain(atFrame: frame)
                sum +=
                    bedEnergy(bed.control(atFrame: frame), bed: bed, weights: weights, bright: bright, dark: dark)
                    * fade * fade
            }
            plan.energies[block] += sum / 2
        }
    }

    private static func addStrikeEnergies(
        to plan: inout LoudnessPlan, events: [StrikeEvent], sounds: [StrikeSound], weights: KWeightingTable,
        ending: SessionEnding
    ) {
        let length = plan.subblockFrameCount
        let partialWeights = sounds.map { sound in
            sound.partials.map { weights.powerGain(frequencyHertz: $0.frequencyHertz) }
        }
        for event in events {
            let sound = sounds[event.soundIndex]
            var block = Int(event.frame) / length
            while block < plan.energies.count {
                let blockStart = Int64(block * length)
                let from = Double(max(blockStart, event.frame) - event.frame)
                let to = Double(blockStart + Int64(length) - event.frame)
                if from > Double(sound.lengthFrames) { break }
                let middle = blockStart + Int64(length / 2)
                let fade = ending.gain(atFrame: middle)
                let energy = sound.weightedEnergy(
                    fromFrame: from, toFrame: to, weights: partialWeights[event.soundIndex])
                plan.energies[block] += 2 * energy / Double(length) * fade * fade
                block += 1
            }
        }
    }
}

/// The first index in `0..<count` for which `isAfter` holds, for a predicate that is false then true.
func firstIndex(in count: Int, where isAfter: (Int) -> Bool) -> Int {
    var low = 0, high = count
    while low < high {
        let middle = (low + high) / 2
        if isAfter(middle) { high = middle } else { low = middle + 1 }
    }
    return low
}
