import Foundation
import Sequencer

/// A loudness and peak meter after EBU R 128 / ITU-R BS.1770, measured by libebur128.
///
/// Feed it interleaved frames in any number of calls, then read integrated loudness, loudness
/// range, sample peak and true peak. It is not real-time safe (libebur128 allocates as history
/// grows); Export and the tests use it beside the render loop, not inside it.
public final class LoudnessMeter {
    public let channelCount: Int
    public let sampleRate: Int
    private let state: Ebur128State
    private var framesAdded: Int64 = 0

    /// The loudness libebur128 reports for silence or for too little audio to measure.
    public static let silenceLUFS = -Double.infinity

    /// Whether the meter measures true peak, which oversamples every frame and costs several
    /// times more than the rest of the measurement together.
    public let measuresTruePeak: Bool

    /// Whether the meter measures the loudness range, which keeps a history of short-term loudness.
    public let measuresLoudnessRange: Bool

    public init(
        channelCount: Int, sampleRate: Int, measuresTruePeak: Bool = true, measuresLoudnessRange: Bool = true
    ) throws(AudioFileError) {
        guard (1...8).contains(channelCount) else {
            throw AudioFileError(.invalidMeter, "a loudness meter needs 1 to 8 channels, not \(channelCount)")
        }
        guard SessionTimeline.sampleRateRange.contains(sampleRate) else {
            throw AudioFileError(
                .invalidMeter,
                "a loudness meter needs a sample rate of \(SessionTimeline.sampleRateRange.lowerBound)"
                    + " to \(SessionTimeline.sampleRateRange.upperBound) Hz, not \(sampleRate)")
        }
        guard
            let state = ebur128_init_meter(
                channelCount: channelCount, sampleRate: sampleRate,
                mode: ebur128MeterMode | (measuresTruePeak ? ebur128TruePeakMode : 0)
                    | (measuresLoudnessRange ? ebur128LoudnessRangeMode : 0))
        else {
            throw AudioFileError(.invalidMeter, "libebur128 could not set up a loudness meter (out of memory)")
        }
        self.channelCount = channelCount
        self.sampleRate = sampleRate
        self.measuresTruePeak = measuresTruePeak
        self.measuresLoudnessRange = measuresLoudnessRange
        self.state = state
    }

    deinit { ebur128_destroy_meter(state) }

    /// Measures `frameCount` interleaved frames.
    public func add(_ samples: UnsafePointer<Float>, frameCount: Int) {
        guard frameCount > 0 else { return }
        let status = ebur128_add_float(state, samples, frameCount: frameCount)
        precondition(status == ebur128Success, "libebur128 could not take frames (out of memory)")
        framesAdded += Int64(frameCount)
    }

    /// Measures interleaved samples; the count must be a whole number of frames.
    public func add(_ samples: [Float]) {
        precondition(samples.count % channelCount == 0, "samples must hold whole frames")
        samples.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            add(base, frameCount: buffer.count / channelCount)
        }
    }

    /// The frames measured so far.
    public var frameCount: Int64 { framesAdded }

    /// Gated integrated loudness in LUFS; `-infinity` for silence.
    public var integratedLoudnessLUFS: Double {
        let (status, value) = ebur128_global(state)
        return status == ebur128Success ? value : Self.silenceLUFS
    }

    /// The loudness of the last 400 ms, in LUFS; `-infinity` for silence.
    public var momentaryLoudnessLUFS: Double {
        let (status, value) = ebur128_momentary(state)
        return status == ebur128Success ? value : Self.silenceLUFS
    }

    /// The loudness of the last 3 s, in LUFS; `-infinity` for silence, `nan` when the meter does
    /// not measure the loudness range (which keeps the short-term history).
    public var shortTermLoudnessLUFS: Double {
        guard measuresLoudnessRange else { return .nan }
        let (status, value) = ebur128_shortterm(state)
        return status == ebur128Success ? value : Self.silenceLUFS
    }

    /// Loudness range in LU.
    public var loudnessRangeLU: Double {
        guard measuresLoudnessRange else { return .nan }
        let (status, value) = ebur128_range(state)
        return status == ebur128Success ? value : 0
    }

    /// The largest absolute sample over all channels, in dBFS; `-infinity` for silence.
    public var samplePeakDecibels: Double {
        var peak = 0.0
        for channel in 0..<channelCount {
            let (status, value) = ebur128_sample_peak_of(state, channel: channel)
            if status == ebur128Success { peak = max(peak, value) }
        }
        return 20 * log10(peak)
    }

    /// The largest inter-sample (oversampled) peak over all channels, in dBTP; `-infinity` for
    /// silence, and `nan` when the meter does not measure true peak.
    public var truePeakDecibels: Double {
        guard measuresTruePeak else { return .nan }
        var peak = 0.0
        for channel in 0..<channelCount {
            let (status, value) = ebur128_true_peak_of(state, channel: channel)
            if status == ebur128Success { peak = max(peak, value) }
        }
        return 20 * log10(peak)
    }
}
