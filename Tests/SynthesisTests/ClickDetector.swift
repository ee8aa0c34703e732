import Foundation

/// Finds clicks the way PortAudio's loopback pop detector does: take away the music and look at
/// what is left. A notch at the mains-free band is not needed here; the music of a session lies
/// below about 4 kHz, so a steep high-pass (two cascaded second-order Butterworth sections at
/// 9 kHz) leaves only what a discontinuity spreads across the spectrum. The residual is scaled by
/// the filter's instant response to a step, so a click reads as the size of the step that made it.
struct ClickDetector {
    let sampleRate: Int
    let cutoffHertz = 9000.0

    /// The high-passed residual of a mono signal.
    func residual(_ samples: [Float]) -> [Float] {
        let omega = 2 * Double.pi * cutoffHertz / Double(sampleRate)
        let cosine = _cos(omega), alpha = _sin(omega) / (2 * 0.7071067811865476)
        let a0 = 1 + alpha
        let b0 = (1 + cosine) / 2 / a0, b1 = -(1 + cosine) / a0, b2 = (1 + cosine) / 2 / a0
        let a1 = -2 * cosine / a0, a2 = (1 - alpha) / a0
        var output = samples.map(Double.init)
        for _ in 0..<2 {
            var x1 = 0.0, x2 = 0.0, y1 = 0.0, y2 = 0.0
            for index in output.indices {
                let x = output[index]
                let y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
                x2 = x1; x1 = x; y2 = y1; y1 = y
                output[index] = y
            }
        }
        let stepResponse = b0 * b0
        return output.map { Float($0 / stepResponse) }
    }

    /// The largest residual in `range` of frames.
    func largestClick(in samples: [Float], range: Range<Int>) -> Float {
        let part = residual(samples)
        return part[range.clamped(to: part.indices)].map { abs($0) }.max() ?? 0
    }
}

private func _cos(_ x: Double) -> Double { cos(x) }
private func _sin(_ x: Double) -> Double { sin(x) }
