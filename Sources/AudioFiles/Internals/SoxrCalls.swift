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

    struct SoxrFailure: Error {
        var message: String
    }
}
