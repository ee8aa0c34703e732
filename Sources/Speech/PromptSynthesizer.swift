import AudioFiles
import Foundation
public import Sequencer
import Synchronization

/// A prompt ready to play: mono samples at the session rate from an exact frame.
public struct SpokenPrompt: Equatable, Sendable {
    /// The index into `SessionTimeline.steps` of the step it belongs to.
    public var stepIndex: Int
    public var kind: PromptKind
    public var text: String
    public var startFrame: Int64
    public var sampleRate: Int
    public var samples: [Float]
    /// The user's recording the samples come from, `nil` for synthesised speech.
    public var recordingPath: String? = nil
    /// The index into its step's `laterPrompts`, for a later prompt of a `say:` list.
    public var laterPromptIndex: Int? = nil
    /// Whether the synthesiser's `finishing` has been applied to the samples.
    public var isFinished = false

    public var frameCount: Int64 { Int64(samples.count) }
    /// The first frame after the prompt.
    public var endFrame: Int64 { startFrame + frameCount }
    /// How long the prompt is spoken for.
    public var spokenSeconds: Double { Double(samples.count) / Double(sampleRate) }
}

/// A prompt placed in its step whose samples may still be on disk (see
/// `PromptSynthesizer.prepareOnDisk(for:)`).
public struct PlacedPrompt: Sendable {
    enum Audio: Sendable {
        case held([Float])
        case cached(frameCount: Int64)

        var frameCount: Int64 {
            switch self {
            case .held(let samples): Int64(samples.count)
            case .cached(let frameCount): frameCount
            }
        }
    }

    var text: String
    public var startFrame: Int64
    public var sampleRate: Int
    /// Whether the synthesiser's `finishing` has been applied to the samples.
    public var isFinished: Bool
    var audio: Audio

    public var frameCount: Int64 { audio.frameCount }
}

/// Where a prompt will sound, known before it is spoken (see
/// `PromptSynthesizer.expectedPrompts(for:)`).
public struct ExpectedPrompt: Equatable, Sendable {
    /// No frame before this one can hold the prompt.
    public var earliestStartFrame: Int64
    /// Its expected first frame and length.
    public var expectedStartFrame: Int64
    public var expectedFrameCount: Int64
}

/// A last step every prompt goes through, after resampling and before the cache: the mix's
/// voice clean-up, which then runs once per prompt, not once per session. It must keep the length.
public struct ClipFinishing: Sendable {
    /// Names the step in the cache key, so a changed step never reuses old entries.
    public var identity: String
    /// The samples at a rate, finished.
    public var apply: @Sendable ([Float], Int) -> [Float]

    public init(identity: String, apply: @escaping @Sendable ([Float], Int) -> [Float]) {
        self.identity = identity
        self.apply = apply
    }
}

/// Turns a session's prompts into audio before it plays: synthesised in parallel, resampled to
/// the session rate, finished, cached on disk, and placed in their steps.
public final class PromptSynthesizer: Sendable {
    public let voice: Voice
    public let speechRatePerMinute: Double
    public let cache: PromptCache?
    private let syntheses = Mutex(0)
    /// The Piper voice's model, loaded on the first prompt that is not cached.
    private let piper: PiperSpeaker?
    /// What names the voice in the cache: engine and name, or for a Piper voice its file's content
    /// and the library's files.
    private let voiceIdentity: String
    /// Applied to every prompt before it is cached (recordings too, which are not cached).
    public let finishing: ClipFinishing?

    /// Checks the voice (starting espeak-ng for its voices, reading a Piper voice's files and
    /// finding sherpa-onnx's library in `locations`) and the rate.
    public init(
        voice: Voice = .default, speechRatePerMinute: Double = SpeechRate.defaultWordsPerMinute, cache: PromptCache?,
        locations: PiperLocations = .standard(), finishing: ClipFinishing? = nil
    ) throws(SpeechError) {
        try SpeechRate.validate(speechRatePerMinute)
        self.finishing = finishing
        if voice.engine == .espeak { try EspeakEngine.validate(voice.name) }
        self.voice = voice
        self.speechRatePerMinute = speechRatePerMinute
        self.cache = cache
        if voice.engine == .piper, let modelPath = voice.modelPath {
            let file = try PiperVoiceFile(modelPath: modelPath)
            // The library is named by its files here and opened only when a prompt is not cached.
            let library: String
            switch PiperLibrary.identity(searching: locations.libraryDirectories) {
            case .success(let identity): library = identity
            case .failure(let error):
                throw SpeechError(
                    .engineUnavailable,
                    "cannot speak with the Piper voice '\(voice.name)': \(error.message); choose a flite voice such as slt"
                )
            }
            let preparedFolder =
                cache.map { PromptCache.piperVoicesFolder(in: $0.directory) }
                ?? FileManager.default.temporaryDirectory.appending(path: "soothe-piper-voices")
            let speaker = try PiperSpeaker(
                voice: file, libraryDirectories: locations.libraryDirectories, preparedFolder: preparedFolder)
            piper = speaker
            // Its phonemes come from espeak-ng, so another espeak-ng may speak it differently.
            voiceIdentity = "piper\n\(speaker.contentHash)\n\(library)\nespeak-ng \(EspeakEngine.version)"
        } else {
            piper = nil
            voiceIdentity = "\(voice.engine.rawValue)\n\(voice.name)"
        }
    }

