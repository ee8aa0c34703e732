import AudioFiles
import Foundation
import Sequencer
import Testing

@testable import Synthesis

/// The voice is limited as it is levelled, so that a loud target is met with every clip at the
/// speech level the loudness plan counts on.
@Suite struct VoicePeakLimiterTests {
    static let rate = 48000

    @Test func aClipKeepsItsSpeechLevelWithItsPeaksUnderTheCeiling() {
        var clip = speechLikeClip(seconds: 4, seed: 11)
        // Plosives: a few short spikes well over the words, as a synthetic voice's often are.
        for second in [0.7, 1.9, 3.1] {
            let frame = Int(second * Double(Self.rate))
            for index in 0..<48 { clip[frame + index] += Float(0.6 * sin(Double(index) * .pi / 48)) }
        }
        let weighting = KWeighting(sampleRate: Self.rate)
        let targetEnergy = 0.01
        let originalEnergy = VoiceTrack.weightedMeanSquare(clip, count: clip.count, weighting: weighting)
        let originalPeak = Double(clip.map { abs($0) }.max() ?? 0)
        let ceiling = 0.5
        let overshoot = 20 * log10(originalPeak * (targetEnergy / originalEnergy).squareRoot() / ceiling)
        #expect(overshoot > 6, "the clip levelled peaks only \(overshoot) dB over the ceiling")

        var limited = clip
        let gain = VoicePeakLimiter.levelAndLimit(
            &limited, count: limited.count, targetEnergy: targetEnergy, peakGain: 1, ceiling: ceiling,
            sampleRate: Self.rate, weighting: weighting)
        let energy = VoiceTrack.weightedMeanSquare(limited, count: limited.count, weighting: weighting) * gain * gain
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

    @Test(arguments: [-16.0, -10.0])
    func aLoudTargetIsMetWithTheVoiceUnderTheCeiling(target: Double) throws {
        let timeline = try makeTimeline("quick-reset", totalSeconds: 120)
        let clips = timeline.steps.enumerated().map { index, step in
            let delay = index == 0 ? PromptTiming.startChimeDelay.seconds : 0
            let start = step.startFrame + Int64((delay + PromptTiming.leadIn.seconds) * Double(Self.rate))
            let seconds = min(5.0, Double(step.endFrame - start) / Double(Self.rate) - 1.5)
            return VoiceClip(startFrame: start, samples: speechLikeClip(seconds: seconds, seed: UInt64(index)))
        }
        let renderer = try SessionRenderer(
            timeline: timeline, settings: RenderSettings(loudnessTargetLUFS: target), voiceClips: clips)
        let meter = try measure(renderAll(renderer))
        #expect(abs(meter.integratedLoudnessLUFS - target) <= 0.5, "\(meter.integratedLoudnessLUFS) LUFS for \(target)")
        #expect(meter.truePeakDecibels <= -1, "true peak \(meter.truePeakDecibels) dBTP")
    }
}
