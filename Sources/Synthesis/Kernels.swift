/// 0, 1, …, 7: each lane's frame within its group of eight.
var laneRamp: Lanes { Lanes(0, 1, 2, 3, 4, 5, 6, 7) }

// The innermost render loops. Each is a free function over raw pointers so that the compiler can
// check `@_noAllocation` on it (no retain/release, no array growth, no heap) and vectorise it.
// The check runs in debug builds too, where nothing is inlined: so the loops take their counts as
// arguments and write the lane width as 8, rather than reading globals or static properties
// (whose lazy initialisation the checker counts as possible locking).

/// Two pad voices at once (for instruction-level parallelism): each a rotating unit phasor whose
/// powers give the 2nd and 3rd harmonics for free, `Im z² = 2·re·im` and `Im z³ = im·(3re² − im²)`,
/// so `im + h2·Im z² + h3·Im z³ = im·(1 + re·(2h2 + 3h3·re) − h3·im²)`. Each voice's amplitude is
/// ramped linearly across the chunk and panned into both channels.
@_noAllocation
func renderPadVoices(
    _ first: inout RotationOscillator, _ second: inout RotationOscillator, left: UnsafeMutablePointer<Lanes>,
    right: UnsafeMutablePointer<Lanes>, startAmplitudes: SIMD2<Float>, endAmplitudes: SIMD2<Float>,
    secondHarmonic: Float, thirdHarmonic: Float, leftGains: SIMD2<Float>, rightGains: SIMD2<Float>, ramp: Lanes,
    vectorCount vectors: Int
) {
    let steps = (endAmplitudes - startAmplitudes) / Float(vectors * 8)
    // Amplitude ramps with the pan gains folded in.
    var firstLeft = (Lanes(repeating: startAmplitudes[0]) + steps[0] * ramp) * leftGains[0]
    var firstRight = (Lanes(repeating: startAmplitudes[0]) + steps[0] * ramp) * rightGains[0]
    var secondLeft = (Lanes(repeating: startAmplitudes[1]) + steps[1] * ramp) * leftGains[1]
    var secondRight = (Lanes(repeating: startAmplitudes[1]) + steps[1] * ramp) * rightGains[1]
    let firstLeftStep = Lanes(repeating: steps[0] * 8 * leftGains[0])
    let firstRightStep = Lanes(repeating: steps[0] * 8 * rightGains[0])
    let secondLeftStep = Lanes(repeating: steps[1] * 8 * leftGains[1])
    let secondRightStep = Lanes(repeating: steps[1] * 8 * rightGains[1])
    let linear = 2 * secondHarmonic
    let quadratic = 3 * thirdHarmonic
    var a = first
    var b = second
    for vector in 0..<vectors {
        let aSample =
            a.imaginary * (1 + a.real * (linear + quadratic * a.real) - thirdHarmonic * a.imaginary * a.imaginary)
        let bSample =
            b.imaginary * (1 + b.real * (linear + quadratic * b.real) - thirdHarmonic * b.imaginary * b.imaginary)
        left[vector] += aSample * firstLeft + bSample * secondLeft
        right[vector] += aSample * firstRight + bSample * secondRight
        firstLeft += firstLeftStep
        firstRight += firstRightStep
        secondLeft += secondLeftStep
        secondRight += secondRightStep
        let aNext = a.real * a.stepReal - a.imaginary * a.stepImaginary
        a.imaginary = a.real * a.stepImaginary + a.imaginary * a.stepReal
        a.real = aNext
        let bNext = b.real * b.stepReal - b.imaginary * b.stepImaginary
        b.imaginary = b.real * b.stepImaginary + b.imaginary * b.stepReal
        b.real = bNext
    }
    first = a
    second = b
}

