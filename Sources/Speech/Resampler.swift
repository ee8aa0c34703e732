/// Brings speech from an engine's own rate (flite 8 or 16 kHz, espeak-ng 22.05 kHz) to the
/// session's, with libsoxr at high quality.
enum Resampler {
    static func resample(_ samples: [Float], from inputRate: Int, to outputRate: Int) throws(SpeechError) -> [Float] {
        guard inputRate != outputRate, !samples.isEmpty else { return samples }
        switch SoxrCalls.soxr_oneshot(samples, from: inputRate, to: outputRate) {
        case .success(let output): return output
        case .failure(let failure):
            throw SpeechError(
                .resamplingFailed,
                "could not resample speech from \(inputRate) Hz to \(outputRate) Hz: \(failure.message)")
        }
    }
}
