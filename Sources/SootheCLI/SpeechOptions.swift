import ArgumentParser
import Sequencer
import Speech
import Synthesis

/// The voice that speaks the prompts, shared by every command that plays, exports or shows a
/// session.
struct SpeechOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The voice: piper:NAME or a Piper .onnx file, slt, rms, awb, kal or espeak:NAME (default: the "
                + "installed Piper voice, else slt); see 'soothe voices'.", valueName: "name"),
        transform: { text in
            do { return try Voice(parsing: text) } catch let error as SpeechError {
                throw ValidationError(error.message)
            }
        })
    var voice: Voice?

    @Flag(name: .customLong("no-voice"), help: "No spoken prompts: chimes and the tone bed only.")
    var isVoiceOff = false

    @Option(
        name: .customLong("speech-rate"),
        parsing: .unconditional,
        help: ArgumentHelp(
            "The pace of speech in words per minute, for every voice (default: the routine's speech-rate, "
                + "else \(Int(SpeechRate.defaultWordsPerMinute))).",
            valueName: "wpm"),
        transform: { text in
            let range = SpeechRate.wordsPerMinuteRange
            let valid = "choose from \(Int(range.lowerBound)) to \(Int(range.upperBound)) words per minute"
            guard let rate = Double(text), rate.isFinite else {
                throw ValidationError("'\(text)' is not a number; \(valid)")
            }
            guard range.contains(rate) else { throw ValidationError("\(text) is out of range; \(valid)") }
            return rate
        })
    var speechRatePerMinute: Double?

    func validate() throws {
        if isVoiceOff && voice != nil {
            throw ValidationError("--voice and --no-voice contradict each other; give one of them")
        }
        let range = SpeechRate.wordsPerMinuteRange
        if let speechRatePerMinute, !speechRatePerMinute.isFinite || !range.contains(speechRatePerMinute) {
            throw ValidationError(
                "--speech-rate \(speechRatePerMinute) is out of range; choose from \(Int(range.lowerBound)) to "
                    + "\(Int(range.upperBound)) words per minute")
        }
    }

    /// The synthesiser for these options, with the cache in its usual place; `nil` with `--no-voice`.
    /// `routineRate` is the routine's own pace, used when `--speech-rate` is not given.
    func makeSynthesizer(routineRate: Double?) throws -> PromptSynthesizer? {
        guard !isVoiceOff else { return nil }
        if speechRatePerMinute == nil, let routineRate {
            do { try SpeechRate.check(routineRate) } catch {
                throw CommandError("the routine's speech-rate: \(error.message)", exitStatus: 65)
            }
        }
        return try PromptSynthesizer(
            voice: voice ?? VoiceCatalog.defaultVoice().voice,
            speechRatePerMinute: speechRatePerMinute ?? routineRate ?? SpeechRate.defaultWordsPerMinute,
            cache: PromptCache(directory: PromptCache.standardDirectory()),
            // The mix's voice clean-up, once per prompt before it is cached.
            finishing: ClipFinishing(identity: VoiceCleanup.identity, apply: VoiceCleanup.apply))
    }

    /// Every prompt of `timeline`, spoken and placed; empty with `--no-voice`.
    func prepare(for timeline: SessionTimeline) throws -> [SpokenPrompt]? {
        guard let synthesizer = try makeSynthesizer(routineRate: timeline.speechRatePerMinute) else { return nil }
        return try synthesizer.prepare(for: timeline)
    }
}