/// Two noise tables, read at separate offsets for left and right, with linearly ramped gains.
@_noAllocation
func renderNoiseLayer(
    left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>, bright: UnsafeMutablePointer<Float>,
    brightLeft: Int, brightRight: Int, dark: UnsafeMutablePointer<Float>, darkLeft: Int, darkRight: Int,
    brightGains: (Float, Float), darkGains: (Float, Float), ramp: Lanes, vectorCount vectors: Int
) {
    let frames = vectors * 8
    let brightStep = (brightGains.1 - brightGains.0) / Float(frames)
    let darkStep = (darkGains.1 - darkGains.0) / Float(frames)
    var brightGain = Lanes(repeating: brightGains.0) + brightStep * ramp
    var darkGain = Lanes(repeating: darkGains.0) + darkStep * ramp
    let brightIncrement = Lanes(repeating: brightStep * 8)
    let darkIncrement = Lanes(repeating: darkStep * 8)
    let brightLeftRaw = UnsafeRawPointer(bright + brightLeft)
    let brightRightRaw = UnsafeRawPointer(bright + brightRight)
    let darkLeftRaw = UnsafeRawPointer(dark + darkLeft)
    let darkRightRaw = UnsafeRawPointer(dark + darkRight)
    let leftLanes = UnsafeMutableRawPointer(left).assumingMemoryBound(to: Lanes.self)
    let rightLanes = UnsafeMutableRawPointer(right).assumingMemoryBound(to: Lanes.self)
    let stride = MemoryLayout<Lanes>.stride
    for vector in 0..<vectors {
        let offset = vector * stride
        let l =
            brightLeftRaw.loadUnaligned(fromByteOffset: offset, as: Lanes.self) * brightGain
            + darkLeftRaw.loadUnaligned(fromByteOffset: offset, as: Lanes.self) * darkGain
        let r =
            brightRightRaw.loadUnaligned(fromByteOffset: offset, as: Lanes.self) * brightGain
            + darkRightRaw.loadUnaligned(fromByteOffset: offset, as: Lanes.self) * darkGain
        leftLanes[vector] += l
        rightLanes[vector] += r
        brightGain += brightIncrement
        darkGain += darkIncrement
    }
}

/// One partial of a strike, `Im(decaying) − Im(attack)`: the difference of two decays gives the
/// soft rise. Lanes before the onset (in its first group of eight) stay silent.
@_noAllocation
func renderStrikePartial(
    decaying: inout RotationOscillator, attack: inout RotationOscillator, hasAttack: Bool,
    into center: UnsafeMutablePointer<Lanes>, firstVector: Int, maskedLanes: Int, mask: Lanes, vectorCount vectors: Int
) {
    var decay = decaying
    var rise = attack
    var vector = firstVector
    if maskedLanes > 0 {
        center[vector] += (decay.imaginary - rise.imaginary) * mask
        let decayNext = decay.real * decay.stepReal - decay.imaginary * decay.stepImaginary
        decay.imaginary = decay.real * decay.stepImaginary + decay.imaginary * decay.stepReal
        decay.real = decayNext
        let riseNext = rise.real * rise.stepReal - rise.imaginary * rise.stepImaginary
        rise.imaginary = rise.real * rise.stepImaginary + rise.imaginary * rise.stepReal
        rise.real = riseNext
        vector += 1
    }
    if hasAttack {
        while vector < vectors {
            center[vector] += decay.imaginary - rise.imaginary
            let decayNext = decay.real * decay.stepReal - decay.imaginary * decay.stepImaginary
            decay.imaginary = decay.real * decay.stepImaginary + decay.imaginary * decay.stepReal
            decay.real = decayNext
            let riseNext = rise.real * rise.stepReal - rise.imaginary * rise.stepImaginary
            rise.imaginary = rise.real * rise.stepImaginary + rise.imaginary * rise.stepReal
            rise.real = riseNext
            vector += 1
        }
    } else {
        while vector < vectors {
            center[vector] += decay.imaginary
            let decayNext = decay.real * decay.stepReal - decay.imaginary * decay.stepImaginary
            decay.imaginary = decay.real * decay.stepImaginary + decay.imaginary * decay.stepReal
            decay.real = decayNext
            vector += 1
        }
    }
    decaying = decay
    attack = rise
}

@_noAllocation
func addSamples(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, count: Int) {
    for index in 0..<count { destination[index] += source[index] }
}

/// Adds a mono bus into both channels with a gain for each.
@_noAllocation
func addPanned(
    _ source: UnsafeMutablePointer<Float>, left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>,
    leftGain: Float, rightGain: Float, count: Int
) {
    for index in 0..<count {
        left[index] += source[index] * leftGain
        right[index] += source[index] * rightGain
    }
}

/// Scales both channels by a gain ramped linearly from `startGain` to `endGain` over `count` frames.
@_noAllocation
func scaleWithRamp(
    left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>, startGain: Float, endGain: Float,
    count: Int
) {
    let step = (endGain - startGain) / Float(count)
    for index in 0..<count {
        let gain = startGain + step * Float(index)
        left[index] *= gain
        right[index] *= gain
    }
}

@_noAllocation
func addCenterLanes(
    _ center: UnsafeMutablePointer<Lanes>, left: UnsafeMutablePointer<Lanes>, right: UnsafeMutablePointer<Lanes>,
    count: Int
) {
    for vector in 0..<count {
        left[vector] += center[vector]
        right[vector] += center[vector]
    }
}

