import AudioFiles
import Foundation
import Sequencer
import Synchronization
import Testing

@testable import Synthesis

/// The voice is limited as it is levelled, so that a loud target is met with every clip at the
/// speech level the loudness plan counts on.
@Suite struct VoicePeakLimiterTests {
    static let rate = 48000

    @Test func aClipKeepsItsSpeechLevelWithItsPeaksUnderTheCeiling() throws {
        var clip = speechLikeClip(seconds: 4, seed: 11)
        // Plosives: a few short spikes well over the words, as a synthetic voice's often are.
        for second in [0.7, 1.9, 3.1] {
            let frame = Int(second * Double(Self.rate))
            for index in 0..<48 { clip[frame + index] += Float(0.6 * sin(Double(index) * .pi / 48)) }
        }
        let weighting = KWeighting(sampleRate: Self.rate)
        let targetEnergy = 0.01
        let originalEnergy = Self.weightedMeanSquare(clip, weighting: weighting)
        let originalPeak = Double(clip.map { abs($0) }.max() ?? 0)
        let ceiling = 0.5
        let overshoot = 20 * log10(originalPeak * (targetEnergy / originalEnergy).squareRoot() / ceiling)
        #expect(overshoot > 6, "the clip levelled peaks only \(overshoot) dB over the ceiling")

        // As a clip is placed: the levelling searched for, then the clip limited to it.
        var limited = clip
        let levelling = clip.withUnsafeBufferPointer {
            VoicePeakLimiter.levelling(
                $0, targetEnergy: targetEnergy, peakGain: 1, ceiling: ceiling, sampleRate: Self.rate,
                weighting: weighting)
        }
        let sampleCeiling = try #require(levelling.sampleCeiling)
        limited.withUnsafeMutableBufferPointer {
            VoicePeakLimiter.limitInPlace(
                $0.baseAddress!, count: $0.count, ceiling: sampleCeiling, sampleRate: Self.rate)
        }
        let gain = levelling.gain
        let energy = Self.weightedMeanSquare(limited, weighting: weighting) * gain * gain
        let levelError = 10 * log10(energy / targetEnergy)
        #expect(abs(levelError) < 0.01, "the clip lands \(levelError) dB off its speech level")
        let peak = Double(limited.map { abs($0) }.max() ?? 0) * gain
        #expect(20 * log10(peak / ceiling) <= 0.001, "the peak lands \(20 * log10(peak / ceiling)) dB over")
        // Limited only as far as needed: close under the ceiling, not far below it.
        #expect(20 * log10(peak / ceiling) > -0.5, "the peak lands \(20 * log10(peak / ceiling)) dB under")
        // The gain moves smoothly: no sample is scaled very differently from its neighbour.
        var largestStep: Float = 0
        for index in 1..<clip.count where abs(clip[index]) > 0.01 && abs(clip[index - 1]) > 0.01 {
            largestStep = max(largestStep, abs(limited[index] / clip[index] - limited[index - 1] / clip[index - 1]))
        }
        #expect(largestStep < 0.01, "the limiter's gain steps by \(largestStep)")
    }

    static func weightedMeanSquare(_ samples: [Float], weighting: KWeighting) -> Double {
        samples.withUnsafeBufferPointer { VoiceTrack.weightedMeanSquare($0, weighting: weighting) }
    }

    /// The limiter as it is defined, on the whole clip at once into a second buffer: the gain each
    /// sample needs, ramped down ahead of each peak by one backward pass and released after it by
    /// one forward pass. The block-by-block limiter in place must give its very samples.
    static func twoPassLimit(_ source: [Float], ceiling: Float, sampleRate: Int) -> [Float] {
        let attackStep = Float(1 / max(1, VoicePeakLimiter.attackDuration * Double(sampleRate)))
        let releaseStep = Float(1 / max(1, VoicePeakLimiter.releaseDuration * Double(sampleRate)))
        var gains = [Float](repeating: 1, count: source.count)
        var next: Float = 1
        for index in source.indices.reversed() {
            let magnitude = abs(source[index])
            next = min(magnitude > ceiling ? ceiling / magnitude : 1, next + attackStep)
            gains[index] = next
        }
        var previous: Float = 1
        return source.indices.map { index in
            previous = min(gains[index], previous + releaseStep)
            return source[index] * previous
        }
    }

    /// quick-reset over two minutes, with a speech-like clip of up to 5 s where each step's prompt goes.
    static func quickResetWithSpeechLikeClips() throws -> (SessionTimeline, [VoiceClip]) {
        let timeline = try makeTimeline("quick-reset", totalSeconds: 120)
        let clips = timeline.steps.enumerated().map { index, step in
            let delay = index == 0 ? PromptTiming.startChimeDelay.seconds : 0
            let start = step.startFrame + Int64((delay + PromptTiming.leadIn.seconds) * Double(Self.rate))
            let seconds = min(5.0, Double(step.endFrame - start) / Double(Self.rate) - 1.5)
            return VoiceClip(startFrame: start, samples: speechLikeClip(seconds: seconds, seed: UInt64(index)))
        }
        return (timeline, clips)
    }

