import Foundation

/// The power spectrum of `samples` (Hann-windowed, averaged over half-overlapping frames of
/// `size`, a power of two): power per bin, bin k at k × rate / size Hz.
func powerSpectrum(_ samples: [Float], size: Int) -> [Double] {
    precondition(size > 0 && size & (size - 1) == 0, "the FFT size must be a power of two")
    var sum = [Double](repeating: 0, count: size / 2)
    var frames = 0
    let window = (0..<size).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(size)) }
    var start = 0
    while start + size <= samples.count {
        var real = (0..<size).map { Double(samples[start + $0]) * window[$0] }
        var imaginary = [Double](repeating: 0, count: size)
        fft(&real, &imaginary)
        for bin in 0..<(size / 2) { sum[bin] += real[bin] * real[bin] + imaginary[bin] * imaginary[bin] }
        frames += 1
        start += size / 2
    }
    return sum.map { $0 / Double(max(frames, 1)) }
}

/// An in-place iterative radix-2 FFT.
func fft(_ real: inout [Double], _ imaginary: inout [Double]) {
    let count = real.count
    var j = 0
    for i in 1..<count {
        var bit = count >> 1
        while j & bit != 0 {
            j ^= bit
            bit >>= 1
        }
        j |= bit
        if i < j {
            real.swapAt(i, j)
            imaginary.swapAt(i, j)
        }
    }
    var length = 2
    while length <= count {
        let angle = -2 * Double.pi / Double(length)
        for start in stride(from: 0, to: count, by: length) {
            for k in 0..<(length / 2) {
                let wr = cos(angle * Double(k)), wi = sin(angle * Double(k))
                let a = start + k, b = start + k + length / 2
                let tr = real[b] * wr - imaginary[b] * wi
                let ti = real[b] * wi + imaginary[b] * wr
                real[b] = real[a] - tr
                imaginary[b] = imaginary[a] - ti
                real[a] += tr
                imaginary[a] += ti
            }
        }
        length <<= 1
    }
}

/// The peaks of a power spectrum: bins higher than their four neighbours each side and within
/// `rangeDecibels` of the highest, as (frequency, power in dB), with the frequency refined by
/// parabolic interpolation.
func spectralPeaks(_ spectrum: [Double], sampleRate: Int, size: Int, rangeDecibels: Double) -> [(
    hertz: Double, decibels: Double
)] {
    let top = spectrum.max() ?? 0
    var peaks: [(Double, Double)] = []
    for bin in 4..<(spectrum.count - 4) where spectrum[bin] > top * pow(10, -rangeDecibels / 10) {
        let neighbours = ((bin - 4)...(bin + 4)).filter { $0 != bin }
        guard neighbours.allSatisfy({ spectrum[$0] < spectrum[bin] }) else { continue }
        let a = 10 * log10(spectrum[bin - 1]), b = 10 * log10(spectrum[bin]), c = 10 * log10(spectrum[bin + 1])
        let offset = 0.5 * (a - c) / (a - 2 * b + c)
        let hertz: Double = (Double(bin) + offset) * Double(sampleRate) / Double(size)
        let decibels: Double = 10 * log10(spectrum[bin])
        peaks.append((hertz, decibels))
    }
    return peaks.map { (hertz: $0.0, decibels: $0.1) }
}

/// How far `hertz` lies from the nearest note of the major scale on `keySemitonesAboveC`, in cents.
func centsFromKey(_ hertz: Double, keySemitonesAboveC: Int) -> Double {
    let major = [0, 2, 4, 5, 7, 9, 11]
    let semitonesAboveC = 12 * log2(hertz / 261.6255653005986)
    var best = Double.infinity
    for octave in -5...6 {
        for degree in major {
            let note = Double(octave * 12 + keySemitonesAboveC + degree)
            best = min(best, abs(semitonesAboveC - note) * 100)
        }
    }
    return best
}

/// Runs `samples` through a second-order section given as (b0, b1, b2, a1, a2).
func filtered(_ samples: [Float], _ c: (Double, Double, Double, Double, Double)) -> [Float] {
    var x1 = 0.0, x2 = 0.0, y1 = 0.0, y2 = 0.0
    return samples.map { sample in
        let x = Double(sample)
        let y = c.0 * x + c.1 * x1 + c.2 * x2 - c.3 * y1 - c.4 * y2
        (x2, x1, y2, y1) = (x1, x, y1, y)
        return Float(y)
    }
}

/// A Butterworth high-pass of order 4 at `hertz`: a phone speaker's small driver, as two sections.
func phoneSpeaker(_ samples: [Float], hertz: Double = 400, sampleRate: Int) -> [Float] {
    var output = samples
    for q in [0.5411961001461969, 1.3065629648763766] {
        let omega = 2 * Double.pi * hertz / Double(sampleRate)
        let alpha = sin(omega) / (2 * q), c = cos(omega), a0 = 1 + alpha
        output = filtered(output, ((1 + c) / 2 / a0, -(1 + c) / a0, (1 + c) / 2 / a0, -2 * c / a0, (1 - alpha) / a0))
    }
    return output
}

/// A stand-in for a spoken sentence: a voiced buzz at 140-190 Hz through two formants, in
/// syllables of 180-260 ms with short gaps, some louder than others, seeded so it never changes.
func speechLikeClip(seconds: Double, sampleRate: Int = 48000, seed: UInt64 = 1) -> [Float] {
    var state = seed &+ 0x9E37_79B9_7F4A_7C15
    func random() -> Double {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(state >> 11) * 0x1.0p-53
    }
    let count = Int(seconds * Double(sampleRate))
    var samples = [Float](repeating: 0, count: count)
    var frame = Int(0.05 * Double(sampleRate))
    var phase = 0.0
    while frame < count - sampleRate / 10 {
        let length = Int((0.18 + 0.08 * random()) * Double(sampleRate))
        let gap = Int((0.04 + 0.08 * random()) * Double(sampleRate))
        let level = 0.15 * (0.6 + 0.8 * random())
        let pitch = 140 + 50 * random()
        for index in 0..<min(length, count - frame) {
            let t = Double(index) / Double(length)
            let envelope = sin(Double.pi * t)
            phase += 2 * Double.pi * pitch / Double(sampleRate)
            var value = 0.0
            for harmonic in 1...12 {
                let hertz = pitch * Double(harmonic)
                // Two formants, at 500 Hz and 1500 Hz.
                let formant = exp(-pow((hertz - 500) / 300, 2)) + 0.5 * exp(-pow((hertz - 1500) / 500, 2)) + 0.05
                value += formant * sin(phase * Double(harmonic)) / Double(harmonic)
            }
            samples[frame + index] = Float(level * envelope * value)
        }
        frame += length + gap
    }
    return samples
}
