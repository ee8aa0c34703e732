import Foundation
import Sequencer
import Testing

@testable import Synthesis

/// The soft bells inside a step: their own quiet sound, struck on the frames the timeline gives
/// them after `--step` and `--total`, and left out where they would fall on a prompt.
struct StepBellTests {
    private static let rate = 48000

    /// Settle 30 s, then circles 1m with bells at 20 s and at 50 %, then rest 30 s.
    private func routine(bells: StepBells? = .at([.time(SessionDuration(seconds: 20)), .share(0.5)])) -> Routine {
        Routine(
            name: "bells", title: "Bells",
            items: [
                .step(RoutineStep(id: "settle", title: "Settle", duration: SessionDuration(seconds: 30))),
                .step(
                    RoutineStep(id: "circles", title: "Circles", duration: SessionDuration(seconds: 60), bells: bells)),
                .step(RoutineStep(id: "rest", title: "Rest", duration: SessionDuration(seconds: 30))),
            ])
    }

    /// The left channel of a render with the bed muted and a fixed gain, so that two renders differ
    /// only by the strikes one has and the other has not.
    private func render(_ routine: Routine, customization: SessionCustomization, clips: [VoiceClip] = []) throws
        -> [Float]
    {
        let timeline = try SessionTimeline(routine: routine, customization: customization, sampleRate: Self.rate)
        var settings = RenderSettings(seed: 3, fixedMasterGainDecibels: 0)
        settings.isBedMuted = true
        let samples = renderAll(try SessionRenderer(timeline: timeline, settings: settings, voiceClips: clips))
        return stride(from: 0, to: samples.count, by: 2).map { samples[$0] }
    }

    /// The frames where the sessions with and without bells start to differ after a silence.
    private func bellOnsets(_ customization: SessionCustomization, clips: [VoiceClip] = []) throws -> [Int64] {
        let with = try render(routine(), customization: customization, clips: clips)
        let without = try render(routine(bells: nil), customization: customization, clips: clips)
        var onsets: [Int64] = []
        var lastDifference = -Self.rate
        for index in with.indices where with[index] != without[index] {
            if index - lastDifference > Self.rate / 2 { onsets.append(Int64(index)) }
            lastDifference = index
        }
        return onsets
    }

    private func frames(_ seconds: Double) -> Int64 { Int64((seconds * Double(Self.rate)).rounded()) }

    static let lengthCases: [(SessionCustomization, Double, [Double])] = [
        // As written: circles starts at 30 s; bells at 20 s and 30 s into it.
        (SessionCustomization(), 30.0, [20.0, 30.0]),
        // --step circles=2m: 20 s stays, 50 % moves to 60 s.
        (
            SessionCustomization(stepOverrides: [StepOverride(stepID: "circles", duration: .init(seconds: 120))]),
            30, [20, 60]
        ),
        // --total 3m (1.5 times 2m): circles starts at 45 s and lasts 90 s.
        (SessionCustomization(totalDuration: .init(seconds: 180)), 45, [20, 45]),
    ]

    @Test(arguments: lengthCases)
    func bellsStrikeOnTheirFrames(customization: SessionCustomization, stepStart: Double, offsets: [Double]) throws {
        let expected = offsets.map { frames(stepStart + $0) }
        let timeline = try SessionTimeline(routine: routine(), customization: customization, sampleRate: Self.rate)
        #expect(timeline.bells.map(\.frame) == expected)
        // A strike rises from zero: its first sample is silent, the one after it is not.
        #expect(try bellOnsets(customization) == expected.map { $0 + 1 })
    }

    @Test func aBellThatWouldFallOnAPromptIsLeftOut() throws {
        // A prompt from 48 s to 51 s: the bell at 50 s is under it; the one at 60 s rings.
        let clip = VoiceClip(
            startFrame: frames(48),
            samples: (0..<(3 * Self.rate)).map { Float(0.2 * sin(2 * Double.pi * 220 * Double($0) / 48000)) })
        #expect(try bellOnsets(SessionCustomization(), clips: [clip]) == [frames(60) + 1])
        // Before a prompt by less than the clearance: left out too.
        let later = VoiceClip(startFrame: frames(51.5), samples: clip.samples)
        #expect(try bellOnsets(SessionCustomization(), clips: [later]) == [frames(60) + 1])
        // Clear of the prompt: both ring.
        let early = VoiceClip(startFrame: frames(40), samples: clip.samples)
        #expect(try bellOnsets(SessionCustomization(), clips: [early]) == [frames(50) + 1, frames(60) + 1])
    }

    @Test func theStepBellIsQuieterAndShorterThanEveryCueBetweenSteps() {
        func measure(_ kind: CueKind) -> (peak: Double, energy: Double, ringSeconds: Double) {
            let mono = Chime.chime(for: kind).render(
                keySemitonesAboveC: 2, sampleRate: Self.rate, frameCount: 16 * Self.rate)
            let peak = Double(mono.map { abs($0) }.max() ?? 0)
            let energy = mono.reduce(0.0) { $0 + Double($1) * Double($1) }
            // The last moment the sound is within 40 dB of its peak.
            let last = mono.lastIndex { Double(abs($0)) > peak / 100 } ?? 0
            return (peak, energy, Double(last) / Double(Self.rate))
        }
        let bell = measure(.stepBell)
        for kind in CueKind.allCases where kind != .stepBell {
            let cue = measure(kind)
            let peakDecibels = 20 * log10(bell.peak / cue.peak)
            let energyDecibels = 10 * log10(bell.energy / cue.energy)
            #expect(peakDecibels <= -3, "the step bell peaks only \(peakDecibels) dB under \(kind)")
            #expect(energyDecibels <= -6, "the step bell carries only \(energyDecibels) dB less energy than \(kind)")
            #expect(
                bell.ringSeconds < cue.ringSeconds * 0.7,
                "the step bell rings \(bell.ringSeconds) s, \(kind) \(cue.ringSeconds) s")
        }
    }
}
