import Foundation

/// Eight consecutive samples, the unit every inner loop works in.
typealias Lanes = SIMD8<Float>

/// Frames per `Lanes`.
var laneCount: Int {
    @_noAllocation get { 8 }
}

/// A sinusoid (or decaying sinusoid) made by complex rotation, eight consecutive samples at a time.
///
/// Lane `k` holds `z · w^k` for the current eight frames; one step multiplies every lane by `w^8`.
/// That is four multiplies and two adds per eight samples, with no `sin()` in the render path.
/// Set-up (`set`, `retune`) uses `cos`/`sin` in Double; it runs at control rate, not per sample.
struct RotationOscillator {
    var real = Lanes(repeating: 0)
    var imaginary = Lanes(repeating: 0)
    var stepReal: Float = 1
    var stepImaginary: Float = 0

    /// Starts so that lane `k` holds `amplitude · decay^(k - laneOffset) · e^{i(phase + (k - laneOffset)·ω)}`.
    ///
    /// `laneOffset` puts the oscillator's frame 0 inside the first group of eight, for sounds that
    /// start on a frame that is not a multiple of eight.
    @_noAllocation
    mutating func set(
        amplitude: Double, phase: Double, radiansPerFrame omega: Double, decayPerFrame decay: Double = 1,
        laneOffset: Int = 0
    ) {
        for lane in 0..<laneCount {
            let n = Double(lane - laneOffset)
            let magnitude = amplitude * power(decay, n)
            real[lane] = Float(magnitude * cosine(phase + n * omega))
            imaginary[lane] = Float(magnitude * sine(phase + n * omega))
        }
        setStep(radiansPerFrame: omega, decayPerFrame: decay)
    }

    /// Changes the frequency from here on, keeping lane 0's phase, and corrects the magnitude of an
    /// undamped oscillator back to `amplitude` so that rounding never drifts it.
    @_noAllocation
    mutating func retune(radiansPerFrame omega: Double, amplitude: Double) {
        let re = Double(real[0]), im = Double(imaginary[0])
        let magnitude = squareRoot(re * re + im * im)
        let scale = magnitude > 0 ? amplitude / magnitude : 0
        let startReal = re * scale, startImaginary = im * scale
        let c = cosine(omega), s = sine(omega)
        var powerReal = 1.0, powerImaginary = 0.0
        for lane in 0..<laneCount {
            real[lane] = Float(startReal * powerReal - startImaginary * powerImaginary)
            imaginary[lane] = Float(startReal * powerImaginary + startImaginary * powerReal)
            (powerReal, powerImaginary) = (powerReal * c - powerImaginary * s, powerReal * s + powerImaginary * c)
        }
        stepReal = Float(powerReal)
        stepImaginary = Float(powerImaginary)
    }

    @_noAllocation
    private mutating func setStep(radiansPerFrame omega: Double, decayPerFrame decay: Double) {
        let magnitude = power(decay, Double(laneCount))
        stepReal = Float(magnitude * cosine(Double(laneCount) * omega))
        stepImaginary = Float(magnitude * sine(Double(laneCount) * omega))
    }

    /// Moves on by eight frames.
    @inline(__always)
    mutating func advance() {
        let nextReal = real * stepReal - imaginary * stepImaginary
        imaginary = real * stepImaginary + imaginary * stepReal
        real = nextReal
    }
}

/// `x·x·(3 - 2x)` for x in 0...1: a ramp that starts and ends with zero slope.
@inline(__always) @_noAllocation
func smoothstep(_ x: Double) -> Double {
    let t = min(max(x, 0), 1)
    return t * t * (3 - 2 * t)
}

@inline(__always) @_noAllocation
func decibelsToGain(_ decibels: Double) -> Double { power(10, decibels / 20) }

// libm's functions neither allocate nor lock, but the compiler cannot see into them, so
// `@_noAllocation` would refuse every control-rate call; these wrappers vouch for them. The
// wrappers carry the attribute themselves so that a render function in another file may call them
// in a debug build, which compiles file by file and sees only the callee's attribute.

@inline(__always) @_noAllocation func power(_ x: Double, _ y: Double) -> Double { _unsafePerformance { pow(x, y) } }
@inline(__always) @_noAllocation func exponential(_ x: Double) -> Double { _unsafePerformance { exp(x) } }
@inline(__always) @_noAllocation func exponential2(_ x: Double) -> Double { _unsafePerformance { exp2(x) } }
@inline(__always) @_noAllocation func naturalLogarithm(_ x: Double) -> Double { _unsafePerformance { log(x) } }
@inline(__always) @_noAllocation func cosine(_ x: Double) -> Double { _unsafePerformance { cos(x) } }
@inline(__always) @_noAllocation func squareRoot(_ x: Double) -> Double { _unsafePerformance { x.squareRoot() } }
@inline(__always) @_noAllocation func sine(_ x: Double) -> Double { _unsafePerformance { sin(x) } }
