import AudioFiles
import Foundation
import Sequencer
import Synchronization

/// What a Piper voice's `.onnx.json` says, the part Soothe uses.
struct PiperVoiceConfig: Equatable, Sendable {
    var sampleRate: Int
    /// espeak-ng's voice for the phonemes, such as `en-us`.
    var espeakVoice: String
    var speakerCount: Int
    /// The symbol table's size: every phoneme id is below it.
    var symbolCount: Int
    /// Each phoneme (one Unicode scalar) and its id.
    var phonemeIDs: [Unicode.Scalar: Int]
    var noiseScale: Double
    var lengthScale: Double
    var noiseWidth: Double
    /// Such as `en_US`.
    var languageCode: String
    /// Such as `English (United States)`.
    var languageName: String
    /// The data set the voice was trained on; the speaker's name for single-speaker voices.
    var dataset: String

    /// The ids that start and end a sentence and pad between phonemes; sherpa-onnx looks them up.
    static let requiredPhonemes: [Unicode.Scalar] = ["^", "$", "_"]

    /// Reads and checks the JSON; `problem` receives what is wrong, for the caller's message.
    init(json data: Data) throws(PiperVoiceFile.Problem) {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .init("is not a JSON object")
        }
        func object(_ key: String) -> [String: Any]? { root[key] as? [String: Any] }
        func number(_ value: Any?) -> Double? { (value as? NSNumber)?.doubleValue }
        guard let rate = number(object("audio")?["sample_rate"]), rate.rounded() == rate, (8000...48000).contains(rate)
        else { throw .init("has no audio.sample_rate from 8000 to 48000 Hz") }
        if let type = root["phoneme_type"] as? String, type != "espeak" {
            throw .init("uses phoneme_type '\(type)'; Soothe speaks only voices with espeak phonemes")
        }
        guard let espeakVoice = object("espeak")?["voice"] as? String, !espeakVoice.isEmpty,
            espeakVoice.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        else { throw .init("has no espeak.voice (such as en-us)") }
        guard let speakers = number(root["num_speakers"]), speakers.rounded() == speakers,
            (1...10_000).contains(speakers)
        else { throw .init("has no num_speakers from 1 to 10000") }
        guard let symbols = number(root["num_symbols"]), symbols.rounded() == symbols, (1...100_000).contains(symbols)
        else { throw .init("has no num_symbols") }
        guard let map = root["phoneme_id_map"] as? [String: Any], !map.isEmpty else {
            throw .init("has no phoneme_id_map")
        }
        var ids: [Unicode.Scalar: Int] = [:]
        for (phoneme, value) in map {
            let scalars = Array(phoneme.unicodeScalars)
            guard scalars.count == 1, let scalar = scalars.first, scalar.value >= 0x20, scalar.value != 0x7f else {
                throw .init(
                    "maps '\(phoneme.debugDescription)', which is not one printable character, in phoneme_id_map")
            }
            guard let list = value as? [Any], list.count == 1, let id = number(list[0]), id.rounded() == id,
                id >= 0, id < symbols
            else {
                throw .init(
                    "maps '\(phoneme)' to \(value), not to one id below num_symbols (\(Int(symbols))), in phoneme_id_map"
                )
            }
            ids[scalar] = Int(id)
        }
        for required in Self.requiredPhonemes where ids[required] == nil {
            throw .init("lacks '\(required)' in phoneme_id_map")
        }
        let inference = object("inference")
        let language = object("language")
        self.sampleRate = Int(rate)
        self.espeakVoice = espeakVoice
        self.speakerCount = Int(speakers)
        self.symbolCount = Int(symbols)
        self.phonemeIDs = ids
        self.noiseScale = number(inference?["noise_scale"]).flatMap { (0...2).contains($0) ? $0 : nil } ?? 0.667
        self.lengthScale = number(inference?["length_scale"]).flatMap { (0.25...4).contains($0) ? $0 : nil } ?? 1
        self.noiseWidth = number(inference?["noise_w"]).flatMap { (0...2).contains($0) ? $0 : nil } ?? 0.8
        self.languageCode = language?["code"] as? String ?? espeakVoice
        let english = language?["name_english"] as? String
        let country = language?["country_english"] as? String
        self.languageName = [english, country.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")
        if languageName.isEmpty { languageName = languageCode }
        self.dataset = root["dataset"] as? String ?? ""
    }

