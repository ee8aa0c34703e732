import Foundation
import Sequencer
import Synchronization

/// Raw speech from an engine: mono samples at the engine's own rate.
struct EngineAudio {
    var samples: [Float]
    var sampleRate: Int
}

/// flite, in-process. Voices are registered once; after that utterances are synthesised on any
/// number of threads at once (see `FliteCalls`).
enum FliteEngine {
    /// A registered voice. flite never frees it, and synthesis only reads it.
    private struct Handle: @unchecked Sendable {
        var voice: FliteCalls.VoiceHandle
    }

    private static let voices = Mutex<[String: Handle]>([:])

    private static func handle(_ name: String) throws(SpeechError) -> Handle {
        let handle = voices.withLock { voices -> Handle? in
            if let handle = voices[name] { return handle }
            if voices.isEmpty { FliteCalls.flite_init() }
            guard let voice = FliteCalls.register_cmu_us_voice(name) else { return nil }
            voices[name] = Handle(voice: voice)
            return voices[name]
        }
        guard let handle else { throw SpeechError(.engineUnavailable, "flite could not load its voice '\(name)'") }
        return handle
    }

    static func synthesize(_ text: String, voice name: String, wordsPerMinute: Double) throws(SpeechError)
        -> EngineAudio
    {
        guard let voice = FliteVoice.all.first(where: { $0.name == name }) else {
            throw SpeechError(.unknownVoice, "flite has no voice '\(name)'")
        }
        return try synthesize(text, voice: name, durationStretch: voice.pace.stretch(forWordsPerMinute: wordsPerMinute))
    }

    /// `text` spoken with the voice's durations stretched by `durationStretch` (above 1 is slower).
    static func synthesize(_ text: String, voice name: String, durationStretch: Double) throws(SpeechError)
        -> EngineAudio
    {
        let handle = try handle(name)
        RandomCalls.soothe_seed_random(for: text)
        guard
            let audio = FliteCalls.flite_synth_text(text, voice: handle.voice, durationStretch: Float(durationStretch))
        else {
            throw SpeechError(.synthesisFailed, "flite could not speak \"\(text)\" with the voice \(name)")
        }
        return EngineAudio(samples: audio.samples, sampleRate: audio.sampleRate)
    }
}

/// An entry of `soothe voices`.
public struct VoiceListing: Equatable, Sendable {
    /// The name as `--voice` takes it, such as `slt` or `espeak:en-gb`.
    public var name: String
    public var summary: String
}

/// espeak-ng, in-process. All its state is global and it is not thread-safe, so every use goes
/// through one lock; it is set up once per process, on first use.
enum EspeakEngine {
    private struct State {
        var sampleRate: Result<Int, SpeechError>?
        /// Whether espeak-ng is ready to speak, not only to give phonemes.
        var isOutputReady = false
        // Listed on first need: reading every voice file costs hundreds of opens and a megabyte or
        // so, which phonemizing for a Piper voice never needs.
        lazy var voices = EspeakCalls.espeak_ListVoices(variants: false)
        lazy var variants = EspeakCalls.espeak_ListVoices(variants: true)
    }

    private static let state = Mutex(State())

    /// The environment variable that points espeak-ng at another data directory.
    static let dataPathVariable = "ESPEAK_DATA_PATH"

    /// Runs `body` with espeak-ng set up, under the lock.
    private static func withEngine<T>(_ body: (inout State, Int) throws(SpeechError) -> T) throws(SpeechError) -> T {
        try state.withLock { state throws(SpeechError) -> T in
            if state.sampleRate == nil {
                state.sampleRate = initialize()
            }
            switch state.sampleRate! {
            case .failure(let error): throw error
            case .success(let sampleRate): return try body(&state, sampleRate)
            }
        }
    }

    /// The data directory the user chose with `ESPEAK_DATA_PATH`, if any.
    private static var chosenDataPath: String? {
        ProcessInfo.processInfo.environment[dataPathVariable].flatMap { $0.isEmpty ? nil : $0 }
    }

