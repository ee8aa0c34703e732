import Foundation
import Sequencer
import Testing

@testable import Speech

/// The pace every engine speaks at, measured on its output with `PaceMeasurement`: words over the
/// time from the first to the last sound, less the silences between sentences. Each test speaks
/// offline with a synthesiser of its own, so they run side by side.
struct PaceTests {
    /// Two sentences of the built-in routines, with commas. A single sentence's pace strays from
    /// the average with its words (from 100 to 160 words a minute over the built-in prompts), so
    /// these two are chosen for words of the length the built-in prompts have on average.
    static let twoSentences =
        "Glide your thumbs slowly along the arch, from the heel towards the toes. "
        + "Gently set that foot down, and bring up your left foot."

    static let voiceNames = ["slt", "rms", "awb", "kal", "espeak:en-us", "piper:en_US-joe-medium"]

    /// Whether the voice's pace varies from one process to the next. A Piper voice's durations
    /// are drawn at random: `twoSentences` measured 120-127 words a minute at 120, 103-106 at 100
    /// and 155-165 at 160 over five runs, so one take of it is held to twice the tolerance of
    /// flite and espeak-ng, which speak the same every time. Over a whole routine its pace
    /// settles (`theDefaultRoutineIsReadAtTheDefaultPace`: 116-117.4 over four runs).
    static func varies(_ name: String) -> Bool { name.hasPrefix("piper:") }

    static func voice(_ name: String) throws -> Voice {
        try Voice(parsing: name, locations: JoeVoice.locations)
    }

    static func measure(
        _ text: String, voice name: String, wordsPerMinute: Double, sampleRate: Int = 48000
    ) throws -> PaceMeasurement {
        let synthesizer = try PromptSynthesizer(
            voice: voice(name), speechRatePerMinute: wordsPerMinute, cache: nil, locations: JoeVoice.locations)
        let samples = try synthesizer.clip(for: text, sampleRate: sampleRate)
        return PaceMeasurement(samples: samples, sampleRate: sampleRate, text: text)
    }

    @Test(arguments: voiceNames)
    func theDefaultPaceIsABedtimePace(voice: String) throws {
        #expect(SpeechRate.defaultWordsPerMinute == 120)
        let pace = try Self.measure(Self.twoSentences, voice: voice, wordsPerMinute: SpeechRate.defaultWordsPerMinute)
        let range: ClosedRange<Double> = Self.varies(voice) ? 110...130 : 115...125
        #expect(range.contains(pace.wordsPerMinute), "\(voice): \(pace)")
        #expect(pace.sentenceGapSeconds.count == 1, "\(voice): \(pace)")
        #expect(pace.sentenceGapSeconds.allSatisfy { (0.8...1.2).contains($0) }, "\(voice): \(pace)")
        // The pauses at commas stay the engine's own, well short of a sentence's.
        #expect(pace.longestPauseInSentenceSeconds < 0.6, "\(voice): \(pace)")
    }

    /// Over all the prompts of the default routine, as a session is heard, every engine speaks at
    /// the default pace, with calm pauses between all sentences.
    @Test(arguments: voiceNames)
    func theDefaultRoutineIsReadAtTheDefaultPace(voice: String) throws {
        let routine = try RoutineLibrary.builtIn(named: RoutineLibrary.defaultRoutineName)
        let timeline = try SessionTimeline(routine: routine, sampleRate: 24000)
        let synthesizer = try PromptSynthesizer(voice: Self.voice(voice), cache: nil, locations: JoeVoice.locations)
        var wordCount = 0
        var speakingSeconds = 0.0
        var gaps: [Double] = []
        for prompt in try synthesizer.prepare(for: timeline) {
            let pace = PaceMeasurement(samples: prompt.samples, sampleRate: prompt.sampleRate, text: prompt.text)
            let words = PaceMeasurement.wordCount(of: prompt.text)
            wordCount += words
            speakingSeconds += Double(words) / pace.wordsPerMinute * 60
            gaps += pace.sentenceGapSeconds
        }
        let wordsPerMinute = Double(wordCount) / speakingSeconds * 60
        #expect((115...125).contains(wordsPerMinute), "\(voice): \(wordsPerMinute) words a minute")
        #expect(gaps.count > 10 && gaps.allSatisfy { (0.8...1.2).contains($0) }, "\(voice): gaps \(gaps)")
    }

