import Foundation
import Sequencer
import Testing

@testable import Speech

/// Makes an audio file with sox (installed by Scripts/setup) at `rate` with `channels`: `effects`
/// follow the output name.
func makeRecording(_ path: String, rate: Int, channels: Int, _ effects: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sox")
    let arguments = ["-n", "-r", "\(rate)", "-c", "\(channels)", path] + effects
    process.arguments = arguments
    try process.run()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "sox \(arguments)")
}

struct RecordedPromptTests {
    /// A routine of two steps whose first speaks `recording`.
    func routine(recording: String) -> Routine {
        Routine(
            name: "recorded", title: "Recorded",
            items: [
                .step(
                    RoutineStep(
                        id: "settle", title: "Settle", duration: SessionDuration(seconds: 20), say: "My own words.",
                        sayAudio: recording)),
                .step(RoutineStep(id: "rest", title: "Rest", duration: SessionDuration(seconds: 30), say: "Rest now.")),
            ])
    }

    @Test func aRecordingLandsAtItsStepsPromptFrameTrimmedAndUnchangedInLevel() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Stereo, 44.1 kHz, FLAC: 0.6 s of silence, 1.5 s of a voice-like tone at -10 dBFS, 0.9 s of silence.
        let path = folder.appending(path: "mine.flac").path
        try makeRecording(
            path, rate: 44100, channels: 2, ["synth", "1.5", "sine", "220", "vol", "0.316", "pad", "0.6", "0.9"])
        let timeline = try SessionTimeline(routine: routine(recording: path), sampleRate: 48000)
        let prompts = try PromptSynthesizer(cache: nil).prepare(for: timeline)
        let recorded = try #require(prompts.first)
        #expect(recorded.recordingPath == path)
        #expect(recorded.report.recordingPath == path)
        // The first step's prompt waits for the bed to fade in and the start chime, then its lead-in.
        #expect(
            recorded.startFrame
                == timeline.steps[0].startFrame + PromptTiming.startChimeDelay.frames(atSampleRate: 48000)
                + PromptTiming.leadIn.frames(atSampleRate: 48000))
        // The silence is gone but for the short margins kept around the words.
        let seconds = recorded.spokenSeconds
        #expect(
            seconds > 1.5
                && seconds < 1.5 + RecordedPrompt.onsetMarginSeconds + RecordedPrompt.releaseMarginSeconds + 0.01,
            "\(seconds)")
        // Its level is the recording's: the renderer, not this, brings clips to the speech level.
        let middle = Array(recorded.samples[recorded.samples.count / 4..<recorded.samples.count * 3 / 4])
        #expect(abs(rootMeanSquare(middle) - 0.316 / 2.squareRoot()) < 0.01)
        // Its edges are faded, so the cut does not click.
        #expect(abs(recorded.samples.first ?? 1) < 0.001)
        #expect(abs(recorded.samples.last ?? 1) < 0.001)
        // The other prompts are synthesised as before.
        #expect(prompts.dropFirst().allSatisfy { $0.recordingPath == nil && rootMeanSquare($0.samples) > 0.01 })
    }

    @Test func aRecordingTooLongForItsStepIsRefused() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appending(path: "long.wav").path
        try makeRecording(path, rate: 16000, channels: 1, ["synth", "25", "sine", "300", "vol", "0.3"])
        let timeline = try SessionTimeline(routine: routine(recording: path), sampleRate: 48000)
        let error = #expect(throws: SpeechError.self) { try PromptSynthesizer(cache: nil).prepare(for: timeline) }
        #expect(error?.kind == .promptTooLong)
        #expect(error?.message.contains("step 'settle'") == true)
    }

    @Test(arguments: ["missing", "silent", "not audio", "cut short", "folder"])
    func aBadRecordingIsAnErrorNamingTheStepAndFile(kind: String) throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var path = folder.appending(path: "take.flac").path
        let expected: String
        switch kind {
        case "missing":
            expected = "does not exist"
        case "silent":
            try makeRecording(path, rate: 48000, channels: 1, ["trim", "0", "2"])
            expected = "is silent"
        case "not audio":
            try Data("hello\n".utf8).write(to: URL(fileURLWithPath: path))
            expected = "cannot read"
        case "cut short":
            let whole = folder.appending(path: "whole.flac").path
            try makeRecording(whole, rate: 44100, channels: 2, ["synth", "3", "sine", "300", "vol", "0.3"])
            let data = try Data(contentsOf: URL(fileURLWithPath: whole))
            try data.prefix(3000).write(to: URL(fileURLWithPath: path))
            expected = "cannot read"
        default:
            path = folder.path
            expected = "is a folder"
        }
        let timeline = try SessionTimeline(routine: routine(recording: path), sampleRate: 48000)
        let error = #expect(throws: SpeechError.self, "\(kind)") {
            try PromptSynthesizer(cache: nil).prepare(for: timeline)
        }
        #expect(error?.kind == .badRecording, "\(kind)")
        #expect(error?.message.contains("step 'settle'") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(expected) == true, "\(kind): \(error?.message ?? "")")
    }
}