    private static func initialize() -> Result<Int, SpeechError> {
        let dataPath = chosenDataPath
        if let dataPath {
            // espeak-ng quietly falls back to its default data when the path is not a directory;
            // someone who set it meant this one.
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dataPath, isDirectory: &isDirectory), isDirectory.boolValue
            else {
                return .failure(
                    SpeechError(
                        .engineUnavailable,
                        "espeak-ng cannot start: \(dataPathVariable) is '\(dataPath)', which is not a directory; "
                            + "point it at espeak-ng's data directory or unset it, or choose a flite voice such as slt"
                    ))
            }
        }
        switch EspeakCalls.espeak_ng_Initialize(dataPath: dataPath) {
        case .success(let sampleRate):
            return .success(sampleRate)
        case .failure(let failure):
            let place = dataPath.map { "'\($0)' (from \(dataPathVariable))" } ?? "its data directory"
            return .failure(
                SpeechError(
                    .engineUnavailable,
                    "espeak-ng cannot start: it could not load its data from \(place): \(failure.message); "
                        + "reinstall espeak-ng-data, or choose a flite voice such as slt"))
        }
    }

    /// The voice file espeak-ng loads for `name` (`en-gb+f3` becomes `gmw/en+f3`), or an error that
    /// lists the valid names.
    private static func resolve(_ name: String, in state: inout State) throws(SpeechError) -> String {
        let parts = name.split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false).map {
            $0.lowercased()
        }
        let base = parts[0]
        let variant = parts.count > 1 ? parts[1] : nil
        let voice =
            state.voices.first { $0.languages.contains { $0.lowercased() == base } }
            ?? state.voices.first {
                $0.identifier.lowercased() == base || $0.identifier.lowercased().hasSuffix("/" + base)
                    || $0.name.lowercased() == base
            }
        guard let voice else {
            let names = languageNames(&state)
            throw SpeechError(
                .unknownVoice,
                "espeak-ng has no voice 'espeak:\(name)'; its voices are " + names.map { "espeak:\($0)" }.joinedAsList()
                    + ", each with an optional +VARIANT; or choose a flite voice: "
                    + FliteVoice.all.map(\.name).joinedAsList())
        }
        guard let variant else { return voice.identifier }
        guard let match = state.variants.first(where: { variantName($0).lowercased() == variant }) else {
            throw SpeechError(
                .unknownVoice,
                "espeak-ng has no variant '+\(variant)' (in 'espeak:\(name)'); its variants are "
                    + state.variants.map(variantName).joinedAsList())
        }
        return voice.identifier + "+" + variantName(match)
    }

    private static func variantName(_ entry: EspeakCalls.VoiceEntry) -> String {
        String(entry.identifier.split(separator: "/").last ?? Substring(entry.identifier))
    }

    private static func languageNames(_ state: inout State) -> [String] {
        state.voices.compactMap(\.languages.first)
    }

    /// Checks that espeak-ng starts and knows `name`.
    static func validate(_ name: String) throws(SpeechError) {
        _ = try withEngine { state, _ throws(SpeechError) in try resolve(name, in: &state) }
    }

    /// espeak-ng's rate setting at a stretch of 1, its own pace (`espeakRATE_NORMAL`).
    static let normalRateSetting = 175.0
    /// The rate settings espeak-ng takes (`espeakRATE_MINIMUM`, and the fastest before it
    /// switches to its sonic speed-up).
    static let rateSettingRange: ClosedRange<Double> = 80...450

    /// The pace of espeak-ng's voices (see `PaceCalibration`), measured with `en-us` at stretches
    /// 0.6 to 2 (344 to 104 words a minute): within 0.5 % of this line. Its rate setting is not
    /// the pace heard: 175 speaks 208 words a minute, so 120 takes a setting of 101.
    static let pace = PaceCalibration(scaledSecondsPerWord: 0.2871, fixedSecondsPerWord: 0.0017)

    static func synthesize(_ text: String, voice name: String, wordsPerMinute: Double) throws(SpeechError)
        -> EngineAudio
    {
        try synthesize(text, voice: name, stretch: pace.stretch(forWordsPerMinute: wordsPerMinute))
    }

    /// `text` spoken at the rate setting `normalRateSetting / stretch`, within `rateSettingRange`.
    static func synthesize(_ text: String, voice name: String, stretch: Double) throws(SpeechError) -> EngineAudio {
        let rateSetting = Int(
            min(max(normalRateSetting / stretch, rateSettingRange.lowerBound), rateSettingRange.upperBound).rounded())
        return try withEngine { state, sampleRate throws(SpeechError) -> EngineAudio in
            if !state.isOutputReady {
                if case .failure(let failure) = EspeakCalls.espeak_ng_InitializeOutput() {
                    throw SpeechError(.engineUnavailable, "espeak-ng cannot start speaking: \(failure.message)")
                }
                state.isOutputReady = true
            }
            let file = try resolve(name, in: &state)
            // The voice and rate are set for every utterance, since another synthesiser may have
            // changed them since.
            guard EspeakCalls.espeak_SetVoiceByName(file) else {
                throw SpeechError(.unknownVoice, "espeak-ng could not load its voice 'espeak:\(name)' (\(file))")
            }
            _ = EspeakCalls.espeak_SetRate(wordsPerMinute: rateSetting)
            RandomCalls.soothe_seed_random(for: text)
            guard let samples = EspeakCalls.espeak_Synth(text) else {
                throw SpeechError(.synthesisFailed, "espeak-ng could not speak \"\(text)\" with espeak:\(name)")
            }
            return EngineAudio(samples: samples, sampleRate: sampleRate)
        }
    }

    /// The IPA phonemes of one clause, in espeak-ng's voice `voice` (such as `en-us`), for Piper.
    static func phonemes(of clause: String, voice: String) throws(SpeechError) -> String {
        try withEngine { _, _ throws(SpeechError) -> String in
            guard EspeakCalls.espeak_SetVoiceByName(voice) else {
                throw SpeechError(
                    .badVoiceFile, "espeak-ng has no voice '\(voice)', which the Piper voice asks for its phonemes")
            }
            return EspeakCalls.espeak_TextToPhonemes(clause)
        }
    }

    /// espeak-ng's version, which a Piper voice's prompts depend on through their phonemes.
    /// Nothing is loaded.
    static var version: String { state.withLock { _ in EspeakCalls.espeak_Info().version } }

    /// Checks that espeak-ng starts and gives the phonemes of `voice` (such as `en-us`), as a
    /// Piper voice needs. A check that passed is remembered in `memoFolder` under the identity of
    /// espeak-ng's files, so that choosing the default voice for a session whose prompts are all
    /// cached does not start espeak-ng: starting it reads about 360 voice files and keeps about
    /// 1.4 MB. A check that failed is not remembered, so a repaired espeak-ng is seen at once.
    static func checkPhonemes(voice: String, memoFolder: URL?) throws(SpeechError) {
        let memo = memoFolder?.appending(path: "espeak-" + ContentHash.hex(of: dataIdentity(forVoice: voice)))
        if let memo, FileManager.default.fileExists(atPath: memo.path) { return }
        _ = try phonemes(of: "a", voice: voice)
        guard let memoFolder, let memo else { return }
        try? FileManager.default.createDirectory(at: memoFolder, withIntermediateDirectories: true)
        try? Data(voice.utf8).write(to: memo, options: .atomic)
    }

    /// espeak-ng's version, the data directory the user chose (if any) and the one espeak-ng
    /// takes, and the files there that decide whether it starts and knows `voice` (its phoneme
    /// tables, the language's dictionary, its voice folders), each by its stamp. Nothing is
    /// loaded. The chosen directory is named as given, since espeak-ng quietly takes its own data
    /// when that is not a directory, which `initialize()` refuses. The voice folders are stamped
    /// themselves, not the voice files within them (finding `voice`'s file is the scan the check
    /// avoids): a voice file removed in place is found out when a prompt is spoken, as an error.
    static func dataIdentity(forVoice voice: String) -> String {
        let chosen = chosenDataPath
        let (version, dataPath) = state.withLock { _ in
            EspeakCalls.espeak_ng_InitializePath(dataPath: chosen)
            return EspeakCalls.espeak_Info()
        }
        let language = voice.split(separator: "-").first.map { $0.lowercased() } ?? voice
        let files = ["phontab", "phonindex", "phondata", "intonations", language + "_dict", "lang", "voices"]
        let stamps = [dataPath] + files.map { (dataPath as NSString).appendingPathComponent($0) }
        let lines = ["espeak-ng \(version)", voice, "\(dataPathVariable)=\(chosen ?? "")"] + stamps.map(FileStamp.of)
        return lines.joined(separator: "\n")
    }

    /// espeak-ng's voices as `espeak:LANGUAGE`, then a line for the variants.
    static func listings() throws(SpeechError) -> (voices: [VoiceListing], variants: [String]) {
        try withEngine { state, _ in
            let voices = state.voices.compactMap { entry -> VoiceListing? in
                guard let language = entry.languages.first else { return nil }
                return VoiceListing(name: Voice.espeakPrefix + language, summary: entry.name)
            }
            return (voices, state.variants.map(variantName))
        }
    }
}
