import Foundation

/// Predicts the session's integrated loudness before a sample is rendered, so that one master
/// gain can be set up front and play and export sound the same.
///
/// Rendering the session twice would halve export speed. Instead the plan builds the per-100 ms
/// K-weighted energies that libebur128 would see, layer by layer, and gates them the same way:
/// - the pad from its control values (each partial a sinusoid of known amplitude, weighted by the
///   K filter's gain at its frequency) and the noise from its tables' measured K-weighted power;
/// - chimes and pulses in closed form (each partial's envelope is a sum of exponentials);
/// - voice clips from their lengths, since each is brought to one speech level.
/// Layers are independent in phase and frequency, so their energies add over a 400 ms block.
/// The tests check the prediction against libebur128 on the rendered output.
struct LoudnessPlan {
    let subblockFrameCount: Int
    /// Per-100 ms mean-square energy summed over both channels, before the master gain.
    var energies: [Double]

    init(totalFrames: Int64, sampleRate: Int) {
        subblockFrameCount = max(1, Int((Double(sampleRate) / 10).rounded()))
        energies = [Double](repeating: 0, count: Int(totalFrames / Int64(subblockFrameCount)))
    }

    /// The integrated loudness the energies give at `gainDecibels` of master gain.
    func loudnessLUFS(gainDecibels: Double) -> Double {
        energies.withUnsafeBufferPointer {
            integratedLoudnessLUFS(subblockEnergies: $0, gain: decibelsToGain(gainDecibels))
        }
    }

    /// The master gain that brings the energies to `targetLUFS`; the second pass puts the
    /// absolute -70 LUFS gate where it falls after the gain.
    func masterGainDecibels(forTargetLUFS targetLUFS: Double) -> Double {
        let unscaled = loudnessLUFS(gainDecibels: 0)
        guard unscaled.isFinite else { return 0 }
        var gain = targetLUFS - unscaled
        let scaled = loudnessLUFS(gainDecibels: gain)
        if scaled.isFinite { gain += targetLUFS - scaled }
        return gain
    }
}

/// Builds a session's loudness plan, layer by layer: the one place that models how much energy
/// each part of the mix puts where.
struct LoudnessPlanBuilder: ~Copyable {
    let weights: KWeightingTable
    let ending: SessionEnding
    private(set) var plan: LoudnessPlan

    /// A plan over the steps only: a sleep tail, falling to silence, would only pull the gain up.
    init(stepsEndFrame: Int64, sampleRate: Int, ending: consuming SessionEnding) {
        weights = KWeightingTable(sampleRate: sampleRate)
        self.ending = ending
        plan = LoudnessPlan(totalFrames: stepsEndFrame, sampleRate: sampleRate)
    }

    private var length: Int { plan.subblockFrameCount }

    /// The end's gain squared at `frame`.
    private func fadePower(atFrame frame: Int64) -> Double {
        let gain = ending.gain(atFrame: frame)
        return gain * gain
    }

    /// The pad and noise, from the bed's control values at two points of each 100 ms.
    mutating func addBed(_ bed: borrowing ToneBed, brightNoisePower: Double, darkNoisePower: Double) {
        for block in plan.energies.indices {
            var sum = 0.0
            for point in [1, 3] {
                let frame = Int64(block * length + point * length / 4)
                sum +=
                    bed.weightedEnergy(
                        bed.control(atFrame: frame), weights: weights, brightNoisePower: brightNoisePower,
                        darkNoisePower: darkNoisePower) * fadePower(atFrame: frame)
            }
            plan.energies[block] += sum / 2
        }
    }

    /// Chimes and pulses, in closed form.
    mutating func addStrikes(_ schedule: borrowing StrikeSchedule) {
        var partialWeights: [SIMD4<Double>] = []
        for sound in schedule.sounds {
            var gains = SIMD4<Double>()
            for index in 0..<sound.partialCount {
                gains[index] = weights.powerGain(frequencyHertz: sound.frequenciesHertz[index])
            }
            partialWeights.append(gains)
        }
        for eventIndex in 0..<schedule.eventCount {
            let event = schedule.events[eventIndex]
            let sound = schedule.sounds[event.soundIndex]
            let pan = Double(event.leftGain * event.leftGain + event.rightGain * event.rightGain)
            var block = Int(event.frame) / length
            while block < plan.energies.count {
                let blockStart = Int64(block * length)
                let from = Double(max(blockStart, event.frame) - event.frame)
                let to = Double(blockStart + Int64(length) - event.frame)
                if from > Double(sound.lengthFrames) { break }
                let energy = sound.weightedEnergy(
                    fromFrame: from, toFrame: to, weights: partialWeights[event.soundIndex])
                plan.energies[block] +=
                    pan * energy / Double(length) * fadePower(atFrame: blockStart + Int64(length / 2))
                block += 1
            }
        }
    }

    /// The user's own file: its stream brought to a known K-weighted mean square (`energy`, both
    /// channels summed), times its gain, at two points of each 100 ms.
    mutating func addMixIn(energy: Double, gain: (Int64) -> Double) {
        for block in plan.energies.indices {
            var sum = 0.0
            for point in [1, 3] {
                let frame = Int64(block * length + point * length / 4)
                let level = gain(frame)
                sum += energy * level * level * fadePower(atFrame: frame)
            }
            plan.energies[block] += sum / 2
        }
    }

    /// Voice clips from their places and lengths alone: every clip has been brought to the same
    /// K-weighted mean square, `clipEnergy` per channel, so its energy is that over its frames.
    mutating func addVoice(
        clips: [(startFrame: Int64, frameCount: Int64, gainDecibels: Double, pan: Double)], clipEnergy: Double
    ) {
        for clip in clips where clip.frameCount > 0 {
            let gain = decibelsToGain(clip.gainDecibels)
            let energy = clipEnergy * gain * gain * clip.pan
            let end = clip.startFrame + clip.frameCount
            var block = Int(clip.startFrame) / length
            while block < plan.energies.count && Int64(block * length) < end {
                let blockStart = Int64(block * length)
                let covered = min(end, blockStart + Int64(length)) - max(clip.startFrame, blockStart)
                plan.energies[block] +=
                    energy * Double(covered) / Double(length) * fadePower(atFrame: blockStart + Int64(length / 2))
                block += 1
            }
        }
    }
}

/// K-weighted power gain looked up by frequency, so the plan need not evaluate the filter per partial.
struct KWeightingTable {
    let gains: [Double]
    let lowestLog2Hertz = 3.0
    let stepsPerOctave = 96.0

    init(sampleRate: Int) {
        let filter = KWeighting(sampleRate: sampleRate)
        let highestLog2Hertz = log2(Double(sampleRate) / 2)
        let count = Int(((highestLog2Hertz - lowestLog2Hertz) * stepsPerOctave).rounded(.up)) + 2
        gains = (0..<count).map { step in
            let hertz = exp2(3.0 + Double(step) / 96.0)
            return filter.powerGain(frequencyHertz: min(hertz, Double(sampleRate) / 2 * 0.999), sampleRate: sampleRate)
        }
    }

    func powerGain(frequencyHertz: Double) -> Double {
        let position = (log2(max(frequencyHertz, 8)) - lowestLog2Hertz) * stepsPerOctave
        let index = min(Int(position), gains.count - 2)
        let fraction = min(position - Double(index), 1)
        return gains[index] + (gains[index + 1] - gains[index]) * fraction
    }
}
