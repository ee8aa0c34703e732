import Foundation
import Sequencer
import Testing

@testable import Speech

/// espeak-ng is one process-wide engine; these run one at a time.
@Suite(.serialized)
struct EspeakTests {
    @Test(arguments: [44100, 48000])
    func espeakSpeaksAtTheSessionRate(sampleRate: Int) throws {
        let synthesizer = try PromptSynthesizer(voice: try Voice(parsing: "espeak:en"), cache: nil)
        let samples = try synthesizer.clip(for: FliteTests.sentence, sampleRate: sampleRate)
        let seconds = Double(samples.count) / Double(sampleRate)
        #expect(seconds > 4.5 && seconds < 8.5, "\(seconds) s")
        #expect(rootMeanSquare(samples) > 0.01)
    }

    @Test(arguments: ["espeak:en-gb+f3", "espeak:de", "espeak:en-us", "espeak:EN-GB"])
    func namedVoicesSpeak(name: String) throws {
        let synthesizer = try PromptSynthesizer(voice: try Voice(parsing: name), cache: nil)
        let samples = try synthesizer.clip(for: "Guten Abend. Good evening.", sampleRate: 48000)
        #expect(rootMeanSquare(samples) > 0.01)
    }

    /// Choosing a Piper voice as the default checks that espeak-ng gives its phonemes; a check
    /// that passed is remembered, one that failed is not.
    @Test func aPassedPhonemeCheckIsRememberedAndAFailedOneIsNot() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        func memos() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("espeak-") }
        }
        try EspeakEngine.checkPhonemes(voice: "en-us", memoFolder: folder)
        #expect(try memos().count == 1)
        #expect(throws: SpeechError.self) { try EspeakEngine.checkPhonemes(voice: "xx-nowhere", memoFolder: folder) }
        #expect(try memos().count == 1)
    }

    /// A remembered check is not made again: with a memo under its identity, even a voice
    /// espeak-ng lacks passes (so the memo, not espeak-ng, answered); a memo for another voice
    /// does not count.
    @Test func aRememberedPhonemeCheckIsNotMadeAgain() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try EspeakEngine.checkPhonemes(voice: "en-us", memoFolder: folder)
        #expect(throws: SpeechError.self) { try EspeakEngine.checkPhonemes(voice: "xx-nowhere", memoFolder: folder) }
        let identity = EspeakEngine.dataIdentity(forVoice: "xx-nowhere")
        try Data().write(to: folder.appending(path: "espeak-" + ContentHash.hex(of: identity)))
        try EspeakEngine.checkPhonemes(voice: "xx-nowhere", memoFolder: folder)
        #expect(identity.contains("espeak-ng \(EspeakEngine.version)"))
        #expect(identity != EspeakEngine.dataIdentity(forVoice: "en-us"))
    }

    /// espeak-ng carries a little state (its pitch flutter) from one utterance to the next, so the
    /// cache, not the engine, is what makes a second run identical.
    @Test func aCachedEspeakPromptIsIdenticalToTheFirst() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let voice = try Voice(parsing: "espeak:en-gb+f3")
        let cold = try PromptSynthesizer(voice: voice, cache: PromptCache(directory: directory))
        let first = try cold.speak(["Breathe out slowly.", "Rest your feet."], sampleRate: 44100)
        let warm = try PromptSynthesizer(voice: voice, cache: PromptCache(directory: directory))
        let second = try warm.speak(["Breathe out slowly.", "Rest your feet."], sampleRate: 44100)
        let isSame = first == second
        #expect(isSame)
        #expect((cold.synthesisCount, warm.synthesisCount) == (2, 0))
    }

    /// espeak-ng's own rate setting is not the pace heard (175 speaks about 208 words a minute);
    /// the pace asked for is.
    @Test func theRateIsInWordsPerMinute() throws {
        let synthesizer = try PromptSynthesizer(
            voice: try Voice(parsing: "espeak:en"), speechRatePerMinute: 150, cache: nil)
        let samples = try synthesizer.clip(for: PaceTests.twoSentences, sampleRate: 48000)
        let pace = PaceMeasurement(samples: samples, sampleRate: 48000, text: PaceTests.twoSentences)
        #expect(abs(pace.wordsPerMinute - 150) < 150 * 0.04, "\(pace)")
    }

    @Test func anUnknownEspeakVoiceListsEspeakVoices() throws {
        let error = #expect(throws: SpeechError.self) {
            try PromptSynthesizer(voice: try Voice(parsing: "espeak:xx-nonsense"), cache: nil)
        }
        #expect(error?.kind == .unknownVoice)
        #expect(error?.message.contains("espeak-ng has no voice 'espeak:xx-nonsense'") == true)
        #expect(error?.message.contains("espeak:en-gb") == true)
        #expect(error?.message.contains("espeak:de") == true)
        #expect(error?.message.contains("slt") == true)

        let variant = #expect(throws: SpeechError.self) {
            try PromptSynthesizer(voice: try Voice(parsing: "espeak:en+nonsense"), cache: nil)
        }
        #expect(variant?.message.contains("its variants are") == true)
        #expect(variant?.message.contains("f3") == true)
    }

    @Test func voiceListHasEnglishAndVariants() throws {
        let listing = try VoiceCatalog.espeakVoices()
        #expect(listing.voices.contains { $0.name == "espeak:en-gb" })
        #expect(listing.voices.count > 50)
        #expect(listing.variants.contains("f3"))
    }
}
