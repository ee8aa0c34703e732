import Foundation
import Sequencer
import Testing

@testable import Speech

struct PromptPlacementTests {
    @Test(arguments: [44100, 48000])
    func promptsStartJustAfterTheirChime(sampleRate: Int) throws {
        let timeline = try SessionTimeline(routine: makeShortRoutine(), sampleRate: sampleRate)
        let prompts = try PromptSynthesizer(cache: nil).prepare(for: timeline)
        #expect(prompts.map(\.kind) == [.step, .step, .lastStep, .close])
        let tolerance = Int64(sampleRate / 100)
        for prompt in prompts where prompt.kind != .close {
            // The first step's prompt waits for the start chime, which waits for the bed to fade in.
            let chime = prompt.stepIndex == 0 ? PromptTiming.startChimeDelay.frames(atSampleRate: sampleRate) : 0
            let planned =
                timeline.steps[prompt.stepIndex].startFrame + chime
                + PromptTiming.leadIn.frames(atSampleRate: sampleRate)
            #expect(abs(prompt.startFrame - planned) <= tolerance)
            #expect(prompt.endFrame <= timeline.steps[prompt.stepIndex].endFrame)
            #expect(rootMeanSquare(prompt.samples) > 0.01)
        }
        #expect(prompts[2].text == "Last step. Rest now.")
        // The closing words end before the final fade, after the last step's prompt.
        let close = try #require(prompts.last)
        #expect(close.text == Routine.defaultCloseSay)
        #expect(close.endFrame == timeline.totalFrames - PromptTiming.closeMargin.frames(atSampleRate: sampleRate))
        #expect(close.startFrame >= prompts[2].endFrame + Int64(1.5 * Double(sampleRate)))
    }

