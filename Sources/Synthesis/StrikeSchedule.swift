import Foundation
import Sequencer

/// The fixed grid every control value, the limiter and the fades work on: chunks of
/// `chunkFrameCount` frames at absolute positions 0, 512, 1024, …
///
/// Computed properties rather than stored ones, so that reading them on the audio thread never
/// touches a lazily initialised global; checked, so that render functions in other files may read
/// them in a debug build, which compiles file by file.
enum RenderGrid {
    static var chunkFrameCount: Int {
        @_noAllocation get { 512 }
    }
    static var vectorsPerChunk: Int {
        @_noAllocation get { 64 }
    }
}

/// A single strike scheduled at an exact frame.
struct StrikeEvent {
    var frame: Int64
    /// Index into the schedule's sounds.
    var soundIndex: Int
    /// The strike's gains into the left and right channel (both 1 for a centred strike).
    var leftGain: Float = 1
    var rightGain: Float = 1
}

/// A strike's partials at one pitch, ready to start. Plain values only (at most four partials in
/// SIMD lanes), so that copying one on the audio thread never touches the heap.
struct StrikeSound {
    static var maximumPartialCount: Int { 4 }
    var partialCount: Int
    var radiansPerFrame: SIMD4<Double>
    var amplitudes: SIMD4<Double>
    var decayPerFrame: SIMD4<Double>
    var timeConstantFrames: SIMD4<Double>
    var frequenciesHertz: SIMD4<Double>
    var attackPerFrame: Double
    var attackTimeConstantFrames: Double
    /// After this many frames the attack term is below 1e-15 and is dropped.
    var attackFrameCount: Int64
    /// After this many frames the strike is below -120 dB and its voice is freed.
    var lengthFrames: Int64

    init(chime: Chime, strike: ChimeStrike, keySemitonesAboveC: Int, sampleRate: Int) {
        let rate = Double(sampleRate)
        // The root in octave 4: C4 = 261.63 Hz.
        let baseHertz =
            261.6255653005986
            * pow(2, (Double(keySemitonesAboveC) + chime.baseSemitones + strike.semitonesAboveBase) / 12)
        let longestTimeConstant = chime.partialDecaySeconds / Chime.timeConstantsPerDecay
        partialCount = min(chime.partials.count, Self.maximumPartialCount)
        radiansPerFrame = SIMD4()
        amplitudes = SIMD4()
        decayPerFrame = SIMD4(repeating: 1)
        timeConstantFrames = SIMD4(repeating: 1)
        frequenciesHertz = SIMD4()
        for index in 0..<partialCount {
            let partial = chime.partials[index]
            let hertz = baseHertz * partial.frequencyRatio
            let frames = longestTimeConstant * partial.decayFraction * rate
            radiansPerFrame[index] = 2 * .pi * hertz / rate
            amplitudes[index] = chime.level * strike.gain * partial.relativeAmplitude
            decayPerFrame[index] = exp(-1 / frames)
            timeConstantFrames[index] = frames
            frequenciesHertz[index] = hertz
        }
        attackTimeConstantFrames = chime.attackTimeConstantSeconds * rate
        attackPerFrame = exp(-1 / attackTimeConstantFrames)
        attackFrameCount = Int64((35 * attackTimeConstantFrames).rounded(.up))
        lengthFrames = Int64((longestTimeConstant * rate * 14).rounded(.up))
    }

    /// The strike's K-weighted energy (summed over partials, per channel) between `startFrame`
    /// and `endFrame` after its onset, in amplitude² × frames; `weights` are the K filter's power
    /// gains at the partials' frequencies.
    func weightedEnergy(fromFrame startFrame: Double, toFrame endFrame: Double, weights: SIMD4<Double>) -> Double {
        // a(t)² = A²(e^{-2t/τ} - 2e^{-t(1/τ+1/τa)} + e^{-2t/τa}); a sinusoid's mean square is half that.
        func integral(_ rate: Double) -> Double { (exp(-rate * startFrame) - exp(-rate * endFrame)) / rate }
        var sum = 0.0
        let attackRate = 1 / attackTimeConstantFrames
        for index in 0..<partialCount {
            let decayRate = 1 / timeConstantFrames[index]
            let envelope = integral(2 * decayRate) - 2 * integral(decayRate + attackRate) + integral(2 * attackRate)
            sum += amplitudes[index] * amplitudes[index] / 2 * envelope * weights[index]
        }
        return sum
    }
}

