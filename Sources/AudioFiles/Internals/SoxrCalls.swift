// swift-format-ignore-file: AlwaysUseLowerCamelCase

// (each wrapper is named system_foo after the C function foo it calls, as swift-system does)
internal import CSoxr

/// Every call into libsoxr, each a thin function named after the C function it wraps.
enum SoxrCalls {
    /// Wraps `soxr_oneshot` with `soxr_quality_spec(SOXR_HQ, 0)`: resamples mono Float samples
    /// from `inputRate` to `outputRate` in one go. Returns the samples, or libsoxr's message.
    static func soxr_oneshot(_ input: [Float], from inputRate: Int, to outputRate: Int) -> Result<[Float], SoxrFailure>
    {
        let ratio = Double(outputRate) / Double(inputRate)
        let capacity = Int((Double(input.count) * ratio).rounded(.up)) + 16
        var output = [Float](repeating: 0, count: capacity)
        var quality = soxr_quality_spec(UInt(SOXR_HQ), 0)
        var written = 0
        let error = input.withUnsafeBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                CSoxr.soxr_oneshot(
                    Double(inputRate), Double(outputRate), 1, inputBuffer.baseAddress, input.count, nil,
                    outputBuffer.baseAddress, capacity, &written, nil, &quality, nil)
            }
        }
        if let error { return .failure(SoxrFailure(message: String(cString: error))) }
        output.removeSubrange(written...)
        return .success(output)
    }

    /// Wraps `soxr_create` with `soxr_quality_spec(SOXR_16_BITQ, 0)` and interleaved Float input
    /// and output: a streaming resampler for `channelCount` channels, or libsoxr's message.
    /// Sixteen-bit precision (a stop band 96 dB down) with the high-quality pass band: plenty for a
    /// sound under the voice, and much cheaper than 20 bits on an hour of stereo.
    static func soxr_create(from inputRate: Int, to outputRate: Int, channelCount: Int)
        -> Result<OpaquePointer, SoxrFailure>
    {
        var quality = soxr_quality_spec(UInt(SOXR_16_BITQ), 0)
        var error: soxr_error_t?
        let handle = CSoxr.soxr_create(
            Double(inputRate), Double(outputRate), UInt32(channelCount), &error, nil, &quality, nil)
        if let error { return .failure(SoxrFailure(message: String(cString: error))) }
        guard let handle else { return .failure(SoxrFailure(message: "out of memory")) }
        return .success(handle)
    }

    /// Wraps `soxr_process`: takes up to `inputFrameCount` frames (`nil` input flushes the end of
    /// the signal) and writes up to `outputCapacity` frames; the frames taken and written.
    static func soxr_process(
        _ handle: OpaquePointer, input: UnsafePointer<Float>?, inputFrameCount: Int,
        output: UnsafeMutablePointer<Float>, outputCapacity: Int
    ) -> Result<(taken: Int, written: Int), SoxrFailure> {
        var taken = 0
        var written = 0
        let error = CSoxr.soxr_process(
            handle, input, inputFrameCount, &taken, output, outputCapacity, &written)
        if let error { return .failure(SoxrFailure(message: String(cString: error))) }
        return .success((taken, written))
    }

    /// Wraps `soxr_clear`: ready for a fresh signal with the same rates.
    static func soxr_clear(_ handle: OpaquePointer) {
        _ = CSoxr.soxr_clear(handle)
    }

    /// Wraps `soxr_delete`.
    static func soxr_delete(_ handle: OpaquePointer) {
        CSoxr.soxr_delete(handle)
    }

    struct SoxrFailure: Error {
        var message: String
    }
}
