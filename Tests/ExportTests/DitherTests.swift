import Testing

@testable import Export

@Suite struct DitherTests {
    /// Digital silence stays digital silence in a 16-bit file: no dither where the samples are 0,
    /// in the vector path and the scalar remainder alike, while any other sample is dithered.
    @Test func ditherIsMutedOnDigitalSilence() {
        var dither = TriangularDither(seed: 3)
        let count = 1003
        let silence = [Float](repeating: 0, count: count)
        var output = [Int16](repeating: 7, count: count)
        silence.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer {
                dither.quantize(input.baseAddress!, into: $0.baseAddress!, count: count)
            }
        }
        #expect(output.allSatisfy { $0 == 0 })
        // A quiet signal of half an LSB: dither makes it toggle, so the gate is on exact zeros only.
        let quiet = [Float](repeating: 0.5 / 32768, count: count)
        quiet.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer {
                dither.quantize(input.baseAddress!, into: $0.baseAddress!, count: count)
            }
        }
        #expect(Set(output).count > 1, "a quiet signal was not dithered")
    }
}