/// Every strike of a session at its exact frame: each step's chime, the bells inside steps, the
/// closing chime and the tempo pulses, with the distinct sounds they use. Built once before
/// rendering.
///
/// Noncopyable, so that the renderer reads it in place: a copy would retain its storage, and the
/// copy's end would be a release on the render path.
struct StrikeSchedule: ~Copyable {
    /// Pulses start this long into a step with a tempo and stop this long before its end.
    static let pulseLeadDuration = 3.0
    static let pulseTailDuration = 1.5

    /// Owns the memory of `sounds` and `events`.
    private let soundStorage: ManagedBuffer<Void, StrikeSound>
    private let eventStorage: ManagedBuffer<Void, StrikeEvent>
    let sounds: UnsafeMutableBufferPointer<StrikeSound>
    /// Sorted by frame.
    let events: UnsafeMutableBufferPointer<StrikeEvent>
    /// The number of scheduled strikes (`events` holds one sentinel when there are none).
    let eventCount: Int
    /// Where the hold reminder's sound sits in `sounds`.
    let holdReminderSoundIndex: Int

    /// - Parameters:
    ///   - cueOffsetFrames: how long after its step's first frame each cue strikes (the start
    ///     chime comes after the bed has faded in).
    ///   - sessionEndFrame: where the closing chime strikes.
    ///   - bells: the bells inside steps that ring (`CueKind.stepBell`).
    ///   - lean: the left and right gains of a strike in a step done on `side`.
    init(
        timeline: SessionTimeline, startChimeFrame: Int64, sessionEndFrame: Int64, bells: [CueEvent] = [],
        lean: (Side?) -> (left: Float, right: Float)
    ) {
        let rate = Double(timeline.sampleRate)
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
        func schedule(_ chime: Chime, at frame: Int64, side: Side?) {
            let gains = lean(side)
            for strike in chime.strikes {
                let onset = frame + Int64((strike.delaySeconds * rate).rounded())
                // Nothing strikes in a sleep tail: chimes may only ring on into it.
                if onset < timeline.stepsEndFrame {
                    events.append(
                        StrikeEvent(
                            frame: onset, soundIndex: soundIndex(chime, strike), leftGain: gains.left,
                            rightGain: gains.right))
                }
            }
        }
        for (index, step) in timeline.steps.enumerated() {
            schedule(
                Chime.chime(for: step.cue), at: index == 0 ? startChimeFrame : step.startFrame,
                side: step.isSideSwitch ? nil : step.side)
            if let tempo = step.tempoPerMinute, tempo > 0 {
                let period = 60 / tempo
                var pulse = 0
                while true {
                    let seconds = Self.pulseLeadDuration + Double(pulse) * period
                    let frame = step.startFrame + Int64((seconds * rate).rounded())
                    if frame > step.endFrame - Int64(Self.pulseTailDuration * rate) { break }
                    schedule(Chime.tempoPulse, at: frame, side: nil)
                    pulse += 1
                }
            }
        }
        for bell in bells {
            let step = bell.stepIndex.map { timeline.steps[$0] }
            schedule(Chime.chime(for: .stepBell), at: bell.frame, side: step?.isSideSwitch == false ? step?.side : nil)
        }
        schedule(Chime.chime(for: .sessionEnd), at: sessionEndFrame, side: nil)
        holdReminderSoundIndex = soundIndex(Chime.holdReminder, Chime.holdReminder.strikes[0])
        events.sort { $0.frame < $1.frame }
        eventCount = events.count
        if events.isEmpty { events.append(StrikeEvent(frame: .max, soundIndex: 0)) }
        (soundStorage, self.sounds) = makeRenderStorage(copying: sounds)
        (eventStorage, self.events) = makeRenderStorage(copying: events)
    }