    /// How many texts this synthesiser has sent to its engine; cached prompts do not count.
    public var synthesisCount: Int { syntheses.withLock { $0 } }

    /// Every prompt of `timeline`, placed at its frame; an error when one does not fit its step.
    public func prepare(for timeline: SessionTimeline) throws(SpeechError) -> [SpokenPrompt] {
        let planned = timeline.plannedPrompts
        var spoken = try speak(planned.filter { $0.recordingPath == nil }.map(\.text), sampleRate: timeline.sampleRate)
            .makeIterator()
        var audio: [[Float]] = []
        for prompt in planned {
            if let path = prompt.recordingPath {
                let recorded = try RecordedPrompt.clip(
                    at: path, sampleRate: timeline.sampleRate, for: Self.name(of: prompt, in: timeline))
                audio.append(finished(recorded, sampleRate: timeline.sampleRate))
            } else {
                audio.append(spoken.next() ?? [])
            }
        }
        var prompts = try PromptLayout.place(planned, audio: audio, in: timeline)
        for index in prompts.indices { prompts[index].isFinished = finishing != nil }
        return prompts
    }

    /// Every prompt of `timeline` placed as `prepare(for:)` places it, keeping in memory only the
    /// samples the cache cannot give back (recordings, or all of them without a cache): an export
    /// fetches each with `samples(of:)` just before it is mixed, so a session's prompts are never
    /// all held at once. An error when one does not fit its step.
    public func prepareOnDisk(for timeline: SessionTimeline) throws(SpeechError) -> [PlacedPrompt] {
        let planned = timeline.plannedPrompts
        let rate = timeline.sampleRate
        var distinct: [String] = []
        for prompt in planned where prompt.recordingPath == nil && !distinct.contains(prompt.text) {
            distinct.append(prompt.text)
        }
        let unique = distinct
        let results = Mutex([String: Result<PlacedPrompt.Audio, SpeechError>]())
        DispatchQueue.concurrentPerform(iterations: unique.count) { index in
            let text = unique[index]
            let result = Result { () throws(SpeechError) -> PlacedPrompt.Audio in
                // A clip the cache holds is placed by its header and read when it is mixed.
                let key = cacheKey(for: text, sampleRate: rate)
                if let count = cache?.storedSampleCount(key) { return .cached(frameCount: Int64(count)) }
                let samples = try clip(for: text, sampleRate: rate)
                if let count = cache?.storedSampleCount(key), count == samples.count {
                    return .cached(frameCount: Int64(count))
                }
                return .held(samples)
            }
            results.withLock { $0[text] = result }
        }
        piper?.release()
        let spoken = results.withLock { $0 }
        var placer = PromptLayout.Placer(timeline: timeline)
        var prompts: [PlacedPrompt] = []
        for (index, prompt) in planned.enumerated() {
            let audio: PlacedPrompt.Audio
            if let path = prompt.recordingPath {
                let recorded = try RecordedPrompt.clip(
                    at: path, sampleRate: rate, for: Self.name(of: prompt, in: timeline))
                audio = .held(finished(recorded, sampleRate: rate))
            } else {
                audio = try spoken[prompt.text]!.get()
            }
            let startFrame = try placer.placeSpan(
                prompt, frameCount: audio.frameCount, isLastInStep: PromptLayout.isLastInStep(index, of: planned))
            prompts.append(
                PlacedPrompt(
                    text: prompt.text, startFrame: startFrame, sampleRate: rate, isFinished: finishing != nil,
                    audio: audio))
        }
        return prompts
    }

