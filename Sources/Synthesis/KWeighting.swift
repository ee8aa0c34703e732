import Foundation

/// The K-weighting filter of ITU-R BS.1770 (a high shelf and a high-pass), designed for any rate
/// with the same formulas libebur128 uses, so that energies computed here match its measurement.
struct KWeighting {
    let shelfB: (Double, Double, Double)
    let shelfA: (Double, Double)
    let highPassB: (Double, Double, Double) = (1, -2, 1)
    let highPassA: (Double, Double)

    init(sampleRate: Int) {
        let rate = Double(sampleRate)
        var f0 = 1681.974450955533
        let gainDecibels = 3.999843853973347
        var q = 0.7071752369554196
        var k = tan(Double.pi * f0 / rate)
        let vh = pow(10.0, gainDecibels / 20.0)
        let vb = pow(vh, 0.4996667741545416)
        let a0 = 1.0 + k / q + k * k
        shelfB = ((vh + vb * k / q + k * k) / a0, 2.0 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0)
        shelfA = (2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0)
        f0 = 38.13547087602444
        q = 0.5003270373238773
        k = tan(Double.pi * f0 / rate)
        let highPassA0 = 1.0 + k / q + k * k
        highPassA = (2.0 * (k * k - 1.0) / highPassA0, (1.0 - k / q + k * k) / highPassA0)
    }

    /// The filter's power gain |H|² for a sinusoid of `frequencyHertz`.
    func powerGain(frequencyHertz: Double, sampleRate: Int) -> Double {
        let omega = 2 * Double.pi * frequencyHertz / Double(sampleRate)
        func section(_ b: (Double, Double, Double), _ a: (Double, Double)) -> Double {
            let c1 = cos(omega), s1 = -sin(omega), c2 = cos(2 * omega), s2 = -sin(2 * omega)
            let nr = b.0 + b.1 * c1 + b.2 * c2, ni = b.1 * s1 + b.2 * s2
            let dr = 1 + a.0 * c1 + a.1 * c2, di = a.0 * s1 + a.1 * s2
            return (nr * nr + ni * ni) / (dr * dr + di * di)
        }
        return section(shelfB, shelfA) * section(highPassB, highPassA)
    }

    /// Filters `count` samples and hands each filtered sample's square to `body` with its index.
    func forEachWeightedSquare(of samples: UnsafePointer<Float>, count: Int, _ body: (Int, Double) -> Void) {
        forEachWeightedSquare(count: count, sample: { samples[$0] }, body)
    }

    /// Filters the `count` samples that `sample` gives for indices 0..<count, in order.
    func forEachWeightedSquare(count: Int, sample: (Int) -> Float, _ body: (Int, Double) -> Void) {
        var x1 = 0.0, x2 = 0.0, y1 = 0.0, y2 = 0.0, z1 = 0.0, z2 = 0.0
        for index in 0..<count {
            let x = Double(sample(index))
            let y = shelfB.0 * x + shelfB.1 * x1 + shelfB.2 * x2 - shelfA.0 * y1 - shelfA.1 * y2
            x2 = x1
            x1 = x
            let z = y - 2 * y1 + y2 - highPassA.0 * z1 - highPassA.1 * z2
            y2 = y1
            y1 = y
            z2 = z1
            z1 = z
            body(index, z * z)
        }
    }

    /// The mean K-weighted power of `samples`.
    func meanPower(of samples: UnsafePointer<Float>, count: Int) -> Double {
        var sum = 0.0
        forEachWeightedSquare(of: samples, count: count) { _, square in sum += square }
        return count > 0 ? sum / Double(count) : 0
    }
}

/// Gated integrated loudness after BS.1770-4 from per-100 ms mean-square energies (summed over
/// channels), the way libebur128 forms its 400 ms blocks with 75 % overlap.
func integratedLoudnessLUFS(subblockEnergies energies: UnsafeBufferPointer<Double>, gain: Double = 1) -> Double {
    let blockCount = energies.count - 3
    guard blockCount > 0 else { return -.infinity }
    let absoluteGateEnergy = pow(10, (-70 + 0.691) / 10)
    var sum = 0.0
    var count = 0
    var window = energies[0] + energies[1] + energies[2]
    var blocks = [Double](repeating: 0, count: blockCount)
    for block in 0..<blockCount {
        window += energies[block + 3]
        let energy = window / 4 * gain * gain
        window -= energies[block]
        blocks[block] = energy
        if energy >= absoluteGateEnergy {
            sum += energy
            count += 1
        }
    }
    guard count > 0 else { return -.infinity }
    let relativeGateEnergy = sum / Double(count) * pow(10, -10.0 / 10)
    var gatedSum = 0.0
    var gatedCount = 0
    for energy in blocks where energy >= absoluteGateEnergy && energy >= relativeGateEnergy {
        gatedSum += energy
        gatedCount += 1
    }
    guard gatedCount > 0 else { return -.infinity }
    return -0.691 + 10 * log10(gatedSum / Double(gatedCount))
}