    @Test func promptsPreparedOneByOneInPlayingOrderAreTheSessionsPrompts() throws {
        let timeline = try SessionTimeline(routine: makeShortRoutine(), sampleRate: 48000)
        let synthesizer = try PromptSynthesizer(cache: nil)
        let whole = try synthesizer.prepare(for: timeline)
        var delivered: [(index: Int, prompt: SpokenPrompt)] = []
        try synthesizer.prepareInOrder(for: timeline) { delivered.append(($0, $1)) }
        #expect(delivered.map(\.index) == Array(whole.indices))
        #expect(delivered.map(\.prompt) == whole)
        // What the renderer is told before any prompt is spoken: no prompt starts before its
        // earliest frame, a prompt after its chime starts exactly there, and the expected lengths
        // (from the words at the pace) are close to the spoken ones.
        let expected = try synthesizer.expectedPrompts(for: timeline)
        #expect(expected.count == whole.count)
        for (plan, prompt) in zip(expected, whole) {
            #expect(plan.earliestStartFrame <= prompt.startFrame)
            if prompt.kind != .close { #expect(plan.earliestStartFrame == prompt.startFrame) }
            let ratio = Double(plan.expectedFrameCount) / Double(prompt.frameCount)
            #expect((0.5...2).contains(ratio), "'\(prompt.text)': expected \(plan.expectedFrameCount) frames")
        }
    }

    @Test func promptsPreparedOnDiskAreTheSessionsPromptsReadBackOneByOne() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let timeline = try SessionTimeline(routine: makeShortRoutine(), sampleRate: 48000)
        let whole = try PromptSynthesizer(cache: nil).prepare(for: timeline)
        for cache in [nil, PromptCache(directory: directory), PromptCache(directory: directory)] {
            let synthesizer = try PromptSynthesizer(cache: cache)
            let placed = try synthesizer.prepareOnDisk(for: timeline)
            #expect(placed.map(\.startFrame) == whole.map(\.startFrame))
            #expect(placed.map(\.frameCount) == whole.map(\.frameCount))
            #expect(try placed.map { try synthesizer.samples(of: $0) } == whole.map(\.samples))
        }
        // A warm cache places every prompt from its entries' headers, speaking none.
        let warm = try PromptSynthesizer(cache: PromptCache(directory: directory))
        let placed = try warm.prepareOnDisk(for: timeline)
        #expect(warm.synthesisCount == 0)
        // An entry lost before its prompt is mixed is spoken again, the same.
        for entry in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            try FileManager.default.removeItem(at: directory.appending(path: entry))
        }
        #expect(try placed.map { try warm.samples(of: $0) } == whole.map(\.samples))
        #expect(warm.synthesisCount > 0)
    }

    /// A note kept beside a cached prompt (how the renderer levelled it) comes back only for that
    /// prompt, under that name, and for the very samples it was kept for.
    @Test func aNoteComesBackOnlyForItsPromptAndItsSamples() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let timeline = try SessionTimeline(routine: makeShortRoutine(), sampleRate: 48000)
        let synthesizer = try PromptSynthesizer(cache: PromptCache(directory: directory))
        let placed = try synthesizer.prepareOnDisk(for: timeline)
        synthesizer.keep(note: "gain 1", named: "levelling a", of: placed[0])
        #expect(synthesizer.note(named: "levelling a", of: placed[0]) == "gain 1")
        #expect(synthesizer.note(named: "levelling b", of: placed[0]) == nil)
        #expect(synthesizer.note(named: "levelling a", of: placed[1]) == nil)
        // Another process with the same cache reads it too.
        let again = try PromptSynthesizer(cache: PromptCache(directory: directory))
        #expect(again.note(named: "levelling a", of: try again.prepareOnDisk(for: timeline)[0]) == "gain 1")
        // A prompt held in memory, not cached, keeps no notes.
        let uncached = try PromptSynthesizer(cache: nil)
        let held = try uncached.prepareOnDisk(for: timeline)
        uncached.keep(note: "gain 1", named: "levelling a", of: held[0])
        #expect(uncached.note(named: "levelling a", of: held[0]) == nil)
        // A damaged note reads as none.
        let noteFile = try #require(
            try FileManager.default.contentsOfDirectory(atPath: directory.path).first { $0.hasSuffix(".note") })
        var bytes = [UInt8](try Data(contentsOf: directory.appending(path: noteFile)))
        bytes[bytes.count - 3] ^= 0x01
        try Data(bytes).write(to: directory.appending(path: noteFile))
        #expect(synthesizer.note(named: "levelling a", of: placed[0]) == nil)
    }

    @Test func aNoteKeptForOneTakeOfAPromptDoesNotApplyToAnother() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cache = PromptCache(directory: directory)
        let key = PromptCacheKey(voiceIdentity: "test", wordsPerMinute: 120, sampleRate: 48000, spokenText: "Rest.")
        cache.store([0.1, 0.2, 0.3], for: key)
        cache.keep(note: "gain 2", named: "levelling", for: key)
        #expect(cache.note(named: "levelling", for: key) == "gain 2")
        try FileManager.default.removeItem(at: cache.fileURL(for: key))
        #expect(cache.note(named: "levelling", for: key) == nil)
        cache.store([0.1, 0.2, 0.4], for: key)
        #expect(cache.note(named: "levelling", for: key) == nil)
        // Notes are one line each.
        cache.keep(note: "two\nlines", named: "levelling", for: key)
        #expect(cache.note(named: "levelling", for: key) == nil)
    }

    @Test func aPromptTooLongForItsStepNamesTheStepAndBothLengths() throws {
        let long =
            "Press your thumbs into the sole, and make small, slow circles with firm pressure. Linger "
            + "wherever it feels tense or sore, and breathe out slowly as you press."
        let timeline = try SessionTimeline(routine: makeShortRoutine(stepSeconds: 6, say: long), sampleRate: 48000)
        let synthesizer = try PromptSynthesizer(cache: nil)
        let spoken = try synthesizer.clip(for: long, sampleRate: 48000)
        let error = #expect(throws: SpeechError.self) { try synthesizer.prepare(for: timeline) }
        #expect(error?.kind == .promptTooLong)
        let message = error?.message ?? ""
        #expect(message.contains("step 'rub'"), "\(message)")
        #expect(message.contains("the step lasts 6.0 s"), "\(message)")
        #expect(message.contains("its prompt lasts \((Double(spoken.count) / 48000).secondsText)"), "\(message)")
    }

    @Test func aLastStepTooShortForTheClosingWordsIsRefused() throws {
        var routine = makeShortRoutine()
        routine.items[2] = .step(
            RoutineStep(id: "rest", title: "Rest", duration: SessionDuration(seconds: 12), say: "Rest now."))
        let timeline = try SessionTimeline(routine: routine, sampleRate: 48000)
        let error = #expect(throws: SpeechError.self) { try PromptSynthesizer(cache: nil).prepare(for: timeline) }
        #expect(error?.message.contains("step 'rest'") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("its prompt and the closing words last") == true)
    }

    @Test func routineOverridesOfTheAutomaticPromptsAreSpoken() throws {
        var routine = makeShortRoutine()
        routine.lastStepSay = "Nearly done."
        routine.closeSay = "Good night."
        let timeline = try SessionTimeline(routine: routine, sampleRate: 48000)
        let texts = timeline.plannedPrompts.map(\.text)
        #expect(texts.suffix(2) == ["Nearly done. Rest now.", "Good night."])
    }
}

