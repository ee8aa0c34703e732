/// Quantises float samples to 16 bits with triangular (TPDF) dither from a seeded generator, so
/// that the same seed gives the same file.
///
/// libsndfile's `SFC_SET_DITHER_ON_WRITE` is accepted but does nothing for the codecs Soothe
/// writes, so the writer dithers here and hands libsndfile finished 16-bit integers.
struct TriangularDither {
    /// Full scale: libsndfile reads 16-bit samples back as `value / 32768`, so quantising with
    /// the same factor makes a round trip exact up to the dither.
    static let fullScale: Float = 32768

    private var state: UInt64

    init(seed: UInt64) {
        // xorshift must not start at zero; mix the seed so that nearby seeds differ at once.
        var mixed = seed &+ 0x9E37_79B9_7F4A_7C15
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        mixed ^= mixed >> 31
        state = mixed == 0 ? 1 : mixed
    }

    /// Converts `count` samples, adding dither of ±1 LSB peak (the sum of two uniform values)
    /// before rounding, and clipping to the 16-bit range.
    @inline(__always)
    mutating func quantize(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Int16>, count: Int) {
        // Adding and subtracting 1.5 × 2^23 rounds a float to the nearest integer (ties to even)
        // without a library call; valid for magnitudes below 2^22, which the clip guarantees.
        let roundingMagic: Float = 12_582_912
        let uniformScale: Float = 1 / 65536
        var state = self.state
        var index = 0
        while index < count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            // One 64-bit draw gives two samples' dither: four 16-bit uniforms, two per sample.
            var bits = state
            var pair = 0
            while pair < 2 && index < count {
                let first = Float(UInt16(truncatingIfNeeded: bits))
                let second = Float(UInt16(truncatingIfNeeded: bits >> 16))
                bits >>= 32
                let dither = (first + second) * uniformScale - 1
                var scaled = input[index] * Self.fullScale + dither
                // The constant first: a NaN then becomes full scale instead of trapping in `Int16(_:)`.
                scaled = max(-32768, min(32767, scaled))
                let rounded = (scaled + roundingMagic) - roundingMagic
                output[index] = Int16(rounded)
                index += 1
                pair += 1
            }
        }
        self.state = state
    }
}
