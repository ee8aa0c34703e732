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

    public var frameCount: Int64 { Int64(samples.count) }
    /// The first frame after the prompt.
    public var endFrame: Int64 { startFrame + frameCount }
    /// How long the prompt is spoken for.
    public var spokenSeconds: Double { Double(samples.count) / Double(sampleRate) }
}

/// Turns a session's prompts into audio before it plays: synthesised in parallel, resampled to
/// the session rate, cached on disk, and placed in their steps.
public final class PromptSynthesizer: Sendable {
    public let voice: Voice
    public let speechRatePerMinute: Double
    public let cache: PromptCache?
    private let syntheses = Mutex(0)
    /// The Piper voice's model, loaded on the first prompt that is not cached.
    private let piper: PiperSpeaker?
    /// What names the voice in the cache: engine and name, or for a Piper voice its file's content
    /// and the library's version.
    private let voiceIdentity: String

    /// Checks the voice (starting espeak-ng for its voices, reading a Piper voice's files and
    /// opening sherpa-onnx's library from `locations`) and the rate.
    public init(
        voice: Voice = .default, speechRatePerMinute: Double = SpeechRate.defaultWordsPerMinute, cache: PromptCache?,
        locations: PiperLocations = .standard()
    ) throws(SpeechError) {
        try SpeechRate.validate(speechRatePerMinute)
        if voice.engine == .espeak { try EspeakEngine.validate(voice.name) }
        self.voice = voice
        self.speechRatePerMinute = speechRatePerMinute
        self.cache = cache
        if voice.engine == .piper, let modelPath = voice.modelPath {
            let file = try PiperVoiceFile(modelPath: modelPath)
            let library: SherpaCalls.Library
            switch PiperLibrary.load(searching: locations.libraryDirectories) {
            case .success(let loaded): library = loaded
            case .failure(let error):
                throw SpeechError(
                    .engineUnavailable,
                    "cannot speak with the Piper voice '\(voice.name)': \(error.message); choose a flite voice such as slt"
                )
            }
            let preparedFolder =
                cache?.directory.appending(path: "piper-voices")
                ?? FileManager.default.temporaryDirectory.appending(path: "soothe-piper-voices")
            let speaker = try PiperSpeaker(voice: file, library: library, preparedFolder: preparedFolder)
            piper = speaker
            voiceIdentity = "piper\n\(speaker.contentHash)\nsherpa-onnx \(speaker.engineVersion)"
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
                let step = timeline.steps[prompt.stepIndex]
                let name =
                    "step '\(step.id)'" + (step.side.map { " (\($0.rawValue))" } ?? "")
                    + (prompt.position.map { ", the prompt at \($0)," } ?? "")
                audio.append(try RecordedPrompt.clip(at: path, sampleRate: timeline.sampleRate, for: name))
            } else {
                audio.append(spoken.next() ?? [])
            }
        }
        return try PromptLayout.place(planned, audio: audio, in: timeline)
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

    /// One text spoken at `sampleRate`, from the cache or the engine.
    public func clip(for text: String, sampleRate: Int) throws(SpeechError) -> [Float] {
        let key = PromptCacheKey(
            voiceIdentity: voiceIdentity, wordsPerMinute: speechRatePerMinute, sampleRate: sampleRate, spokenText: text)
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
        let samples: [Float]
        do { samples = try Resampler.resample(raw.samples, from: raw.sampleRate, to: sampleRate) } catch {
            throw SpeechError(.resamplingFailed, "could not resample speech: \(error.message)")
        }
        cache?.store(samples, for: key)
        return samples
    }
}

/// Places prompts in their steps by the rules of `PromptTiming`, and refuses one that does not fit.
enum PromptLayout {
    static func place(_ planned: [PlannedPrompt], audio: [[Float]], in timeline: SessionTimeline)
        throws(SpeechError) -> [SpokenPrompt]
    {
        let rate = timeline.sampleRate
        let leadIn = PromptTiming.leadIn.frames(atSampleRate: rate)
        let tail = PromptTiming.tail.frames(atSampleRate: rate)
        let gap = PromptTiming.gap.frames(atSampleRate: rate)
        let closeMargin = PromptTiming.closeMargin.frames(atSampleRate: rate)
        var prompts: [SpokenPrompt] = []
        for (index, (prompt, samples)) in zip(planned, audio).enumerated() {
            let step = timeline.steps[prompt.stepIndex]
            let length = Int64(samples.count)
            // Planned prompts come step by step, so the one before and the one after are neighbours.
            let earlier = prompts.last.flatMap { $0.stepIndex == prompt.stepIndex ? $0 : nil }
            let isLastInStep = index + 1 == planned.count || planned[index + 1].stepIndex != prompt.stepIndex
            let chimeDelay = prompt.stepIndex == 0 ? PromptTiming.startChimeDelay.frames(atSampleRate: rate) : 0
            let afterChime = step.startFrame + chimeDelay + leadIn
            let startFrame: Int64
            switch prompt.anchor {
            case .afterChime:
                startFrame = afterChime
            case .atFrame(let frame):
                startFrame = max(frame, afterChime)
            case .beforeStepEnd:
                startFrame = step.endFrame - closeMargin - length
                let earliest = earlier.map { $0.endFrame + gap } ?? step.startFrame + leadIn
                guard startFrame >= earliest else {
                    let spoken = (earlier.map { [$0.frameCount] } ?? []) + [length]
                    let needed = (earlier.map { $0.endFrame - step.startFrame + gap } ?? leadIn) + length + closeMargin
                    throw tooLong(step, spoken: spoken, needed: needed, rate: rate)
                }
            }
            if prompt.anchor != .beforeStepEnd {
                // Each prompt waits for the one before it, and the last leaves a quiet moment at the end.
                if let earlier, startFrame < earlier.endFrame + gap {
                    throw overlaps(step, earlier: earlier, position: prompt.position, gap: gap, rate: rate)
                }
                if isLastInStep && startFrame + length + tail > step.endFrame {
                    var needed = startFrame - step.startFrame + length + tail
                    if case .share(let share) = prompt.position {
                        // A longer step moves the prompt too: it fits once the rest after it holds it.
                        needed = max(
                            afterChime - step.startFrame + length + tail,
                            Int64((Double(length + tail) / (1 - share)).rounded(.up)))
                    }
                    throw tooLong(step, spoken: [length], needed: needed, rate: rate, position: prompt.position)
                }
            }
            prompts.append(
                SpokenPrompt(
                    stepIndex: prompt.stepIndex, kind: prompt.kind, text: prompt.text, startFrame: startFrame,
                    sampleRate: rate, samples: samples, recordingPath: prompt.recordingPath,
                    laterPromptIndex: prompt.laterPromptIndex))
        }
        return prompts
    }

    /// A later prompt of a step that starts while the one before it is still being said.
    private static func overlaps(
        _ step: TimelineStep, earlier: SpokenPrompt, position: StepPosition?, gap: Int64, rate: Int
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

    private static func tooLong(
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
