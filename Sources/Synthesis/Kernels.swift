/// 0, 1, …, 7: each lane's frame within its group of eight.
let laneRamp = Lanes(0, 1, 2, 3, 4, 5, 6, 7)

/// `laneMasks[n]` keeps lanes n… and silences lanes before n.
let laneMasks: [Lanes] = (0..<laneCount).map { first in
    Lanes((0..<laneCount).map { $0 >= first ? Float(1) : 0 })
}

// The innermost render loops. Each is a free function over raw pointers so that the compiler can
// check `@_noAllocation` on it (no retain/release, no array growth, no heap) and vectorise it.
// The check runs in debug builds too, where nothing is inlined: so the loops take their counts as
// arguments and write the lane width as 8, rather than reading globals or static properties
// (whose lazy initialisation the checker counts as possible locking).

/// One pad voice: a rotating phasor whose powers give the 2nd and 3rd harmonics for free
/// (`Im z² = 2·re·im`, `Im z³ = im·(3re² − im²)` for a unit phasor), with its amplitude ramped
/// linearly across the chunk and panned into both channels.
@_noAllocation
func renderPadVoice(
    oscillator: inout RotationOscillator, left: UnsafeMutablePointer<Lanes>, right: UnsafeMutablePointer<Lanes>,
    startAmplitude: Float, endAmplitude: Float, second: Float, third: Float, leftGain: Float, rightGain: Float,
    ramp: Lanes, vectorCount vectors: Int
) {
    let step = (endAmplitude - startAmplitude) / Float(vectors * 8)
    var amplitude = Lanes(repeating: startAmplitude) + step * ramp
    let amplitudeStep = Lanes(repeating: step * 8)
    var osc = oscillator
    for vector in 0..<vectors {
        let re = osc.real, im = osc.imaginary
        let harmonic2 = 2 * re * im
        let harmonic3 = im * (3 * re * re - im * im)
        let sample = (im + second * harmonic2 + third * harmonic3) * amplitude
        left[vector] += leftGain * sample
        right[vector] += rightGain * sample
        amplitude += amplitudeStep
        let oscNext = osc.real * osc.stepReal - osc.imaginary * osc.stepImaginary
        osc.imaginary = osc.real * osc.stepImaginary + osc.imaginary * osc.stepReal
        osc.real = oscNext
    }
    oscillator = osc
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
        let l = brightLeftRaw.loadUnaligned(fromByteOffset: offset, as: Lanes.self) * brightGain
            + darkLeftRaw.loadUnaligned(fromByteOffset: offset, as: Lanes.self) * darkGain
        let r = brightRightRaw.loadUnaligned(fromByteOffset: offset, as: Lanes.self) * brightGain
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
        peak = pointwiseMax(peak, pointwiseMax(pointwiseMax(d, -d), pointwiseMax(middle, -middle)))
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