    /// The samples of a prompt from `prepareOnDisk(for:)`: held, or read from the cache again. An
    /// error when the cache lost the entry and the prompt, spoken again, comes out another length.
    public func samples(of prompt: PlacedPrompt) throws(SpeechError) -> [Float] {
        switch prompt.audio {
        case .held(let samples): return samples
        case .cached(let frameCount):
            let samples = try clip(for: prompt.text, sampleRate: prompt.sampleRate)
            guard Int64(samples.count) == frameCount else {
                throw SpeechError(
                    .synthesisFailed,
                    "the prompt \"\(prompt.text)\" left the speech cache during the export and came out "
                        + "another length when spoken again; export again")
            }
            return samples
        }
    }

    /// Reads the samples of a prompt from `prepareOnDisk(for:)` straight into `samples`, which
    /// holds `prompt.frameCount` of them: from the cache file without another copy, or spoken
    /// again (with the same error as `samples(of:)`) when the cache lost the entry.
    public func read(_ prompt: PlacedPrompt, into samples: UnsafeMutableBufferPointer<Float>) throws(SpeechError) {
        guard Int64(samples.count) == prompt.frameCount else {
            throw SpeechError(
                .synthesisFailed,
                "the prompt \"\(prompt.text)\" has \(prompt.frameCount) samples, not \(samples.count)")
        }
        if case .cached = prompt.audio,
            cache?.load(cacheKey(for: prompt.text, sampleRate: prompt.sampleRate), into: samples) == true
        {
            return
        }
        _ = samples.update(fromContentsOf: try self.samples(of: prompt))
    }

    /// The note `name` kept in the cache beside a prompt's clip (see `keep(note:named:of:)`), or
    /// `nil`: for a prompt not in the cache, or a note kept for another take of it.
    public func note(named name: String, of prompt: PlacedPrompt) -> String? {
        guard case .cached = prompt.audio else { return nil }
        return cache?.note(named: name, for: cacheKey(for: prompt.text, sampleRate: prompt.sampleRate))
    }

    /// Keeps a one-line `value` beside a cached prompt's clip, such as how the renderer levelled
    /// it, so that work is not repeated while the clip stays the same. Notes of a prompt not in
    /// the cache are not kept.
    public func keep(note value: String, named name: String, of prompt: PlacedPrompt) {
        guard case .cached = prompt.audio else { return }
        cache?.keep(note: value, named: name, for: cacheKey(for: prompt.text, sampleRate: prompt.sampleRate))
    }

    /// Where each prompt of `timeline` will sound, known before any is spoken: the earliest frame
    /// it can start at, and its expected place and length. A synthesised prompt's length is
    /// expected from its words at the pace (a bedtime voice keeps close to it); a recording's is
    /// its own, read now. The renderer plans the master gain from these, so a session sounds the
    /// same whether its prompts were ready before it started or arrived while it played.
    public func expectedPrompts(for timeline: SessionTimeline) throws(SpeechError) -> [ExpectedPrompt] {
        let rate = timeline.sampleRate
        let closeMargin = PromptTiming.closeMargin.frames(atSampleRate: rate)
        var expected: [ExpectedPrompt] = []
        for prompt in timeline.plannedPrompts {
            let step = timeline.steps[prompt.stepIndex]
            let frameCount: Int64
            if let path = prompt.recordingPath {
                frameCount = Int64(
                    try RecordedPrompt.clip(at: path, sampleRate: rate, for: Self.name(of: prompt, in: timeline)).count)
            } else {
                // The engines are calibrated to the pace as heard, and sentences are joined by a
                // pause of their own, so words and pauses give the length.
                let words = prompt.text.split(whereSeparator: \.isWhitespace).count
                let pauses = max(0, SpokenSentences.sentences(of: prompt.text).count - 1)
                let seconds =
                    Double(words) * 60 / speechRatePerMinute
                    + Double(pauses) * SpokenSentences.gapSeconds(wordsPerMinute: speechRatePerMinute)
                frameCount = Int64((seconds * Double(rate)).rounded())
            }
            let earliest = PromptLayout.earliestStartFrame(of: prompt, in: timeline)
            let start =
                prompt.anchor == .beforeStepEnd ? max(earliest, step.endFrame - closeMargin - frameCount) : earliest
            expected.append(
                ExpectedPrompt(earliestStartFrame: earliest, expectedStartFrame: start, expectedFrameCount: frameCount))
        }
        return expected
    }