    /// sherpa-onnx's tokens file: each phoneme and its id on a line.
    var tokensText: String {
        phonemeIDs.sorted { $0.value < $1.value }.map { "\(Character($0.key)) \($0.value)\n" }.joined()
    }
}

/// A Piper voice on disk: `NAME.onnx` with `NAME.onnx.json` beside it, checked so that
/// sherpa-onnx never sees a file it would reject by ending the process.
struct PiperVoiceFile: Hashable, Sendable {
    /// A voice file that cannot be used, and why; the caller names the file.
    struct Problem: Error, Equatable {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    var modelPath: String
    var configPath: String { modelPath + ".json" }
    var name: String
    var config: PiperVoiceConfig
    /// The metadata sherpa-onnx needs is in the file already (a voice `soothe voices add` copied).
    var hasMetadata: Bool
    /// From a `MODEL_CARD` beside it, such as `CC0`.
    var licence: String?

    static func == (lhs: Self, rhs: Self) -> Bool { lhs.modelPath == rhs.modelPath && lhs.config == rhs.config }
    func hash(into hasher: inout Hasher) { hasher.combine(modelPath) }

    /// The voice's name from a model path: the file name without `.onnx`.
    static func name(ofModelAt path: String) -> String {
        let file = (path as NSString).lastPathComponent
        return file.hasSuffix(".onnx") ? String(file.dropLast(5)) : file
    }

    /// Files this large are not a Piper voice (the largest are about 120 MB).
    static let maximumModelByteCount = 1 << 30

    /// Reads and checks the voice at `modelPath`; an error names the file and what is wrong.
    init(modelPath: String) throws(SpeechError) {
        let name = Self.name(ofModelAt: modelPath)
        func bad(_ file: String, _ reason: String) -> SpeechError {
            SpeechError(.badVoiceFile, "the Piper voice file '\(file)' \(reason)")
        }
        guard modelPath.hasSuffix(".onnx") else {
            throw bad(modelPath, "is not an .onnx file; a Piper voice is NAME.onnx with NAME.onnx.json beside it")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: modelPath, isDirectory: &isDirectory), !isDirectory.boolValue
        else {
            throw bad(modelPath, "does not exist")
        }
        let configPath = modelPath + ".json"
        guard FileManager.default.fileExists(atPath: configPath) else {
            throw bad(
                modelPath,
                "has no '\((configPath as NSString).lastPathComponent)' beside it; a Piper voice comes as "
                    + "NAME.onnx and NAME.onnx.json, download both")
        }
        guard let configData = FileManager.default.contents(atPath: configPath) else {
            throw bad(configPath, "cannot be read")
        }
        let config: PiperVoiceConfig
        do { config = try PiperVoiceConfig(json: configData) } catch { throw bad(configPath, error.reason) }
        let model: Data
        do { model = try Data(contentsOf: URL(fileURLWithPath: modelPath), options: .alwaysMapped) } catch {
            throw bad(modelPath, "cannot be read")
        }
        guard model.count <= Self.maximumModelByteCount else {
            throw bad(modelPath, "is too large to be a Piper voice")
        }
        guard !model.isEmpty else { throw bad(modelPath, "is empty") }
        let summary: OnnxModelSummary
        let walked = model.withUnsafeBytes { bytes in
            Result { () throws(OnnxFormatError) -> OnnxModelSummary in try OnnxModelFile.summary(of: bytes) }
        }
        switch walked {
        case .success(let walked): summary = walked
        case .failure(let error): throw bad(modelPath, "is not a whole ONNX model: \(error.message); download it again")
        }
        try Self.check(summary, against: config, bad: { bad(modelPath, $0) })
        self.modelPath = modelPath
        self.name = name
        self.config = config
        self.hasMetadata = Self.requiredMetadataKeys.allSatisfy { summary.metadata[$0] != nil }
        self.licence = Self.licence(besideModelAt: modelPath)
    }

