import Foundation
import Sequencer
import Testing

@testable import Speech

struct FliteTests {
    static let sentence = "Press your thumbs into the sole, and make small, slow circles with firm pressure."

    @Test(arguments: [44100, 48000])
    func sltSpeaksAtTheSessionRate(sampleRate: Int) throws {
        let synthesizer = try PromptSynthesizer(voice: .default, cache: nil)
        let samples = try synthesizer.clip(for: Self.sentence, sampleRate: sampleRate)
        let seconds = Double(samples.count) / Double(sampleRate)
        // 14 words at 120 a minute is 7 s, give or take this sentence's own words; the clip is
        // trimmed to its words.
        #expect(seconds > 6.3 && seconds < 7.8, "\(seconds) s")
        #expect(rootMeanSquare(samples) > 0.01)
        #expect(samples.allSatisfy { $0.isFinite && abs($0) <= 1.5 })
    }

    @Test(arguments: ["slt", "rms", "awb", "kal"])
    func everyFliteVoiceSpeaks(name: String) throws {
        let synthesizer = try PromptSynthesizer(voice: try Voice(parsing: name), cache: nil)
        let samples = try synthesizer.clip(for: "Rest your feet.", sampleRate: 48000)
        #expect(Double(samples.count) / 48000 > 0.6)
        #expect(rootMeanSquare(samples) > 0.01)
    }

    @Test func aSlowerRateSpeaksLonger() throws {
        let calm = try PromptSynthesizer(voice: .default, speechRatePerMinute: 120, cache: nil)
        let brisk = try PromptSynthesizer(voice: .default, speechRatePerMinute: 180, cache: nil)
        let calmCount = Double(try calm.clip(for: Self.sentence, sampleRate: 48000).count)
        let briskCount = Double(try brisk.clip(for: Self.sentence, sampleRate: 48000).count)
        // flite's pace is proportional to its duration stretch (see `FliteVoice.all`), so the
        // lengths go as 180 / 120 = 1.5, give or take the trimmed edges.
        #expect(calmCount / briskCount > 1.44 && calmCount / briskCount < 1.56, "\(calmCount / briskCount)")
    }

    /// flite is run on several threads at once; this would show any shared state it writes.
    @Test func parallelSynthesisMatchesSerial() throws {
        let texts = (1...6).map { "Now the toes, one by one. Circle toe number \($0) gently." }
        let serial = try texts.map {
            try PromptSynthesizer(voice: .default, cache: nil).clip(for: $0, sampleRate: 16000)
        }
        let parallel = try PromptSynthesizer(voice: .default, cache: nil).speak(texts + texts, sampleRate: 16000)
        let prefixMatches = Array(parallel.prefix(6)) == serial
        let suffixMatches = Array(parallel.suffix(6)) == serial
        #expect(prefixMatches)
        #expect(suffixMatches)
    }
}