    /// Speaks and places the prompts of `timeline` one at a time, in playing order, handing each
    /// to `deliver` with its index as soon as it is ready: from the cache, or from the engine on
    /// the calling thread. The Piper model is released after the last one. Meant for a background
    /// thread while the session already plays.
    public func prepareInOrder(for timeline: SessionTimeline, deliver: (Int, SpokenPrompt) -> Void)
        throws(SpeechError)
    {
        defer { piper?.release() }
        var placer = PromptLayout.Placer(timeline: timeline)
        let planned = timeline.plannedPrompts
        for (index, prompt) in planned.enumerated() {
            let samples: [Float]
            if let path = prompt.recordingPath {
                let recorded = try RecordedPrompt.clip(
                    at: path, sampleRate: timeline.sampleRate, for: Self.name(of: prompt, in: timeline))
                samples = finished(recorded, sampleRate: timeline.sampleRate)
            } else {
                samples = try clip(for: prompt.text, sampleRate: timeline.sampleRate)
            }
            var placed = try placer.place(
                prompt, samples: samples, isLastInStep: PromptLayout.isLastInStep(index, of: planned))
            placed.isFinished = finishing != nil
            deliver(index, placed)
        }
    }

    /// A recording, finished like a synthesised prompt.
    private func finished(_ samples: [Float], sampleRate: Int) -> [Float] {
        finishing.map { $0.apply(samples, sampleRate) } ?? samples
    }

    /// How errors name a prompt: `step 'thumb-circles' (left)`, or for a later prompt
    /// `step 'thumb-circles' (left), the prompt at 45s,`.
    private static func name(of prompt: PlannedPrompt, in timeline: SessionTimeline) -> String {
        let step = timeline.steps[prompt.stepIndex]
        return "step '\(step.id)'" + (step.side.map { " (\($0.rawValue))" } ?? "")
            + (prompt.position.map { ", the prompt at \($0)," } ?? "")
    }

    /// `texts` spoken at `sampleRate`, in the same order: from the cache where it has them, the
    /// others synthesised in parallel (espeak-ng serialises itself; resampling still overlaps).
    public func speak(_ texts: [String], sampleRate: Int) throws(SpeechError) -> [[Float]] {
        var distinct: [String] = []
        for text in texts where !distinct.contains(text) { distinct.append(text) }
        let unique = distinct
        let results = Mutex([String: Result<[Float], SpeechError>]())
        DispatchQueue.concurrentPerform(iterations: unique.count) { index in
            let text = unique[index]
            let result = Result { () throws(SpeechError) -> [Float] in try clip(for: text, sampleRate: sampleRate) }
            results.withLock { $0[text] = result }
        }
        // Every prompt is ready: the model's memory goes back now, not when the session ends.
        piper?.release()
        let finished = results.withLock { $0 }
        var clips: [[Float]] = []
        for text in texts {
            switch finished[text]! {
            case .success(let samples): clips.append(samples)
            case .failure(let error): throw error
            }
        }
        return clips
    }

    /// What names `text` spoken at `sampleRate` in the cache.
    private func cacheKey(for text: String, sampleRate: Int) -> PromptCacheKey {
        PromptCacheKey(
            voiceIdentity: voiceIdentity + (finishing.map { "\nfinished by \($0.identity)" } ?? ""),
            wordsPerMinute: speechRatePerMinute, sampleRate: sampleRate, spokenText: text)
    }

    /// One text spoken at `sampleRate`, from the cache or the engine.
    public func clip(for text: String, sampleRate: Int) throws(SpeechError) -> [Float] {
        let key = cacheKey(for: text, sampleRate: sampleRate)
        if let cached = cache?.load(key) { return cached }
        syntheses.withLock { $0 += 1 }
        let raw = try SpokenSentences.speak(text, wordsPerMinute: speechRatePerMinute) {
            sentence throws(SpeechError) -> EngineAudio in
            switch voice.engine {
            case .flite:
                return try FliteEngine.synthesize(sentence, voice: voice.name, wordsPerMinute: speechRatePerMinute)
            case .espeak:
                return try EspeakEngine.synthesize(sentence, voice: voice.name, wordsPerMinute: speechRatePerMinute)
            case .piper:
                guard let piper else { throw SpeechError(.unknownVoice, "the Piper voice '\(voice.name)' has no file") }
                return try piper.synthesize(sentence, wordsPerMinute: speechRatePerMinute)
            }
        }
        var samples: [Float]
        do { samples = try Resampler.resample(raw.samples, from: raw.sampleRate, to: sampleRate) } catch {
            throw SpeechError(.resamplingFailed, "could not resample speech: \(error.message)")
        }
        if let finishing { samples = finishing.apply(samples, sampleRate) }
        return cache?.store(samples, for: key) ?? samples
    }
}