    /// The graph must be a Piper (VITS) model that takes what the JSON describes.
    private static func check(
        _ summary: OnnxModelSummary, against config: PiperVoiceConfig, bad: (String) -> SpeechError
    ) throws(SpeechError) {
        guard summary.hasGraph else { throw bad("is an ONNX file without a graph; it is not a Piper voice") }
        let inputs = Set(summary.inputNames)
        guard inputs.isSuperset(of: ["input", "input_lengths", "scales"]), summary.outputNames.first == "output" else {
            throw bad(
                "is not a Piper voice: its model takes \(summary.inputNames.joinedAsList()) and gives "
                    + "\(summary.outputNames.joinedAsList()), where Piper's takes input, input_lengths and scales")
        }
        let isMultiSpeaker = inputs.contains("sid")
        guard isMultiSpeaker == (config.speakerCount > 1) else {
            throw bad(
                "does not match its .onnx.json: the JSON says \(config.speakerCount) speaker(s) but the model "
                    + (isMultiSpeaker ? "takes a speaker id" : "has one speaker")
                    + "; the two files are from different voices")
        }
        let expected = metadata(for: config)
        for (key, value) in expected where ["sample_rate", "n_speakers"].contains(key) {
            if let present = summary.metadata[key], present != value {
                throw bad(
                    "does not match its .onnx.json: the model says \(key) \(present), the JSON \(value); the two "
                        + "files are from different voices")
            }
        }
        if let comment = summary.metadata["comment"], !comment.contains("piper") {
            throw bad("says it is a '\(comment)' model, not a Piper voice")
        }
    }

    /// The metadata keys without which sherpa-onnx ends the process.
    static let requiredMetadataKeys = ["sample_rate", "n_speakers", "language", "comment"]

    /// What sherpa-onnx reads from a Piper model's metadata, from the JSON.
    static func metadata(for config: PiperVoiceConfig) -> [(key: String, value: String)] {
        [
            ("model_type", "vits"), ("comment", "piper"), ("language", config.languageName),
            ("voice", config.espeakVoice), ("has_espeak", "1"), ("n_speakers", "\(config.speakerCount)"),
            ("sample_rate", "\(config.sampleRate)"),
        ]
    }

    /// The bytes `writePreparedModel` copies at a time: few enough calls that copying 60 MB is quick
    /// (Foundation's `copyItem` goes 4 KB at a time, a second for a Piper model on a busy machine).
    static let copyChunkByteCount = 4 << 20

