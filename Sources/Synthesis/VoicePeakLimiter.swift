/// Holds a voice clip's peaks under the master's ceiling while keeping its speech level, when the
/// clip is placed (on the preparing thread, never in render).
///
/// The loudness plan counts every clip at one speech level. At a loud target (a podcast's -16
/// LUFS puts the voice near -10 LUFS short-term) a voice with a high crest factor (a Piper voice's
/// peaks sit about 4 dB higher over its loudness than flite's) would otherwise reach the master
/// limiter on every word, and the limiter would take away the loudness the plan counted on. Here
/// the clip is limited first and brought back to its speech level, a few times over, so that it
/// reaches the master at the level the plan counted with its peaks under the ceiling.
enum VoicePeakLimiter {
    /// How far under the master limiter's threshold a clip's sample peaks are held, in dB: room
    /// for the bed and chimes under the voice and for peaks between samples.
    static let headroomDecibels = 1.5
    /// The gain comes down over at most this long before a peak, in seconds.
    static let attackDuration = 0.005
    /// And recovers over this long after it, in seconds: slow enough not to ripple the words.
    static let releaseDuration = 0.2
    /// Limiting lowers the clip's level and re-levelling raises its peaks again, by less each
    /// time; this many rounds bring the peaks within a few hundredths of a dB of the ceiling.
    static let roundCount = 6

    /// The gain that brings `samples` (the first `count`) to the K-weighted mean square
    /// `targetEnergy`, with the clip limited in place so that no sample times that gain times
    /// `peakGain` (the lean of its louder channel) exceeds `ceiling`.
    static func levelAndLimit(
        _ samples: inout [Float], count: Int, targetEnergy: Double, peakGain: Double, ceiling: Double,
        sampleRate: Int, weighting: KWeighting
    ) -> Double {
        var gain = 0.0
        for round in 0...roundCount {
            let energy = VoiceTrack.weightedMeanSquare(samples, count: count, weighting: weighting)
            guard energy > 0 else { return 0 }
            gain = (targetEnergy / energy).squareRoot()
            guard round < roundCount else { break }
            let clipCeiling = ceiling / (gain * peakGain)
            var peak: Float = 0
            for index in 0..<count { peak = max(peak, abs(samples[index])) }
            guard Double(peak) > clipCeiling else { break }
            limit(&samples, count: count, ceiling: Float(clipCeiling), sampleRate: sampleRate)
        }
        return gain
    }

    /// A look-ahead brick-wall limiter: the gain each sample needs, ramped down linearly ahead of
    /// each peak (a backward pass) and released linearly after it (a forward pass), so it never
    /// exceeds what any sample needs and never steps.
    static func limit(_ samples: inout [Float], count: Int, ceiling: Float, sampleRate: Int) {
        guard count > 0, ceiling > 0 else { return }
        let attackStep = Float(1 / max(1, attackDuration * Double(sampleRate)))
        let releaseStep = Float(1 / max(1, releaseDuration * Double(sampleRate)))
        var gains = [Float](repeating: 1, count: count)
        var next: Float = 1
        for index in stride(from: count - 1, through: 0, by: -1) {
            let magnitude = abs(samples[index])
            let needed = magnitude > ceiling ? ceiling / magnitude : 1
            next = min(needed, next + attackStep)
            gains[index] = next
        }
        var previous: Float = 1
        for index in 0..<count {
            previous = min(gains[index], previous + releaseStep)
            samples[index] *= previous
        }
    }
}
