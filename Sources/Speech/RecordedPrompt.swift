import AudioFiles
import Foundation

/// The user's own recording as a prompt clip: read with libsndfile (any format, rate and channel
/// count), mixed to mono, resampled to the session rate with libsoxr, and trimmed of the silence
/// before and after the words. Its level is left alone: the renderer brings every clip, recorded
/// or synthesised, to the one speech level.
///
/// The trimming is public, so that `soothe record` trims each take the way its clip will be
/// trimmed when it is spoken.
public enum RecordedPrompt {
    /// Below this peak a recording holds no words (-60 dBFS).
    public static let silentPeak: Float = 0.001
    /// The edges are where the signal first and last rises above the peak less 40 dB.
    static let trimThresholdBelowPeakDecibels: Float = 40
    /// Kept before the first and after the last loud sample, so soft onsets and decays stay.
    static let onsetMarginSeconds = 0.03
    static let releaseMarginSeconds = 0.12
    /// A cut inside room noise is faded, so it does not click.
    static let edgeFadeSeconds = 0.01

    /// Why a recording holds no words to speak.
    public enum EmptinessProblem: Error, Equatable, Sendable {
        /// Not a single sample.
        case noAudio
        /// Samples that are not numbers (NaN or infinite).
        case notNumbers
        /// Its peak is below `silentPeak`.
        case silent
    }

    static func clip(at path: String, sampleRate: Int, for stepDescription: String) throws(SpeechError) -> [Float] {
        func bad(_ reason: String) -> SpeechError {
            SpeechError(.badRecording, "the recording for \(stepDescription) (say-audio) \(reason)")
        }
        let audio: MonoAudio
        do { audio = try MonoAudioReader.read(path) } catch { throw bad("cannot be used: \(error.message)") }
        do {
            _ = try peak(of: audio.samples)
        } catch .noAudio {
            throw bad("'\(path)' holds no audio")
        } catch .notNumbers {
            throw bad("'\(path)' holds samples that are not numbers")
        } catch {
            throw bad("'\(path)' is silent (its peak is below -60 dBFS); record it again closer to the microphone")
        }
        let samples: [Float]
        do { samples = try Resampler.resample(audio.samples, from: audio.sampleRate, to: sampleRate) } catch {
            throw bad("'\(path)' could not be resampled: \(error.message)")
        }
        do { return try trimmingSilence(samples, sampleRate: sampleRate) } catch { throw bad("'\(path)' is silent") }
    }

    /// The peak of `samples`, once they are known to hold something to speak.
    public static func peak(of samples: [Float]) throws(EmptinessProblem) -> Float {
        guard !samples.isEmpty else { throw .noAudio }
        // Checked sample by sample: `max` passes over a NaN, so the peak alone would not show one.
        guard samples.allSatisfy(\.isFinite) else { throw .notNumbers }
        let peak = samples.reduce(Float(0)) { max($0, abs($1)) }
        guard peak >= silentPeak else { throw .silent }
        return peak
    }

    /// `samples` from a little before the first to a little after the last sample within 40 dB of
    /// the peak, with short fades at the cuts.
    public static func trimmingSilence(_ samples: [Float], sampleRate: Int) throws(EmptinessProblem) -> [Float] {
        let peak = try peak(of: samples)
        let threshold = peak * Float.pow10(-trimThresholdBelowPeakDecibels / 20)
        guard let first = samples.firstIndex(where: { abs($0) > threshold }),
            let last = samples.lastIndex(where: { abs($0) > threshold })
        else { throw .silent }
        let start = max(0, first - Int(onsetMarginSeconds * Double(sampleRate)))
        let end = min(samples.count, last + 1 + Int(releaseMarginSeconds * Double(sampleRate)))
        var trimmed = Array(samples[start..<end])
        let fadeCount = min(Int(edgeFadeSeconds * Double(sampleRate)), trimmed.count / 2)
        for index in 0..<fadeCount {
            let gain = Float(index) / Float(fadeCount)
            trimmed[index] *= gain
            trimmed[trimmed.count - 1 - index] *= gain
        }
        return trimmed
    }
}

extension Float {
    fileprivate static func pow10(_ exponent: Float) -> Float {
        Float(Foundation.pow(10, Double(exponent)))
    }
}
