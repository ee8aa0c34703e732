import AudioFiles
import Foundation
import Sequencer
import Speech
import Testing

@testable import Synthesis

/// Real speech from flite in a rendered session: where it lands, how the bed ducks under it and
/// how loud the whole is. Four renders of one short session, all at the first one's master gain,
/// isolate each layer by subtraction (the limiter does not act on bed and chimes alone).
@Suite(.serialized) struct SpokenSessionTests {
    static let sampleRate = 48000

    final class Renders: @unchecked Sendable {
        let timeline: SessionTimeline
        let prompts: [SpokenPrompt]
        /// Bed, chimes and voice: what play and export make.
        let full: [Float]
        /// Bed ducked for the prompts and chimes, without the voice.
        let duckedBed: [Float]
        /// Bed and chimes with no prompts at all.
        let plainBed: [Float]
        /// Chimes alone.
        let chimes: [Float]

        init() throws {
            let routine = Routine(
                name: "spoken", title: "Spoken",
                items: [
                    .step(
                        RoutineStep(
                            id: "settle", title: "Settle", duration: SessionDuration(seconds: 25),
                            say: "Sit back somewhere quiet, rest one foot across your knee, and breathe out slowly.")),
                    .step(
                        RoutineStep(
                            id: "circles", title: "Circles", duration: SessionDuration(seconds: 25),
                            say: "Press your thumbs into the sole, and make small, slow circles with firm pressure.")),
                    .step(
                        RoutineStep(
                            // "Last step.", this and the closing words, at 120 words a minute
                            // with a second between sentences, and 15.5 s after them.
                            id: "rest", title: "Rest", duration: SessionDuration(seconds: 34),
                            say: "Set your foot down, and let it rest.")),
                ])
            let timeline = try SessionTimeline(routine: routine, sampleRate: SpokenSessionTests.sampleRate)
            self.timeline = timeline
            let cache = FileManager.default.temporaryDirectory.appending(path: "soothe-spoken-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: cache) }
            let prompts = try PromptSynthesizer(cache: PromptCache(directory: cache, warn: { _ in })).prepare(
                for: timeline)
            self.prompts = prompts
            let clips = prompts.map { VoiceClip(startFrame: $0.startFrame, samples: $0.samples) }

            let first = try SessionRenderer(timeline: timeline, settings: RenderSettings(seed: 1), voiceClips: clips)
            full = Renders.render(first)
            func render(clips: [VoiceClip], isBedMuted: Bool = false, isVoiceMuted: Bool = false) throws -> [Float] {
                var settings = RenderSettings(seed: 1, fixedMasterGainDecibels: first.masterGainDecibels)
                settings.isBedMuted = isBedMuted
                settings.isVoiceMuted = isVoiceMuted
                return Renders.render(try SessionRenderer(timeline: timeline, settings: settings, voiceClips: clips))
            }
            duckedBed = try render(clips: clips, isVoiceMuted: true)
            plainBed = try render(clips: [])
            chimes = try render(clips: [], isBedMuted: true)
        }

        static func render(_ renderer: SessionRenderer) -> [Float] {
            var samples = [Float](repeating: 0, count: Int(renderer.totalFrames) * 2)
            samples.withUnsafeMutableBufferPointer { buffer in
                var done = 0
                while case let written = renderer.render(into: buffer.baseAddress! + done * 2, frameCount: 4096),
                    written > 0
                {
                    done += written
                }
            }
            return samples
        }
    }

    static let renders = Result { try Renders() }

    /// The left channel of `a - b` over `frames`.
    static func difference(_ a: [Float], _ b: [Float], frames: Range<Int>) -> [Float] {
        frames.map { a[2 * $0] - b[2 * $0] }
    }

    static func rootMeanSquareDecibels(_ samples: [Float]) -> Double {
        let power = samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(samples.count, 1))
        return 10 * log10(max(power, 1e-30))
    }

    @Test func everyPromptStartsWithinTenMillisecondsOfItsFrame() throws {
        let renders = try Self.renders.get()
        #expect(renders.prompts.count == 4)  // three steps' prompts and the closing words
        let maximumLag = Self.sampleRate / 100
        for prompt in renders.prompts {
            // Where the voice in the mix lines up best with the clip, by cross-correlation over
            // half a second from where the speech in the clip becomes loud (speech engines lead
            // in with a little near-silence).
            let loud = try #require(prompt.samples.firstIndex { abs($0) > 0.01 })
            let start = Int(prompt.startFrame) + loud
            let window = min(Self.sampleRate / 2, prompt.samples.count - loud)
            let voice = Self.difference(
                renders.full, renders.duckedBed, frames: (start - maximumLag)..<(start + window + maximumLag))
            var bestLag = 0
            var bestScore = -Double.infinity
            for lag in -maximumLag...maximumLag {
                var score = 0.0
                for index in 0..<window {
                    score += Double(voice[index + lag + maximumLag]) * Double(prompt.samples[loud + index])
                }
                if score > bestScore { (bestScore, bestLag) = (score, lag) }
            }
            #expect(bestLag == 0, "prompt '\(prompt.text)' is \(bestLag) frames off its planned frame")
            #expect(bestScore > 0)
        }
    }

    /// Inside each prompt, away from its edges, the bed sits 3-4 dB below where it is without
    /// speech, and the voice at least 10 dB above the ducked bed.
    @Test func theBedDucksUnderSpeechAndTheVoiceStandsAboveIt() throws {
        let renders = try Self.renders.get()
        for prompt in renders.prompts {
            let edge = Self.sampleRate / 2
            let frames = (Int(prompt.startFrame) + edge)..<(Int(prompt.endFrame) - edge)
            try #require(frames.count > Self.sampleRate, "prompt '\(prompt.text)' is too short to measure")
            let ducked = Self.rootMeanSquareDecibels(Self.difference(renders.duckedBed, renders.chimes, frames: frames))
            let plain = Self.rootMeanSquareDecibels(Self.difference(renders.plainBed, renders.chimes, frames: frames))
            let voice = Self.rootMeanSquareDecibels(Self.difference(renders.full, renders.duckedBed, frames: frames))
            #expect((3...4).contains(plain - ducked), "'\(prompt.text)': the bed ducks \(plain - ducked) dB")
            #expect(voice - ducked >= 10, "'\(prompt.text)': the voice is \(voice - ducked) dB above the bed")
        }
    }

    @Test func theSessionWithItsVoiceMeetsTheLoudnessTarget() throws {
        let renders = try Self.renders.get()
        let meter = try LoudnessMeter(channelCount: 2, sampleRate: Self.sampleRate)
        meter.add(renders.full)
        #expect(abs(meter.integratedLoudnessLUFS - RenderSettings.defaultLoudnessTargetLUFS) <= 0.5)
        #expect(meter.truePeakDecibels <= RenderSettings.defaultTruePeakCeilingDecibels + 0.05)
        #expect(meter.samplePeakDecibels <= RenderSettings.defaultTruePeakCeilingDecibels)
    }
}
