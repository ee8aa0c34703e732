import AudioFiles
import Foundation
import Sequencer
import Testing

@testable import Synthesis

/// A 997 Hz tone of amplitude 0.1 on both channels: -20 LUFS by the standard's definition, so its
/// loudness is known without measuring it.
private func toneFeed() -> MixIn {
    var frame = 0
    let feed = MixInFeed { buffer, frameCount in
        for index in 0..<frameCount {
            let value = Float(0.1 * sin(2 * Double.pi * 997 * Double(frame + index) / 48000))
            buffer[index * 2] = value
            buffer[index * 2 + 1] = value
        }
        frame += frameCount
    }
    return MixIn(feed: feed, loudnessLUFS: -20)
}

/// Renders `timeline` whole, with the tone mixed in or not.
private func render(
    _ timeline: SessionTimeline, mixed: Bool, clips: [VoiceClip] = [], bedMuted: Bool = false,
    masterGainDecibels: Double? = 0, blockFrameCount: Int = 4096
) throws -> [Float] {
    var settings = RenderSettings(seed: 2, fixedMasterGainDecibels: masterGainDecibels)
    settings.isBedMuted = bedMuted
    settings.isVoiceMuted = true
    let renderer = try SessionRenderer(
        timeline: timeline, settings: settings, voiceClips: clips, mixIn: mixed ? toneFeed() : nil)
    let samples = renderAll(renderer, blockFrameCount: blockFrameCount)
    #expect(renderer.mixInUnderrunFrameCount == 0, "rendering waited for the read-ahead, so it never ran dry")
    return samples
}

/// Integrated loudness of `samples` between two times, by libebur128.
private func loudness(_ samples: [Float], from start: Double, to end: Double) throws -> Double {
    try measure(Array(samples[(Int(start * 48000) * 2)..<(Int(end * 48000) * 2)])).integratedLoudnessLUFS
}

@Suite struct MixInTests {
    @Test func atLevelZeroTheFileSitsWhereTheTonesSit() throws {
        let timeline = try makeTimeline("quick-reset", totalSeconds: 60)
        let bed = try render(timeline, mixed: false)
        let chimes = try render(timeline, mixed: false, bedMuted: true)
        let withTone = try render(timeline, mixed: true, bedMuted: true)
        // The mix is linear at these levels (the limiter does not act), so the difference is the tone alone.
        let tone = zip(withTone, chimes).map { $0 - $1 }
        let bedAlone = zip(bed, chimes).map { $0 - $1 }
        let toneLoudness = try loudness(tone, from: 5, to: 40)
        let bedLoudness = try loudness(bedAlone, from: 5, to: 40)
        #expect(abs(toneLoudness - bedLoudness) < 1, "the file at \(toneLoudness) LUFS, the tones at \(bedLoudness)")
    }

    @Test func theFileDucksUnderTheVoiceLikeTheBed() throws {
        let timeline = try makeTimeline("quick-reset", totalSeconds: 60)
        let clip = VoiceClip(startFrame: 20 * 48000, samples: [Float](repeating: 0.01, count: 5 * 48000))
        let chimes = try render(timeline, mixed: false, clips: [clip], bedMuted: true)
        let withTone = try render(timeline, mixed: true, clips: [clip], bedMuted: true)
        let tone = zip(withTone, chimes).map { $0 - $1 }
        let before = try loudness(tone, from: 14, to: 18)
        let under = try loudness(tone, from: 21, to: 24)
        #expect(abs(under - before - Ducking.depthDecibels) < 0.5, "before \(before), under the voice \(under)")
    }

    @Test(arguments: [true, false])
    func theLoudnessPlanCountsTheFile(tonesOn: Bool) throws {
        let timeline = try makeTimeline("quick-reset", totalSeconds: 90)
        let samples = try render(timeline, mixed: true, bedMuted: !tonesOn, masterGainDecibels: nil)
        let measured = try measure(samples).integratedLoudnessLUFS
        #expect(abs(measured - RenderSettings.defaultLoudnessTargetLUFS) < 0.5, "\(measured) LUFS")
    }

    @Test func theFileFollowsTheSleepTailToSilence() throws {
        let routine = try RoutineLibrary.builtIn(named: "quick-reset")
        let timeline = try SessionTimeline(
            routine: routine,
            customization: SessionCustomization(
                totalDuration: SessionDuration(seconds: 60), sleepTail: SessionDuration(seconds: 40)),
            sampleRate: 48000)
        let chimes = try render(timeline, mixed: false, bedMuted: true)
        let withTone = try render(timeline, mixed: true, bedMuted: true)
        let tone = zip(withTone, chimes).map { $0 - $1 }
        let tailStart = Double(timeline.stepsEndFrame) / 48000
        let early = try loudness(tone, from: tailStart + 2, to: tailStart + 6)
        let late = try loudness(tone, from: tailStart + 28, to: tailStart + 32)
        #expect(early - late > 20, "the tail falls from \(early) to \(late) LUFS")
        #expect(withTone.suffix(2 * 48000 / 2).allSatisfy { $0 == 0 }, "the session ends in digital silence")
    }

    @Test func anyBlockSizeGivesTheSameSamples() throws {
        let timeline = try makeTimeline("quick-reset", totalSeconds: 40)
        let hashes = try [1, 441, 4096].map {
            pcmHash(try render(timeline, mixed: true, masterGainDecibels: nil, blockFrameCount: $0))
        }
        #expect(Set(hashes).count == 1, "\(hashes)")
    }
}
