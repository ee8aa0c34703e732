import Sequencer

/// Quantises float samples to 16 bits with triangular (TPDF) dither from a seeded generator, so
/// that the same seed gives the same file.
///
/// libsndfile's `SFC_SET_DITHER_ON_WRITE` is accepted but does nothing for the codecs Soothe
/// writes, so the writer dithers here and hands libsndfile finished 16-bit integers.
struct TriangularDither {
    /// Full scale: libsndfile reads 16-bit samples back as `value / 32768`, so quantising with
    /// the same factor makes a round trip exact up to the dither.
    static let fullScale: Float = 32768

    /// Four independent xorshift64 generators, stepped together so that the loop vectorises;
    /// one step gives sixteen 16-bit uniform numbers, two per sample for eight samples.
    private var state: SIMD4<UInt64>
    /// Dither values drawn but not yet used, so that how the samples are split into calls does
    /// not change the file.
    private var pending = SIMD8<Float>()
    private var pendingCount = 0

    init(seed: UInt64) {
        var lanes = SIMD4<UInt64>()
        // SplitMix64, so that nearby seeds and lanes start far apart, and never at zero.
        var mixer = SplitMix64(seed: seed)
        for lane in 0..<4 {
            let value = mixer.next()
            lanes[lane] = value == 0 ? 1 : value
        }
        state = lanes
    }

    /// Converts `count` samples, adding dither of ±1 LSB peak (the sum of two uniform values)
    /// before rounding to the nearest integer, and clipping to the 16-bit range. A sample of
    /// exactly 0 stays 0: dither is muted on digital silence.
    mutating func quantize(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Int16>, count: Int) {
        // Adding and subtracting 1.5 × 2^23 rounds a float to the nearest integer (ties to even)
        // without a library call; valid for magnitudes below 2^22, which the clip guarantees.
        let roundingMagic = SIMD8<Float>(repeating: 12_582_912)
        let low = SIMD8<Float>(repeating: -32768)
        let high = SIMD8<Float>(repeating: 32767)
        var index = 0
        while pendingCount > 0 && index < count {
            output[index] = Self.quantize(input[index], dither: pending[8 - pendingCount])
            pendingCount -= 1
            index += 1
        }
        var state = self.state
        while index < count {
            state ^= state &<< 13
            state ^= state &>> 7
            state ^= state &<< 17
            // Each 32-bit lane holds two 16-bit uniforms; placed in a float's mantissa under the
            // exponent of 1.0 each gives a uniform value in [1, 2) without an int-to-float
            // conversion (which Swift does not vectorise). Their sum minus 3 is triangular in [-1, 1).
            let lanes = unsafeBitCast(state, to: SIMD8<UInt32>.self)
            let first = unsafeBitCast(((lanes & 0xFFFF) &<< 7) | 0x3F80_0000, to: SIMD8<Float>.self)
            let second = unsafeBitCast(((lanes &>> 16) &<< 7) | 0x3F80_0000, to: SIMD8<Float>.self)
            let dither = first + second - 3
            let remaining = count - index
            if remaining >= 8 {
                let samples = UnsafeRawPointer(input + index).loadUnaligned(as: SIMD8<Float>.self)
                var scaled = samples * Self.fullScale + dither
                // The bound first: a NaN then becomes a bound rather than undefined.
                scaled = high.replacing(with: scaled, where: scaled .< high)
                scaled = low.replacing(with: scaled, where: scaled .> low)
                // After adding the magic number the rounded integer sits in the low mantissa bits:
                // read it from the bit pattern, then keep the low 16 bits of each lane.
                let biased = unsafeBitCast(scaled + roundingMagic, to: SIMD8<Int32>.self) &- 0x4B40_0000
                // Digital silence stays digital silence: no dither where the signal is exactly 0,
                // so a session's silent end is silent in the file too.
                let silent = samples .== 0
                let integers = SIMD8<Int16>(truncatingIfNeeded: biased.replacing(with: 0, where: silent))
                UnsafeMutableRawPointer(output + index).storeBytes(of: integers, as: SIMD8<Int16>.self)
                index += 8
            } else {
                for lane in 0..<remaining {
                    output[index + lane] = Self.quantize(input[index + lane], dither: dither[lane])
                }
                pending = dither
                pendingCount = 8 - remaining
                index += remaining
            }
        }
        self.state = state
    }

    @inline(__always)
    private static func quantize(_ sample: Float, dither: Float) -> Int16 {
        if sample == 0 { return 0 }
        // The bound first: a NaN then becomes a bound instead of trapping in `Int16(_:)`.
        let scaled = max(-32768, min(32767, sample * fullScale + dither))
        return Int16((scaled + 12_582_912) - 12_582_912)
    }
}