    /// The first event at or after `frame`.
    @_noAllocation
    func firstEvent(atOrAfter frame: Int64) -> Int {
        var low = 0
        var high = eventCount
        while low < high {
            let middle = (low + high) / 2
            if events[middle].frame >= frame { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

/// The strikes sounding now: a fixed set of voices, each a strike's partials as pairs of rotating
/// oscillators (the decay and the attack), rendered into a left and a right bus.
///
/// The session and a chime rendered alone (for tests and for the hold reminder) both go through
/// this one piece of code. Noncopyable: its one owner changes it in place.
struct StrikeBank: ~Copyable {
    static var voiceCount: Int { 24 }

    struct Voice {
        var isActive = false
        /// A strike started live (the hold reminder) rather than from the schedule: a seek keeps it
        /// ringing.
        var isLive = false
        var soundIndex = 0
        var onsetFrame: Int64 = 0
        var leftGain: Float = 1
        var rightGain: Float = 1
    }

    /// Own the memory the pointers below point into.
    private let voiceStorage: ManagedBuffer<Void, Voice>
    private let oscillatorStorage: ManagedBuffer<Void, RotationOscillator>
    private let monoStorage: ManagedBuffer<Void, Lanes>
    private let maskStorage: ManagedBuffer<Void, Lanes>
    private let voices: UnsafeMutablePointer<Voice>
    private let oscillators: UnsafeMutablePointer<RotationOscillator>
    /// One voice's partials before they are panned.
    private let mono: UnsafeMutablePointer<Float>
    private let masks: UnsafeMutablePointer<Lanes>

    init() {
        (voiceStorage, voices) = makeRenderStorage(count: Self.voiceCount, repeating: Voice())
        (oscillatorStorage, oscillators) = makeRenderStorage(
            count: Self.voiceCount * StrikeSound.maximumPartialCount * 2, repeating: RotationOscillator())
        (monoStorage, mono) = makeSampleStorage(count: RenderGrid.chunkFrameCount)
        (maskStorage, masks) = makeRenderStorage(count: 8, repeating: Lanes())
        for first in 0..<8 {
            var mask = Lanes()
            for lane in 0..<8 { mask[lane] = lane >= first ? 1 : 0 }
            masks[first] = mask
        }
    }

    /// Silences every scheduled strike; live ones ring on from where they were, moved to
    /// `newChunkStart` as if no time had been skipped.
    @_noAllocation
    mutating func seek(fromChunk oldChunkStart: Int64, toChunk newChunkStart: Int64) {
        for index in 0..<Self.voiceCount where voices[index].isActive {
            if voices[index].isLive {
                voices[index].onsetFrame += newChunkStart - oldChunkStart
            } else {
                voices[index].isActive = false
            }
        }
    }

    /// Starts `sound` at `frame`, inside the chunk starting at `chunkStart`, scaled by `gain`.
    @_noAllocation
    mutating func start(
        _ sound: StrikeSound, soundIndex: Int, atFrame frame: Int64, chunkStart: Int64, gain: Double, leftGain: Float,
        rightGain: Float, isLive: Bool
    ) {
        var slot = -1
        for index in 0..<Self.voiceCount where !voices[index].isActive {
            slot = index
            break
        }
        if slot < 0 {
            // Every voice busy (a pathological schedule): take the oldest, by then the quietest.
            slot = 0
            for index in 0..<Self.voiceCount where voices[index].onsetFrame < voices[slot].onsetFrame {
                slot = index
            }
        }
        voices[slot] = Voice(
            isActive: true, isLive: isLive, soundIndex: soundIndex, onsetFrame: frame, leftGain: leftGain,
            rightGain: rightGain)
        let laneOffset = Int(frame - chunkStart) % 8
        let partials = oscillators + slot * StrikeSound.maximumPartialCount * 2
        for index in 0..<sound.partialCount {
            let amplitude = sound.amplitudes[index] * gain
            partials[index * 2].set(
                amplitude: amplitude, phase: 0, radiansPerFrame: sound.radiansPerFrame[index],
                decayPerFrame: sound.decayPerFrame[index], laneOffset: laneOffset)
            partials[index * 2 + 1].set(
                amplitude: amplitude, phase: 0, radiansPerFrame: sound.radiansPerFrame[index],
                decayPerFrame: sound.attackPerFrame, laneOffset: laneOffset)
        }
    }

    /// Adds every sounding strike to the chunk starting at `chunkStart`.
    @_noAllocation
    mutating func render(
        chunkStart: Int64, sounds: UnsafeMutableBufferPointer<StrikeSound>, left: UnsafeMutablePointer<Float>,
        right: UnsafeMutablePointer<Float>
    ) {
        let chunkEnd = chunkStart + Int64(RenderGrid.chunkFrameCount)
        let monoLanes = UnsafeMutableRawPointer(mono).assumingMemoryBound(to: Lanes.self)
        for index in 0..<Self.voiceCount where voices[index].isActive {
            let voice = voices[index]
            let sound = sounds[voice.soundIndex]
            let offset = voice.onsetFrame - chunkStart
            let firstVector = offset > 0 ? Int(offset) / 8 : 0
            let laneOffset = offset > 0 ? Int(offset) % 8 : 0
            let isOnsetChunk = offset >= 0
            let hasAttack = chunkStart - voice.onsetFrame < sound.attackFrameCount
            let partials = oscillators + index * StrikeSound.maximumPartialCount * 2
            let masked = isOnsetChunk ? laneOffset : 0
            clearSamples(mono, count: RenderGrid.chunkFrameCount)
            for partial in 0..<sound.partialCount {
                renderStrikePartial(
                    decaying: &partials[partial * 2], attack: &partials[partial * 2 + 1], hasAttack: hasAttack,
                    into: monoLanes, firstVector: firstVector, maskedLanes: masked, mask: masks[masked],
                    vectorCount: RenderGrid.vectorsPerChunk)
            }
            addPanned(
                mono, left: left, right: right, leftGain: voice.leftGain, rightGain: voice.rightGain,
                count: RenderGrid.chunkFrameCount)
            if chunkEnd - voice.onsetFrame >= sound.lengthFrames { voices[index].isActive = false }
        }
    }
}

extension Chime {
    /// This chime alone, mono, struck at frame 0 and rendered by the session's own strike code.
    public func render(keySemitonesAboveC: Int, sampleRate: Int, frameCount: Int) -> [Float] {
        let chunk = RenderGrid.chunkFrameCount
        let chunkCount = (frameCount + chunk - 1) / chunk
        var samples = [Float](repeating: 0, count: chunkCount * chunk)
        var sounds = strikes.map {
            StrikeSound(chime: self, strike: $0, keySemitonesAboveC: keySemitonesAboveC, sampleRate: sampleRate)
        }
        let onsets = strikes.map { Int64(($0.delaySeconds * Double(sampleRate)).rounded()) }
        var bank = StrikeBank()
        var scratch = [Float](repeating: 0, count: chunk)
        for chunkIndex in 0..<chunkCount {
            let chunkStart = Int64(chunkIndex * chunk)
            for (index, onset) in onsets.enumerated() where onset >= chunkStart && onset < chunkStart + Int64(chunk) {
                bank.start(
                    sounds[index], soundIndex: index, atFrame: onset, chunkStart: chunkStart, gain: 1, leftGain: 1,
                    rightGain: 0, isLive: false)
            }
            // Mono: the left bus is the chime, the right one is discarded.
            for index in scratch.indices { scratch[index] = 0 }
            samples.withUnsafeMutableBufferPointer { buffer in
                sounds.withUnsafeMutableBufferPointer { sounds in
                    scratch.withUnsafeMutableBufferPointer { scratch in
                        bank.render(
                            chunkStart: chunkStart, sounds: sounds, left: buffer.baseAddress! + chunkIndex * chunk,
                            right: scratch.baseAddress!)
                    }
                }
            }
        }
        return Array(samples.prefix(frameCount))
    }
}