    /// Writes the model with the metadata sherpa-onnx needs (the file itself when it has them) to
    /// `target`: copied under a temporary name beside it, the metadata appended, then renamed, so
    /// `target` is never half a model. The model is streamed, never held in memory. A copy that a
    /// killed run left is removed by `TemporaryFiles.sweep`.
    func writePreparedModel(to target: String) throws {
        let temporary = TemporaryFiles.path(besides: target)
        do {
            guard FileManager.default.createFile(atPath: temporary, contents: nil),
                let source = FileHandle(forReadingAtPath: modelPath)
            else { throw CocoaError(.fileWriteUnknown) }
            defer { try? source.close() }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            defer { try? handle.close() }
            while let chunk = try source.read(upToCount: Self.copyChunkByteCount), !chunk.isEmpty {
                try handle.write(contentsOf: chunk)
            }
            if !hasMetadata {
                try handle.write(contentsOf: OnnxModelFile.metadataBytes(Self.metadata(for: config)))
            }
            try handle.close()
            guard rename(temporary, target) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    /// Names the model's content and its JSON, for the prompt cache and the prepared files. The
    /// files are read a megabyte at a time, so hashing 60 MB costs no memory; each file is hashed
    /// once per process while its size, time and inode stay (`stamp`).
    func contentHash() throws(SpeechError) -> String {
        if let known = Self.knownHashes.withLock({ $0[stamp] }) { return known }
        var hasher = ContentHash()
        for path in [modelPath, configPath] {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw SpeechError(.badVoiceFile, "the Piper voice file '\(path)' cannot be read")
            }
            defer { try? handle.close() }
            var count = 0
            while true {
                let chunk: Data?
                do { chunk = try handle.read(upToCount: 1 << 20) } catch {
                    throw SpeechError(.badVoiceFile, "the Piper voice file '\(path)' cannot be read")
                }
                // `nil` or empty at the end of the file.
                guard let chunk, !chunk.isEmpty else { break }
                chunk.withUnsafeBytes { hasher.update($0) }
                count += chunk.count
            }
            hasher.endPart(byteCount: count)
        }
        let hash = hasher.hex
        Self.knownHashes.withLock { $0[stamp] = hash }
        return hash
    }

    /// The model's and the JSON's size, modification time and inode, with the path: what the
    /// content hash is remembered by.
    var stamp: String { [modelPath, configPath].map(FileStamp.of).joined(separator: "\n") }

    private static let knownHashes = Mutex<[String: String]>([:])

    /// The size of the model `writePreparedModel` writes.
    func preparedModelByteCount() throws(SpeechError) -> Int {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: modelPath))?[.size] as? Int else {
            throw SpeechError(.badVoiceFile, "the Piper voice file '\(modelPath)' cannot be read")
        }
        return size + (hasMetadata ? 0 : OnnxModelFile.metadataBytes(Self.metadata(for: config)).count)
    }

    /// The licence a `MODEL_CARD` (or `NAME.MODEL_CARD`) beside the model states, from its
    /// `License:` line; Piper's cards give the licence of the voice's data set.
    static func licence(besideModelAt path: String) -> String? {
        let folder = (path as NSString).deletingLastPathComponent
        let name = Self.name(ofModelAt: path)
        for candidate in ["\(name).MODEL_CARD", "MODEL_CARD"] {
            let cardPath = (folder as NSString).appendingPathComponent(candidate)
            guard let data = FileManager.default.contents(atPath: cardPath), data.count < 65536 else { continue }
            for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
                let text = line.trimmingCharacters(in: CharacterSet(charactersIn: "*- \t"))
                for prefix in ["License:", "Licence:"] where text.lowercased().hasPrefix(prefix.lowercased()) {
                    let value = text.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
                    if !value.isEmpty, value.allSatisfy({ !$0.isNewline && $0.asciiValue.map { $0 >= 0x20 } ?? true }) {
                        return String(value.prefix(80))
                    }
                }
            }
        }
        return nil
    }
}

/// A 128-bit content hash in hex, over 8-byte words fed in chunks whose sizes are multiples of
/// eight (but the last of a part): the shared FNV-1a, and beside it a second lane that multiplies
/// by a different odd constant and folds its high bits down, so the two halves fail apart. Not
/// cryptographic; it tells files apart for the cache.
struct ContentHash {
    private var first = FNV1a()
    private var second: UInt64 = 0x8422_2325_cbf2_9ce4

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        let wordCount = bytes.count / 8
        for index in 0..<wordCount {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))
            first.combine(word: word)
            second = (second ^ (word &+ 0x9e37_79b9_7f4a_7c15)) &* 0xff51_afd7_ed55_8ccd
            second ^= second >> 31
        }
        for index in (wordCount * 8)..<bytes.count {
            first.combine(bytes[index])
            second = (second ^ UInt64(bytes[index])) &* 0xff51_afd7_ed55_8ccd
        }
    }

    /// Ends one file, so that the same bytes split differently between files hash differently.
    mutating func endPart(byteCount: Int) {
        first.combine(word: UInt64(byteCount))
        second ^= UInt64(byteCount)
    }

    var hex: String { [first.value, second].map { String($0, radix: 16).leftPadded(to: 16, with: "0") }.joined() }

    static func hex(of text: String) -> String {
        var hasher = ContentHash()
        Array(text.utf8).withUnsafeBytes { hasher.update($0) }
        return hasher.hex
    }
}
