import Foundation

/// Holds a voice clip's peaks under the master's ceiling while keeping its speech level, when the
/// clip is placed (on the preparing thread, never in render).
///
/// The loudness plan counts every clip at one speech level. At a loud target (a podcast's -16
/// LUFS puts the voice near -10 LUFS short-term) a voice with a high crest factor (a Piper voice's
/// peaks sit about 4 dB higher over its loudness than flite's) would otherwise reach the master
/// limiter on every word, and the limiter would take away the loudness the plan counted on. Here
/// the clip is limited first, just so far that brought back to its speech level its peaks stay
/// under the ceiling: it reaches the master at the level the plan counted on.
enum VoicePeakLimiter {
    /// How far under the master limiter's threshold a clip's sample peaks are held, in dB: room
    /// for the bed and chimes under the voice and for peaks between samples.
    static let headroomDecibels = 1.5
    /// The gain comes down over at most this long before a peak, in seconds.
    static let attackDuration = 0.005
    /// And recovers over this long after it, in seconds: slow enough not to ripple the words.
    static let releaseDuration = 0.2
    /// The most times a clip is limited while its limit is searched for.
    static let roundCount = 8
    /// How close under the ceiling the search stops, in dB.
    static let toleranceDecibels = 0.05

    /// How a clip is levelled: the sample ceiling it is limited to (`nil` when it needs no
    /// limiting), and the gain that then brings it to its speech level.
    struct Levelling {
        var gain: Double
        var sampleCeiling: Float?

        /// As one line of text, every bit kept, for a `VoiceLevellingMemo`.
        var noteText: String {
            "gain \(String(gain.bitPattern, radix: 16)) ceiling "
                + (sampleCeiling.map { String($0.bitPattern, radix: 16) } ?? "none")
        }
    }

    /// Bumped whenever the search or the limiter changes in a way its settings below do not show.
    static let version = 1

    /// Everything a levelling depends on besides the clip's samples, as one line of text: the
    /// name a `VoiceLevellingMemo` keeps it under.
    static func conditions(
        count: Int, targetEnergy: Double, peakGain: Double, ceiling: Double, sampleRate: Int, isCleanedUp: Bool
    ) -> String {
        let settings = [
            targetEnergy, peakGain, ceiling, headroomDecibels, attackDuration, releaseDuration, toleranceDecibels,
        ]
        return "voice levelling \(version) rounds \(roundCount) count \(count) rate \(sampleRate) "
            + (isCleanedUp ? "cleaned " : "raw ")
            + settings.map { String($0.bitPattern, radix: 16) }.joined(separator: " ")
    }

    /// How `samples` are levelled: the sample ceiling to limit them to, and the gain that then
    /// brings them to the K-weighted mean square `targetEnergy` with no sample times that gain
    /// times `peakGain` (the lean of its louder channel) over `ceiling`.
    ///
    /// Limiting lowers the clip's level, and bringing it back raises its peaks again; so the limit
    /// is searched for: the clip as it came is limited to a trial limit (in dB, a secant search on
    /// how far its peaks then end up over the ceiling), and the closest trial that stays under
    /// the ceiling is kept. A voice that cannot get there in `roundCount` trials keeps the last,
    /// and the master limiter holds the rest. One clip-sized buffer serves the whole search, and
    /// it is gone when this returns.
    static func levelling(
        _ samples: UnsafeBufferPointer<Float>, targetEnergy: Double, peakGain: Double, ceiling: Double,
        sampleRate: Int, weighting: KWeighting
    ) -> Levelling {
        let count = samples.count
        func level(_ clip: UnsafeBufferPointer<Float>) -> Double {
            let energy = VoiceTrack.weightedMeanSquare(clip, weighting: weighting)
            return energy > 0 ? (targetEnergy / energy).squareRoot() : 0
        }
        func peak(_ clip: UnsafeBufferPointer<Float>) -> Double {
            var peak: Float = 0
            for sample in clip { peak = max(peak, abs(sample)) }
            return Double(peak)
        }
        let gain = level(samples)
        // How far over the ceiling the levelled clip's peaks land, in dB.
        func excess(peak: Double, gain: Double) -> Double { 20 * log10(max(peak * gain * peakGain, 1e-30) / ceiling) }
        let originalPeak = peak(samples)
        let firstExcess = excess(peak: originalPeak, gain: gain)
        guard gain > 0, firstExcess > 0 else { return Levelling(gain: gain, sampleCeiling: nil) }
        var trial = [Float](repeating: 0, count: count)
        var best: (sampleCeiling: Float, gain: Double, excess: Double)?
        var last = (sampleCeiling: Float(originalPeak), gain: gain)
        // The trial limit, in dB under the clip's own peak; first by how far it was over.
        var previous = (limit: 0.0, excess: firstExcess)
        var trialLimit = -firstExcess
        for _ in 0..<roundCount {
            let sampleCeiling = Float(originalPeak * decibelsToGain(trialLimit))
            let (trialGain, trialPeak) = trial.withUnsafeMutableBufferPointer { trial in
                _ = trial.update(fromContentsOf: samples)
                limitInPlace(trial.baseAddress!, count: count, ceiling: sampleCeiling, sampleRate: sampleRate)
                return (level(UnsafeBufferPointer(trial)), peak(UnsafeBufferPointer(trial)))
            }
            let trialExcess = excess(peak: trialPeak, gain: trialGain)
            last = (sampleCeiling, trialGain)
            if trialExcess <= 0 && trialExcess > (best?.excess ?? -.infinity) {
                best = (sampleCeiling, trialGain, trialExcess)
            }
            if trialExcess <= 0 && trialExcess > -toleranceDecibels { break }
            let slope = (trialExcess - previous.excess) / (trialLimit - previous.limit)
            previous = (trialLimit, trialExcess)
            // A secant step, or a plain one where the slope says nothing useful; a little under,
            // so that the search ends on the safe side.
            trialLimit -= (trialExcess + toleranceDecibels / 2) / (slope.isFinite && slope > 0.05 ? slope : 1)
        }
        let chosen = best.map { ($0.sampleCeiling, $0.gain) } ?? last
        return Levelling(gain: chosen.1, sampleCeiling: chosen.0)
    }