/// Places prompts in their steps by the rules of `PromptTiming`, and refuses one that does not fit.
enum PromptLayout {
    static func place(_ planned: [PlannedPrompt], audio: [[Float]], in timeline: SessionTimeline)
        throws(SpeechError) -> [SpokenPrompt]
    {
        var placer = Placer(timeline: timeline)
        var prompts: [SpokenPrompt] = []
        for (index, (prompt, samples)) in zip(planned, audio).enumerated() {
            prompts.append(
                try placer.place(prompt, samples: samples, isLastInStep: isLastInStep(index, of: planned)))
        }
        return prompts
    }

    /// Whether the prompt at `index` is the last its step speaks: planned prompts come step by
    /// step, so the one after it is its neighbour.
    static func isLastInStep(_ index: Int, of planned: [PlannedPrompt]) -> Bool {
        index + 1 == planned.count || planned[index + 1].stepIndex != planned[index].stepIndex
    }

    /// Where a placed prompt sounds.
    struct PlacedSpan {
        var stepIndex: Int
        var startFrame: Int64
        var frameCount: Int64
        var endFrame: Int64 { startFrame + frameCount }
    }

    /// Places prompts one at a time, in playing order, as their audio becomes ready.
    struct Placer {
        let timeline: SessionTimeline
        /// The last prompt placed.
        private var last: PlacedSpan?

        init(timeline: SessionTimeline) { self.timeline = timeline }

        mutating func place(_ prompt: PlannedPrompt, samples: [Float], isLastInStep: Bool) throws(SpeechError)
            -> SpokenPrompt
        {
            let startFrame = try placeSpan(prompt, frameCount: Int64(samples.count), isLastInStep: isLastInStep)
            return SpokenPrompt(
                stepIndex: prompt.stepIndex, kind: prompt.kind, text: prompt.text, startFrame: startFrame,
                sampleRate: timeline.sampleRate, samples: samples, recordingPath: prompt.recordingPath,
                laterPromptIndex: prompt.laterPromptIndex)
        }

        /// The first frame of a prompt `frameCount` frames long, placed as `place` does.
        mutating func placeSpan(_ prompt: PlannedPrompt, frameCount length: Int64, isLastInStep: Bool)
            throws(SpeechError) -> Int64
        {
            let rate = timeline.sampleRate
            let leadIn = PromptTiming.leadIn.frames(atSampleRate: rate)
            let tail = PromptTiming.tail.frames(atSampleRate: rate)
            let gap = PromptTiming.gap.frames(atSampleRate: rate)
            let step = timeline.steps[prompt.stepIndex]
            let earlier = last.flatMap { $0.stepIndex == prompt.stepIndex ? $0 : nil }
            let startFrame: Int64
            switch prompt.anchor {
            case .afterChime, .atFrame:
                startFrame = PromptLayout.earliestStartFrame(of: prompt, in: timeline)
                // Each prompt waits for the one before it, and the last leaves a quiet moment at the end.
                if let earlier, startFrame < earlier.endFrame + gap {
                    throw PromptLayout.overlaps(step, earlier: earlier, position: prompt.position, gap: gap, rate: rate)
                }
                if isLastInStep && startFrame + length + tail > step.endFrame {
                    var needed = startFrame - step.startFrame + length + tail
                    if case .share(let share) = prompt.position {
                        // A longer step moves the prompt too: it fits once the rest after it holds it.
                        let afterChime = PromptLayout.afterChimeFrame(ofStep: prompt.stepIndex, in: timeline)
                        needed = max(
                            afterChime - step.startFrame + length + tail,
                            Int64((Double(length + tail) / (1 - share)).rounded(.up)))
                    }
                    throw PromptLayout.tooLong(
                        step, spoken: [length], needed: needed, rate: rate, position: prompt.position)
                }
            case .beforeStepEnd:
                let closeMargin = PromptTiming.closeMargin.frames(atSampleRate: rate)
                startFrame = step.endFrame - closeMargin - length
                let earliest = earlier.map { $0.endFrame + gap } ?? step.startFrame + leadIn
                guard startFrame >= earliest else {
                    let spoken = (earlier.map { [$0.frameCount] } ?? []) + [length]
                    let needed = (earlier.map { $0.endFrame - step.startFrame + gap } ?? leadIn) + length + closeMargin
                    throw PromptLayout.tooLong(step, spoken: spoken, needed: needed, rate: rate)
                }
            }
            last = PlacedSpan(stepIndex: prompt.stepIndex, startFrame: startFrame, frameCount: length)
            return startFrame
        }
    }

