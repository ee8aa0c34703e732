import AudioFiles
import Foundation
import Synchronization

/// A Piper voice speaking through sherpa-onnx. The library and the model are loaded on the first
/// prompt that is not cached and the model released by `release()`, so a warm cache loads neither.
final class PiperSpeaker: Sendable {
    let voice: PiperVoiceFile
    /// The voice's content hash.
    let contentHash: String
    /// Where sherpa-onnx's library is looked for when a prompt must be spoken.
    private let libraryDirectories: [String]
    /// Where the voice's tokens file and, when it lacks metadata, its prepared copy go.
    private let preparedFolder: URL
    private let engine = Mutex<(library: SherpaCalls.Library, engine: SherpaCalls.Engine)?>(nil)

    /// The pace of Piper voices in their length scale relative to the voice's own (see
    /// `PaceCalibration`), measured with en_US-joe-medium at relative length scales 0.7 to 3.4 (296
    /// to 86 words a minute): within 1.4 % of this line.
    static let pace = PaceCalibration(scaledSecondsPerWord: 0.1864, fixedSecondsPerWord: 0.0707)

    /// ONNX Runtime's threads for one inference, one per core (at most four), and inferences take
    /// turns (`inference`); the prompts' phonemes and resampling run beside them on the other worker
    /// threads. Measured on two quiet cores, bedtime-foot's eleven prompts with a cold cache: one
    /// thread, 11.0-13.9 s; two threads, 7.5-9.5 s, at the same peak memory (about 320 MB). On cores
    /// another job keeps busy, two threads were slower while ONNX Runtime's threads spun waiting
    /// for a core; they no longer spin (`runtimeSettings`).
    static let threadCount = min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 4)
    private let inference = Mutex(())
    /// Blocks this large or larger are mapped on their own (see `init`).
    static let mappedBlockByteCount = 256 << 10

    init(voice: PiperVoiceFile, libraryDirectories: [String], preparedFolder: URL) throws(SpeechError) {
        // Memory freed while the model speaks goes back where the next block can use it: the
        // threads that phonemize, resample and run the model share one heap (with a heap per
        // thread, what each freed stayed beside the model's working memory), and blocks of a
        // quarter megabyte and more (a prompt's samples) are mapped on their own. A cold
        // bedtime-foot export peaked at 313 MB; with one heap, 301 MB; with both, 296 MB.
        MallocCalls.system_mallopt_arenaMax(1)
        MallocCalls.system_mallopt_mmapThreshold(Self.mappedBlockByteCount)
        self.voice = voice
        self.libraryDirectories = libraryDirectories
        // Hashing 60 MB takes a while, so the hash is remembered on disk by the files' stamp.
        let memo = preparedFolder.appending(path: "hash-" + ContentHash.hex(of: voice.stamp))
        let contentHash: String
        if let data = FileManager.default.contents(atPath: memo.path), data.count == 32,
            let remembered = String(data: data, encoding: .utf8), remembered.allSatisfy(\.isHexDigit)
        {
            contentHash = remembered
        } else {
            contentHash = try voice.contentHash()
            try? FileManager.default.createDirectory(at: preparedFolder, withIntermediateDirectories: true)
            try? Data(contentHash.utf8).write(to: memo, options: .atomic)
        }
        self.contentHash = contentHash
        self.preparedFolder = preparedFolder.appending(path: contentHash)
    }

    func synthesize(_ text: String, wordsPerMinute: Double) throws(SpeechError) -> EngineAudio {
        try synthesize(text, relativeLengthScale: Self.pace.stretch(forWordsPerMinute: wordsPerMinute))
    }

    /// `text` spoken with the voice's length scale times `relativeLengthScale`, its sentences
    /// joined without a pause (`SpokenSentences` gives it one sentence at a time).
    func synthesize(_ text: String, relativeLengthScale: Double) throws(SpeechError) -> EngineAudio {
        let sentences = try PiperPhonemizer.clauses(of: text, voice: voice)
        let lengthScale = voice.config.lengthScale * relativeLengthScale
        var samples: [Float] = []
        for sentence in sentences {
            for part in Self.parts(of: sentence, lengthScale: lengthScale) {
                // Loaded under the inference's lock, so that `release()` cannot come between.
                let generated = try inference.withLock { _ throws(SpeechError) -> [Float]? in
                    let (library, engine) = try loadedEngine()
                    return SherpaCalls.SherpaOnnxOfflineTtsGenerateWithConfig(
                        library, engine, phonemes: part, lengthScale: Float(lengthScale), speaker: 0)
                }
                guard let spoken = generated else {
                    throw SpeechError(.synthesisFailed, "the Piper voice '\(voice.name)' could not speak \"\(text)\"")
                }
                samples += spoken
            }
        }
        return EngineAudio(samples: samples, sampleRate: voice.config.sampleRate)
    }

    /// The most phonemes, times the length scale, that one inference speaks. ONNX Runtime's working
    /// memory grows with the length of the audio it makes (about 300 MB for 75 phonemes at the
    /// default pace, 160 MB for 32), so a long sentence is spoken in parts of whole clauses, each
    /// ending on its comma, and the parts joined; a sentence that fits is spoken whole, as Piper
    /// speaks it.
    static let maximumScaledPhonemesPerPart = 100.0

    /// `clauses` grouped, in order, into parts within `maximumScaledPhonemesPerPart`; a clause
    /// longer than that on its own is a part of its own.
    static func parts(of clauses: [[Int32]], lengthScale: Double) -> [[Int32]] {
        let space = Int32(UnicodeScalar(" ").value)
        var parts: [[Int32]] = []
        var current: [Int32] = []
        for clause in clauses {
            let joinedCount = current.isEmpty ? clause.count : current.count + 1 + clause.count
            if !current.isEmpty, Double(joinedCount) * lengthScale > maximumScaledPhonemesPerPart {
                parts.append(current)
                current = clause
            } else {
                current += (current.isEmpty ? [] : [space]) + clause
            }
        }
        if !current.isEmpty { parts.append(current) }
        return parts
    }

    /// Releases the model; the next prompt loads it again. `PromptSynthesizer` calls it once its
    /// prompts are ready, which may be while another thread speaks with the same voice (a session
    /// rebuilt while the first one's prompts are still spoken), so it waits for that prompt.
    func release() {
        inference.withLock { _ in
            engine.withLock { engine in
                guard let loaded = engine else { return }
                SherpaCalls.SherpaOnnxDestroyOfflineTts(loaded.library, loaded.engine)
                engine = nil
                // ONNX Runtime frees its memory into the heap, which keeps it (about 100 MB after a
                // cold bedtime-foot export) while the session renders unless it is handed back.
                MallocCalls.system_malloc_trim()
            }
        }
    }

    deinit { release() }

    /// The library and the model, loaded by the first caller while the others wait.
    private func loadedEngine() throws(SpeechError) -> (library: SherpaCalls.Library, engine: SherpaCalls.Engine) {
        try engine.withLock {
            engine throws(SpeechError) -> (library: SherpaCalls.Library, engine: SherpaCalls.Engine) in
            if engine == nil {
                let library: SherpaCalls.Library
                switch PiperLibrary.load(searching: libraryDirectories) {
                case .success(let loaded): library = loaded
                case .failure(let error):
                    throw SpeechError(
                        .engineUnavailable,
                        "cannot speak with the Piper voice '\(voice.name)': \(error.message); "
                            + "choose a flite voice such as slt")
                }
                let (model, tokens, runtimeSettings) = try prepareFiles()
                guard
                    let created = SherpaCalls.SherpaOnnxCreateOfflineTts(
                        library, model: model, tokens: tokens, runtimeSettings: runtimeSettings,
                        noiseScale: Float(voice.config.noiseScale),
                        noiseScaleW: Float(voice.config.noiseWidth), threadCount: Self.threadCount)
                else {
                    throw SpeechError(
                        .badVoiceFile,
                        "the Piper voice file '\(voice.modelPath)' was refused by sherpa-onnx (its message is above)")
                }
                guard SherpaCalls.SherpaOnnxOfflineTtsSampleRate(library, created) == voice.config.sampleRate else {
                    SherpaCalls.SherpaOnnxDestroyOfflineTts(library, created)
                    throw SpeechError(
                        .badVoiceFile,
                        "the Piper voice file '\(voice.modelPath)' does not speak at the \(voice.config.sampleRate) Hz "
                            + "its .onnx.json gives")
                }
                engine = (library, created)
            }
            return engine!
        }
    }

    /// ONNX Runtime's session settings for a Piper voice, as sherpa-onnx reads them from a file.
    ///
    /// - Its threads sleep between the graph's operators instead of spinning. Spinning threads
    ///   burned a quarter of a cold export's processor time (measured with perf on bedtime-foot),
    ///   taken from the thread phonemizing and resampling the next prompt and from anything else
    ///   on the machine: on two busy cores a cold export went from 34-40 s to 21-30 s, using
    ///   14-15 s of processor time instead of 18-20 s.
    /// - No memory pattern: each tensor is taken from the arena as it is needed instead of one block
    ///   planned for the whole graph, which reuses the arena's free space better (peak memory
    ///   for the eleven bedtime-foot prompts, one inference at a time: 314 MB instead of 323 MB).
    static let runtimeSettings = [
        "EnableMemPattern=0",
        "SessionConfig.session.intra_op.allow_spinning=0",
        "SessionConfig.session.inter_op.allow_spinning=0",
    ]

    /// The tokens file and the session settings sherpa-onnx needs, and the model with its
    /// metadata: the voice's own file when it has it, otherwise a prepared copy. All are written
    /// once per voice content.
    private func prepareFiles() throws(SpeechError) -> (model: String, tokens: String, runtimeSettings: String) {
        let tokens = preparedFolder.appending(path: "tokens.txt")
        let settings = preparedFolder.appending(path: "onnxruntime.cfg")
        let model = preparedFolder.appending(path: "model.onnx")
        do {
            try FileManager.default.createDirectory(at: preparedFolder, withIntermediateDirectories: true)
            for (file, text) in [
                (tokens, voice.config.tokensText), (settings, Self.runtimeSettings.joined(separator: "\n") + "\n"),
            ] {
                let data = Data(text.utf8)
                if FileManager.default.contents(atPath: file.path) != data {
                    try data.write(to: file, options: .atomic)
                }
            }
            if voice.hasMetadata { return (voice.modelPath, tokens.path, settings.path) }
            TemporaryFiles.sweep(in: preparedFolder.path)
            let expectedSize = try voice.preparedModelByteCount()
            let present = (try? FileManager.default.attributesOfItem(atPath: model.path)[.size] as? Int) ?? -1
            if present != expectedSize {
                try voice.writePreparedModel(to: model.path)
            }
            return (model.path, tokens.path, settings.path)
        } catch let error as SpeechError {
            throw error
        } catch {
            throw SpeechError(
                .engineUnavailable,
                "could not prepare the Piper voice '\(voice.name)' in '\(preparedFolder.path)': "
                    + "\((error as NSError).localizedDescription)")
        }
    }
}