    @Test(arguments: [-16.0, -10.0])
    func aLoudTargetIsMetWithTheVoiceUnderTheCeiling(target: Double) throws {
        let (timeline, clips) = try Self.quickResetWithSpeechLikeClips()
        let renderer = try SessionRenderer(
            timeline: timeline, settings: RenderSettings(loudnessTargetLUFS: target), voiceClips: clips)
        let meter = try measure(renderAll(renderer))
        #expect(abs(meter.integratedLoudnessLUFS - target) <= 0.5, "\(meter.integratedLoudnessLUFS) LUFS for \(target)")
        #expect(meter.truePeakDecibels <= -1, "true peak \(meter.truePeakDecibels) dBTP")
    }

    /// Limiting in place, block by block, gives the very samples of the two-pass limiter over the
    /// whole clip: peaks on and around the blocks' edges, close runs of them and a clip that ends
    /// on one.
    @Test(arguments: [44100, 48000])
    func limitingInPlaceGivesTheSameSamples(sampleRate: Int) {
        var clip = speechLikeClip(seconds: 3, sampleRate: sampleRate, seed: 5)
        let edges = [0, 1, 4095, 4096, 4097, 8000, 8191, 8192, 12_288 - 100, 30_000, 30_100, clip.count - 1]
        for (number, edge) in edges.enumerated() { clip[edge] = number % 2 == 0 ? 0.9 : -0.8 }
        for index in 50_000..<50_300 where index % 7 == 0 { clip[index] = 0.7 }
        for ceiling: Float in [0.05, 0.2, 0.5, 2] {
            let separate = Self.twoPassLimit(clip, ceiling: ceiling, sampleRate: sampleRate)
            var inPlace = clip
            inPlace.withUnsafeMutableBufferPointer {
                VoicePeakLimiter.limitInPlace(
                    $0.baseAddress!, count: clip.count, ceiling: ceiling, sampleRate: sampleRate)
            }
            let differing = zip(separate, inPlace).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "\(differing) samples differ at ceiling \(ceiling)")
            #expect(separate != clip || ceiling >= 1)
        }
    }

    /// The levelling of a clip found once is kept and reused (an export again from a warm cache
    /// skips the search) and gives the very samples of the search: the memo holds every bit.
    @Test func aLevellingKeptInTheMemoGivesTheSameSamples() throws {
        let (timeline, clips) = try Self.quickResetWithSpeechLikeClips()
        let plans = voicePlans(exactlyFor: clips)
        let notes = Mutex<[String: String]>([:])
        let recalled = Mutex(0)
        let memo = VoiceLevellingMemo(
            recall: { slot, conditions in
                notes.withLock { $0["\(slot) \(conditions)"] }.map { note in
                    recalled.withLock { $0 += 1 }
                    return note
                }
            },
            keep: { slot, conditions, note in notes.withLock { $0["\(slot) \(conditions)"] = note } })
        // A loud target, so that every clip is limited as well as levelled.
        func render(memo: VoiceLevellingMemo?) throws -> [Float] {
            let renderer = try SessionRenderer(
                timeline: timeline, settings: RenderSettings(loudnessTargetLUFS: -10), voicePlans: plans)
            try renderer.deliverAhead(startFrames: clips.map(\.startFrame), levellingMemo: memo) {
                VoiceClipSource(clips[$0])
            }
            return try renderDeliveredAhead(renderer, blockFrameCount: 4096)
        }
        let searched = try render(memo: nil)
        let first = try render(memo: memo)
        let limitedCount = notes.withLock { $0.values.filter { !$0.hasSuffix("none") }.count }
        #expect(notes.withLock { $0.count } == clips.count)
        #expect(limitedCount == clips.count, "only \(limitedCount) of \(clips.count) clips were limited")
        #expect(recalled.withLock { $0 } == 0)
        let again = try render(memo: memo)
        #expect(recalled.withLock { $0 } == clips.count)
        #expect(first == searched)
        #expect(again == searched)

        // And the memo is what sets the level: a note with another gain changes the samples.
        try notes.withLock { notes in
            for (key, note) in notes {
                let levelling = try #require(VoicePeakLimiter.Levelling(noteText: note))
                notes[key] =
                    VoicePeakLimiter.Levelling(
                        gain: levelling.gain / 2, sampleCeiling: levelling.sampleCeiling
                    ).noteText
            }
        }
        let halved = try render(memo: memo)
        #expect(halved != searched)
        for note in ["", "gain 3ff0000000000000 ceiling", "gain x ceiling none", "gain 7ff8000000000000 ceiling none"] {
            #expect(VoicePeakLimiter.Levelling(noteText: note) == nil, "\(note) read as a levelling")
        }
    }
}
