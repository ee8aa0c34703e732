import Foundation

/// Predicts the session's integrated loudness before a sample is rendered, so that one master
/// gain can be set up front and play and export sound the same.
///
/// Rendering the session twice would halve export speed. Instead the plan builds the per-100 ms
/// K-weighted energies that libebur128 would see, layer by layer, and gates them the same way:
/// - the pad from its control values (each partial a sinusoid of known amplitude, weighted by the
///   K filter's gain at its frequency) and the noise from its tables' measured K-weighted power;
/// - chimes and pulses in closed form (each partial's envelope is a sum of exponentials);
/// - voice clips exactly, filtered sample by sample.
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