    /// A look-ahead brick-wall limiter, in place: the gain each sample needs, ramped down linearly
    /// ahead of each peak (a backward pass) and released linearly after it (a forward pass), so it
    /// never exceeds what any sample needs and never steps. It runs block by block, so the clip is
    /// never held twice: a sample's backward gain depends only on the samples up to
    /// `attackLookahead` after it (past them the ramp has climbed back to 1 or met a sample's own
    /// need, where every later start agrees), so each block's gains are found from a little past
    /// its end, and they are the gains of one backward pass over the whole clip.
    static func limitInPlace(_ samples: UnsafeMutablePointer<Float>, count: Int, ceiling: Float, sampleRate: Int) {
        guard count > 0, ceiling > 0 else { return }
        let attackStep = Float(1 / max(1, attackDuration * Double(sampleRate)))
        let releaseStep = Float(1 / max(1, releaseDuration * Double(sampleRate)))
        // Twice the ramp's length, against rounding in its steps.
        let attackLookahead = 2 * Int((1 / attackStep).rounded(.up)) + 2
        let blockFrameCount = 4096
        withUnsafeTemporaryAllocation(of: Float.self, capacity: blockFrameCount) { gains in
            var previous: Float = 1
            var blockStart = 0
            while blockStart < count {
                let blockEnd = min(count, blockStart + blockFrameCount)
                var next: Float = 1
                var index = min(count, blockEnd + attackLookahead) - 1
                while index >= blockStart {
                    // Most of a voice is under the ceiling with the gain at rest, where the gain
                    // stays exactly 1: eight such samples at a time skip the ramp's arithmetic.
                    if next == 1 && index - 7 >= blockStart {
                        let eight = UnsafeRawPointer(samples + index - 7).loadUnaligned(as: SIMD8<Float>.self)
                        if !any(eight .> ceiling) && !any(eight .< -ceiling) {
                            for offset in 0..<8 where index - offset < blockEnd {
                                gains[index - offset - blockStart] = 1
                            }
                            index -= 8
                            continue
                        }
                    }
                    let magnitude = abs(samples[index])
                    let needed = magnitude > ceiling ? ceiling / magnitude : 1
                    next = min(needed, next + attackStep)
                    if index < blockEnd { gains[index - blockStart] = next }
                    index -= 1
                }
                var gainIndex = blockStart
                while gainIndex < blockEnd {
                    // And where the gain is at rest, eight samples at a time are left as they are.
                    if previous == 1 && gainIndex + 8 <= blockEnd {
                        let eight = UnsafeRawPointer(gains.baseAddress! + gainIndex - blockStart)
                            .loadUnaligned(as: SIMD8<Float>.self)
                        if !any(eight .!= 1) {
                            gainIndex += 8
                            continue
                        }
                    }
                    previous = min(gains[gainIndex - blockStart], previous + releaseStep)
                    samples[gainIndex] *= previous
                    gainIndex += 1
                }
                blockStart = blockEnd
            }
        }
    }
}

/// Keeps how clips were levelled, so that a clip placed again under the same conditions (the same
/// prompt in the same session, exported or played again) skips the search for its limit, the
/// costly part of placing it. The levelling is the same either way, bit for bit.
public struct VoiceLevellingMemo: Sendable {
    /// The note kept for slot `slot`'s clip under `conditions`, or `nil`.
    public var recall: @Sendable (_ slot: Int, _ conditions: String) -> String?
    /// Keeps `note` for slot `slot`'s clip under `conditions`.
    public var keep: @Sendable (_ slot: Int, _ conditions: String, _ note: String) -> Void

    public init(
        recall: @escaping @Sendable (_ slot: Int, _ conditions: String) -> String?,
        keep: @escaping @Sendable (_ slot: Int, _ conditions: String, _ note: String) -> Void
    ) {
        self.recall = recall
        self.keep = keep
    }
}

extension VoicePeakLimiter.Levelling {
    /// The levelling a note holds, or `nil` when it is not one a search can give.
    init?(noteText: String) {
        let words = noteText.split(separator: " ")
        guard words.count == 4, words[0] == "gain", words[2] == "ceiling",
            let gainBits = UInt64(words[1], radix: 16)
        else { return nil }
        gain = Double(bitPattern: gainBits)
        if words[3] == "none" {
            sampleCeiling = nil
        } else {
            guard let ceilingBits = UInt32(words[3], radix: 16) else { return nil }
            sampleCeiling = Float(bitPattern: ceilingBits)
        }
        guard gain.isFinite, gain >= 0, sampleCeiling.map({ $0.isFinite && $0 > 0 }) ?? true else { return nil }
    }
}