    /// A routine's `speech-rate:` reaches the engine, and the pace heard follows it: words and the
    /// pauses between sentences alike.
    @Test(arguments: voiceNames)
    func aRoutinesSpeechRateSetsThePaceHeard(voice: String) throws {
        var measured: [Double: PaceMeasurement] = [:]
        for rate in [100.0, 160.0] {
            let yaml = """
                title: Paced
                speech-rate: \(Int(rate))
                steps:
                  - id: circles
                    title: Circles
                    duration: 1m
                    say: \(Self.twoSentences)
                """
            let folder = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: folder) }
            let file = folder.appending(path: "paced.yaml")
            try Data(yaml.utf8).write(to: file)
            let routine = try RoutineLibrary.loadFile(atPath: file.path)
            let timeline = try SessionTimeline(routine: routine, sampleRate: 48000)
            let routineRate = try #require(timeline.speechRatePerMinute)
            let synthesizer = try PromptSynthesizer(
                voice: Self.voice(voice), speechRatePerMinute: routineRate, cache: nil, locations: JoeVoice.locations)
            let prompt = try #require(try synthesizer.prepare(for: timeline).first { $0.text == Self.twoSentences })
            let pace = PaceMeasurement(samples: prompt.samples, sampleRate: 48000, text: prompt.text)
            #expect(
                abs(pace.wordsPerMinute / rate - 1) < (Self.varies(voice) ? 0.08 : 0.04), "\(voice) at \(rate): \(pace)"
            )
            measured[rate] = pace
        }
        let slow = try #require(measured[100]), fast = try #require(measured[160])
        let paceRatio = fast.wordsPerMinute / slow.wordsPerMinute
        // Each pace is within 4 % of its line (see `PaceCalibration`), so their ratio within 6 %.
        #expect(
            abs(paceRatio / (160.0 / 100) - 1) < (Self.varies(voice) ? 0.12 : 0.06), "\(voice): \(slow) against \(fast)"
        )
        // The pause between the sentences is 1.2 s at 100 words a minute, 0.75 s at 160.
        #expect(abs(slow.sentenceGapSeconds[0] - 1.2) < 0.15, "\(voice): \(slow)")
        #expect(abs(fast.sentenceGapSeconds[0] - 0.75) < 0.15, "\(voice): \(fast)")
    }

    @Test func sentencesSplitAtTheirEndsAndNotInsideNumbers() {
        #expect(
            SpokenSentences.sentences(of: "Hello, world; rest. Breathe out slowly... Ready?! Yes — 1.5 times!")
                == ["Hello, world; rest.", "Breathe out slowly...", "Ready?!", "Yes — 1.5 times!"])
        #expect(
            SpokenSentences.sentences(of: "He said \"rest.\" Then breathe") == ["He said \"rest.\"", "Then breathe"])
        #expect(SpokenSentences.sentences(of: "Rest now… Good") == ["Rest now…", "Good"])
        #expect(SpokenSentences.sentences(of: "  Rest now.  ") == ["Rest now."])
        // A piece without words joins the sentence before it.
        #expect(SpokenSentences.sentences(of: "Rest now. . !") == ["Rest now..!"])
        #expect(SpokenSentences.sentences(of: "") == [])
    }

    /// Each sentence is trimmed of the engine's own silence, so the clip starts and ends with its
    /// words: no more than the trimming's short margins of quiet at either end.
    @Test func aClipHoldsNoSilenceBeyondItsWords() throws {
        let samples = try PromptSynthesizer(voice: .default, cache: nil).clip(for: Self.twoSentences, sampleRate: 48000)
        let pace = PaceMeasurement(samples: samples, sampleRate: 48000, text: Self.twoSentences)
        let quietSeconds = Double(samples.count) / 48000 - pace.soundSpanSeconds
        #expect(quietSeconds < 0.3, "\(quietSeconds) s of quiet at the ends")
    }
}
