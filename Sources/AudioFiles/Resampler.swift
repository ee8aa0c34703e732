/// Brings mono samples from one rate to another with libsoxr at high quality.
public enum Resampler {
    public static func resample(_ samples: [Float], from inputRate: Int, to outputRate: Int) throws(AudioFileError)
        -> [Float]
    {
        guard inputRate != outputRate, !samples.isEmpty else { return samples }
        switch SoxrCalls.soxr_oneshot(samples, from: inputRate, to: outputRate) {
        case .success(let output): return output
        case .failure(let failure):
            throw AudioFileError(
                .resamplingFailed, "could not resample from \(inputRate) Hz to \(outputRate) Hz: \(failure.message)")
        }
    }
}