    /// The first frame a prompt of step `stepIndex` can start at: after the step's chime (and, in
    /// the first step, the start chime's delay) and the lead-in.
    static func afterChimeFrame(ofStep stepIndex: Int, in timeline: SessionTimeline) -> Int64 {
        let rate = timeline.sampleRate
        let chimeDelay = stepIndex == 0 ? PromptTiming.startChimeDelay.frames(atSampleRate: rate) : 0
        return timeline.steps[stepIndex].startFrame + chimeDelay + PromptTiming.leadIn.frames(atSampleRate: rate)
    }

    /// The first frame `prompt` can start at, whatever its length. A prompt after the chime starts
    /// exactly there, a timed one at its frame or, if that falls on the chime, just after it;
    /// closing words start later.
    static func earliestStartFrame(of prompt: PlannedPrompt, in timeline: SessionTimeline) -> Int64 {
        switch prompt.anchor {
        case .afterChime:
            return afterChimeFrame(ofStep: prompt.stepIndex, in: timeline)
        case .atFrame(let frame):
            return max(frame, afterChimeFrame(ofStep: prompt.stepIndex, in: timeline))
        case .beforeStepEnd:
            return timeline.steps[prompt.stepIndex].startFrame
                + PromptTiming.leadIn.frames(atSampleRate: timeline.sampleRate)
        }
    }

    /// A later prompt of a step that starts while the one before it is still being said.
    fileprivate static func overlaps(
        _ step: TimelineStep, earlier: PlacedSpan, position: StepPosition?, gap: Int64, rate: Int
    ) -> SpeechError {
        let seconds = { (frames: Int64) in Double(frames) / Double(rate) }
        let name = "'\(step.id)'" + (step.side.map { " (\($0.rawValue))" } ?? "")
        let earliest = SessionDuration(seconds: seconds(earlier.endFrame + gap - step.startFrame))
        let positionText = position.map { "at \($0) " } ?? ""
        return SpeechError(
            .promptTooLong,
            "the prompt \(positionText)does not fit step \(name): the prompt before it starts "
                + "\(seconds(earlier.startFrame - step.startFrame).secondsText) into the step and lasts "
                + "\(seconds(earlier.frameCount).secondsText), so with the pause between them the next can start "
                + "\(seconds(earliest.frames(atSampleRate: rate)).secondsText) in at the soonest. Place it later "
                + "(at: \(Int(earliest.seconds.rounded(.up)))s), speak faster with --speech-rate, or shorten the "
                + "prompt before it")
    }

    fileprivate static func tooLong(
        _ step: TimelineStep, spoken: [Int64], needed: Int64, rate: Int, position: StepPosition? = nil
    ) -> SpeechError {
        let seconds = { (frames: Int64) in Double(frames) / Double(rate) }
        let name = "'\(step.id)'" + (step.side.map { " (\($0.rawValue))" } ?? "")
        let promptText =
            spoken.count == 1
            ? "its prompt \(position.map { "at \($0) " } ?? "")lasts \(seconds(spoken[0]).secondsText)"
            : "its prompt and the closing words last \(spoken.map { seconds($0).secondsText }.joinedAsList())"
        let neededSeconds = Int(seconds(needed).rounded(.up))
        return SpeechError(
            .promptTooLong,
            "the prompt does not fit step \(name): the step lasts \(step.duration.seconds.secondsText) and "
                + "\(promptText); with the pauses around it the step needs at least \(seconds(needed).secondsText). "
                + "Lengthen it (--step \(step.id)=\(neededSeconds)s), choose a longer --total, "
                + "speak faster with --speech-rate, or shorten the prompt")
    }
}

extension SpokenPrompt {
    /// The prompt as `soothe show` reports it.
    public var report: PromptReport {
        PromptReport(
            stepIndex: stepIndex, kind: kind, text: text, startSeconds: Double(startFrame) / Double(sampleRate),
            spokenSeconds: spokenSeconds, recordingPath: recordingPath, laterPromptIndex: laterPromptIndex)
    }
}