struct PromptCacheTests {
    @Test func aCachedRenderIsIdenticalAndSynthesisesNothing() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let timeline = try SessionTimeline(routine: makeShortRoutine(), sampleRate: 48000)

        let uncached = try PromptSynthesizer(cache: nil).prepare(for: timeline)
        let cold = try PromptSynthesizer(cache: PromptCache(directory: directory))
        let first = try cold.prepare(for: timeline)
        #expect(cold.synthesisCount == 4)
        let warm = try PromptSynthesizer(cache: PromptCache(directory: directory))
        let second = try warm.prepare(for: timeline)
        #expect(warm.synthesisCount == 0)
        let coldMatches = first == uncached
        let warmMatches = second == uncached
        #expect(coldMatches)
        #expect(warmMatches)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.filter { $0.hasSuffix(".voice") }.count == 4)
        #expect(!files.contains { $0.hasSuffix(".tmp") })
    }

    @Test func theKeyCoversVoiceRateAndSampleRate() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cache = PromptCache(directory: directory)
        _ = try PromptSynthesizer(cache: cache).clip(for: "Rest.", sampleRate: 48000)
        let others = [
            try PromptSynthesizer(cache: cache).clip(for: "Rest.", sampleRate: 44100).count,
            try PromptSynthesizer(speechRatePerMinute: SpeechRate.defaultWordsPerMinute + 30, cache: cache).clip(
                for: "Rest.", sampleRate: 48000
            ).count,
            try PromptSynthesizer(voice: try Voice(parsing: "rms"), cache: cache).clip(for: "Rest.", sampleRate: 48000)
                .count,
        ]
        #expect(others.allSatisfy { $0 > 0 })
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.filter { $0.hasSuffix(".voice") }.count == 4)
    }

    @Test(arguments: ["flip", "truncate", "empty", "garbage"])
    func aDamagedEntryIsDetectedAndRebuilt(damage: String) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = "Breathe out slowly."
        let original = try PromptSynthesizer(cache: PromptCache(directory: directory)).clip(
            for: text, sampleRate: 48000)
        let file = try #require(
            try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil).first)
        var bytes = [UInt8](try Data(contentsOf: file))
        switch damage {
        case "flip": bytes[bytes.count / 2] ^= 0x40
        case "truncate": bytes.removeLast(bytes.count / 3)
        case "empty": bytes = []
        default: bytes = Array("not a cache entry".utf8)
        }
        try Data(bytes).write(to: file)

        let again = try PromptSynthesizer(cache: PromptCache(directory: directory))
        let rebuilt = try again.clip(for: text, sampleRate: 48000) == original
        #expect(rebuilt)
        #expect(again.synthesisCount == 1)
        let afterwards = try PromptSynthesizer(cache: PromptCache(directory: directory))
        let reread = try afterwards.clip(for: text, sampleRate: 48000) == original
        #expect(reread)
        #expect(afterwards.synthesisCount == 0)
    }

    @Test func anUnwritableCacheWarnsOnceAndStillSpeaks() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A regular file where the cache's parent directory should be: no one can write under it,
        // not even root.
        let blocker = directory.appending(path: "blocker")
        try Data("x".utf8).write(to: blocker)
        let log = WarningLog()
        let cache = PromptCache(directory: blocker.appending(path: "soothe"), warn: { log.append($0) })
        let timeline = try SessionTimeline(routine: makeShortRoutine(), sampleRate: 48000)
        let prompts = try PromptSynthesizer(cache: cache).prepare(for: timeline)
        #expect(prompts.count == 4)
        #expect(prompts.allSatisfy { rootMeanSquare($0.samples) > 0.01 })
        #expect(log.messages.count == 1)
        #expect(log.messages.first?.contains("could not write the speech cache in '\(blocker.path)/soothe'") == true)
    }

    @Test func theCacheLivesUnderXDGCacheHomeOrHome() {
        #expect(
            PromptCache.standardDirectory(environment: ["XDG_CACHE_HOME": "/x/cache", "HOME": "/h"]).path
                == "/x/cache/soothe")
        #expect(PromptCache.standardDirectory(environment: ["HOME": "/h"]).path == "/h/.cache/soothe")
        // A relative XDG_CACHE_HOME is invalid by the specification and ignored.
        #expect(
            PromptCache.standardDirectory(environment: ["XDG_CACHE_HOME": "rel", "HOME": "/h"]).path
                == "/h/.cache/soothe")
    }
}