/// `|x|` lane by lane, by clearing the sign bit.
@inline(__always)
func magnitude(_ x: Lanes) -> Lanes {
    unsafeBitCast(unsafeBitCast(x, to: SIMD8<UInt32>.self) & SIMD8<UInt32>(repeating: 0x7FFF_FFFF), to: Lanes.self)
}

/// The larger of two non-negative values lane by lane, `(a + b + |a − b|) / 2`: plain arithmetic
/// that vectorises (the standard library's `pointwiseMax` does not, here).
@inline(__always)
func larger(_ a: Lanes, _ b: Lanes) -> Lanes {
    (a + b + magnitude(a - b)) * 0.5
}

/// The largest absolute sample.
@_noAllocation
func samplePeak(_ samples: UnsafeMutablePointer<Float>, count: Int) -> Float {
    let lanes = UnsafeMutableRawPointer(samples).assumingMemoryBound(to: Lanes.self)
    var peak = Lanes(repeating: 0)
    for vector in 0..<(count / 8) {
        let x = lanes[vector]
        peak = larger(peak, magnitude(x))
    }
    var largest: Float = 0
    for lane in 0..<8 where peak[lane] > largest { largest = peak[lane] }
    return largest
}

/// The largest of the samples and of their cubic-interpolated midpoints, a cheap estimate of the
/// true (inter-sample) peak. Reads three samples before `samples` (the chunk's guard frames).
@_noAllocation
func interpolatedPeak(_ samples: UnsafeMutablePointer<Float>, count: Int) -> Float {
    let raw = UnsafeRawPointer(samples)
    let size = MemoryLayout<Float>.stride
    var peak = Lanes(repeating: 0)
    var index = 0
    while index < count {
        let d = raw.loadUnaligned(fromByteOffset: index * size, as: Lanes.self)
        let c = raw.loadUnaligned(fromByteOffset: (index - 1) * size, as: Lanes.self)
        let b = raw.loadUnaligned(fromByteOffset: (index - 2) * size, as: Lanes.self)
        let a = raw.loadUnaligned(fromByteOffset: (index - 3) * size, as: Lanes.self)
        // The midpoint between b and c of the cubic through a, b, c, d.
        let middle = (9 * (b + c) - a - d) * (1 / 16)
        peak = larger(peak, magnitude(d))
        peak = larger(peak, magnitude(middle))
        index += 8
    }
    var largest: Float = 0
    for lane in 0..<8 where peak[lane] > largest { largest = peak[lane] }
    return largest
}

@_noAllocation
func interleave(
    left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>, into output: UnsafeMutablePointer<Float>,
    count: Int
) {
    for index in 0..<count {
        output[2 * index] = left[index]
        output[2 * index + 1] = right[index]
    }
}

/// Interleaves with a gain interpolated linearly between sub-block boundaries.
@_noAllocation
func interleaveWithGain(
    left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>, into output: UnsafeMutablePointer<Float>,
    boundaryGains: UnsafeMutablePointer<Float>, subblockCount: Int, subblockFrameCount: Int
) {
    let inverse = 1 / Float(subblockFrameCount)
    for subblock in 0..<subblockCount {
        let start = boundaryGains[subblock]
        let step = (boundaryGains[subblock + 1] - start) * inverse
        let base = subblock * subblockFrameCount
        for frame in 0..<subblockFrameCount {
            let gain = start + step * Float(frame)
            output[2 * (base + frame)] = left[base + frame] * gain
            output[2 * (base + frame) + 1] = right[base + frame] * gain
        }
    }
}

/// Copies `count` samples (the regions must not overlap).
@_noAllocation
func copySamples(_ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int) {
    for index in 0..<count { destination[index] = source[index] }
}

/// Sets `count` samples to zero.
@_noAllocation
func clearSamples(_ samples: UnsafeMutablePointer<Float>, count: Int) {
    for index in 0..<count { samples[index] = 0 }
}

/// Adds interleaved stereo frames into planar left and right with a linearly ramped gain: the
/// renderer's whole share of the user's own sound, a copy out of the read-ahead's ring.
@_noAllocation
func addStereoRamped(
    _ source: UnsafePointer<Float>, left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>,
    frameCount: Int, startGain: Float, gainStep: Float
) {
    var gain = startGain
    for frame in 0..<frameCount {
        left[frame] += source[frame * 2] * gain
        right[frame] += source[frame * 2 + 1] * gain
        gain += gainStep
    }
}