struct PromptCacheBoundTests {
    @Test func theLeastRecentlyUsedEntriesGoWhenTheCacheIsFull() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let samples = [Float](repeating: 0.25, count: 10_000)
        let entryBytes = PromptCache.encode(samples, key: key("a")).count
        // Room for three entries, not four.
        let cache = PromptCache(directory: directory, maximumByteCount: entryBytes * 3 + entryBytes / 2)
        for name in ["a", "b", "c"] {
            cache.store(samples, for: key(name))
            Thread.sleep(forTimeInterval: 0.02)
        }
        // Reading "a" makes it the most recently used, so "b" is the one to go.
        #expect(cache.load(key("a")) == samples)
        Thread.sleep(forTimeInterval: 0.02)
        cache.store(samples, for: key("d"))
        #expect(cache.load(key("a")) == samples)
        #expect(cache.load(key("b")) == nil)
        #expect(cache.load(key("c")) == samples)
        #expect(cache.load(key("d")) == samples)
        let entries = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            $0.hasSuffix(".voice")
        }
        #expect(entries.count == 3)
    }

    @Test func theFirstEntryStoredWinsSoTwoProcessesAgreeOnAPromptsLength() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Two caches on one directory, as two exports running at once: each spoke the prompt, and
        // their takes differ.
        let first = PromptCache(directory: directory)
        let second = PromptCache(directory: directory)
        let firstTake = [Float](repeating: 0.25, count: 4_800)
        let secondTake = [Float](repeating: -0.5, count: 5_300)
        #expect(first.store(firstTake, for: key("a")) == firstTake)
        #expect(second.store(secondTake, for: key("a")) == firstTake)
        #expect(second.load(key("a")) == firstTake)
        #expect(first.storedSampleCount(key("a")) == firstTake.count)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            $0.hasSuffix(".tmp")
        }
        #expect(leftovers.isEmpty)
    }

    @Test func aBrokenEntryIsReplacedByTheNextStore() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cache = PromptCache(directory: directory)
        let take = [Float](repeating: 0.25, count: 4_800)
        cache.store(take, for: key("a"))
        let entry = try #require(
            try FileManager.default.contentsOfDirectory(atPath: directory.path).first { $0.hasSuffix(".voice") })
        try Data(repeating: 7, count: 100).write(to: directory.appending(path: entry))
        let newTake = [Float](repeating: -0.5, count: 5_300)
        #expect(cache.store(newTake, for: key("a")) == newTake)
        #expect(cache.load(key("a")) == newTake)
    }

    private func key(_ text: String) -> PromptCacheKey {
        PromptCacheKey(voiceIdentity: "flite\nslt", wordsPerMinute: 140, sampleRate: 48000, spokenText: text)
    }
}

/// The trimming a take gets before it is kept, the same a recording gets when it is spoken.
struct TakeTrimmingTests {
    /// 0.8 s of quiet room noise at -70 dBFS, 0.5 s of a tone at -12 dBFS, 1.2 s of the noise.
    static func take(sampleRate: Int) -> [Float] {
        var generator = SystemRandomNumberGenerator()
        let noise = { Float.random(in: -0.0003...0.0003, using: &generator) }
        let tone = (0..<(sampleRate / 2)).map { 0.25 * sin(2 * Float.pi * 330 * Float($0) / Float(sampleRate)) }
        return (0..<(sampleRate * 8 / 10)).map { _ in noise() } + tone
            + (0..<(sampleRate * 12 / 10)).map { _ in noise() }
    }

    @Test func aTakeKeepsItsWordsAndShortMarginsAndLosesTheRoomAround() throws {
        let trimmed = try RecordedPrompt.trimmingSilence(Self.take(sampleRate: 48000), sampleRate: 48000)
        let seconds = Double(trimmed.count) / 48000
        let margins = RecordedPrompt.onsetMarginSeconds + RecordedPrompt.releaseMarginSeconds
        #expect(seconds > 0.5 && seconds < 0.5 + margins + 0.001, "\(seconds) s")
        #expect(abs(trimmed.first ?? 1) < 0.001)
        #expect(abs(trimmed.last ?? 1) < 0.001)
        #expect((trimmed.map(abs).max() ?? 0) > 0.24)
    }

    @Test func anEmptyOrSilentTakeIsRefused() {
        #expect(throws: RecordedPrompt.EmptinessProblem.noAudio) {
            try RecordedPrompt.trimmingSilence([], sampleRate: 48000)
        }
        #expect(throws: RecordedPrompt.EmptinessProblem.silent) {
            try RecordedPrompt.trimmingSilence([Float](repeating: 0.0005, count: 48000), sampleRate: 48000)
        }
        #expect(throws: RecordedPrompt.EmptinessProblem.notNumbers) {
            try RecordedPrompt.trimmingSilence([0.1, .nan, 0.2], sampleRate: 48000)
        }
    }
}
