import AudioFiles
import Foundation
import Sequencer

/// Finds Piper voice files in the voice folders.
enum PiperVoiceFinder {
    /// Every `.onnx` file in `locations`' folders, folder by folder, each folder's sorted by name;
    /// a name found in an earlier folder hides the same name in later ones.
    static func modelPaths(in locations: PiperLocations) -> [(path: String, folder: PiperLocations.VoiceFolder)] {
        var seen: Set<String> = []
        var found: [(path: String, folder: PiperLocations.VoiceFolder)] = []
        for folder in locations.voiceFolders {
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { continue }
            for file in files.sorted() where file.hasSuffix(".onnx") && !file.hasPrefix(".") {
                let name = PiperVoiceFile.name(ofModelAt: file)
                guard seen.insert(name).inserted else { continue }
                found.append(((folder.path as NSString).appendingPathComponent(file), folder))
            }
        }
        return found
    }
}

/// A Piper voice that `soothe voices` lists: the voice, or why its file cannot be used.
public struct PiperVoiceListing: Sendable {
    public var name: String
    public var path: String
    /// Where it was found, such as "your voices".
    public var folderLabel: String
    /// Language, speaker, sample rate and licence; or the problem with the file.
    public var summary: String
    public var isUsable: Bool
}

/// The voice used when `--voice` is not given, and why.
public struct DefaultVoice: Sendable {
    public var voice: Voice
    public var reason: String
}

extension VoiceCatalog {
    /// The Piper voices in `locations`, each checked.
    public static func piperVoices(locations: PiperLocations = .standard()) -> [PiperVoiceListing] {
        PiperVoiceFinder.modelPaths(in: locations).map { found in
            let name = PiperVoiceFile.name(ofModelAt: found.path)
            switch Result(catching: { () throws(SpeechError) in try PiperVoiceFile(modelPath: found.path) }) {
            case .success(let file):
                return PiperVoiceListing(
                    name: name, path: found.path, folderLabel: found.folder.label, summary: file.summary, isUsable: true
                )
            case .failure(let error):
                return PiperVoiceListing(
                    name: name, path: found.path, folderLabel: found.folder.label,
                    summary: "unusable: \(error.message)",
                    isUsable: false)
            }
        }
    }

    /// Why Piper voices cannot be used, or `nil` when the library loads.
    public static func piperUnavailableReason(locations: PiperLocations = .standard()) -> String? {
        switch PiperLibrary.load(searching: locations.libraryDirectories) {
        case .success: return nil
        case .failure(let error): return error.message
        }
    }

    /// The first usable Piper voice when sherpa-onnx's library is installed, otherwise flite's slt;
    /// with the reason. The library is not opened here: a session whose prompts are cached never
    /// needs it.
    public static func defaultVoice(locations: PiperLocations = .standard()) -> DefaultVoice {
        if case .failure(let error) = PiperLibrary.identity(searching: locations.libraryDirectories) {
            let reason = error.message
            return DefaultVoice(voice: .default, reason: "Piper voices are unavailable: \(reason)")
        }
        var espeakProblem: String?
        for found in PiperVoiceFinder.modelPaths(in: locations) {
            guard let file = try? PiperVoiceFile(modelPath: found.path) else { continue }
            // Its phonemes come from espeak-ng, which must start and know the voice's language.
            do {
                try EspeakEngine.checkPhonemes(voice: file.config.espeakVoice, memoFolder: locations.memoFolder)
            } catch {
                espeakProblem = error.message
                continue
            }
            return DefaultVoice(
                voice: Voice(piperModelAt: found.path),
                reason: "the first Piper voice found (\(found.folder.label), '\(found.folder.path)')")
        }
        if let espeakProblem {
            return DefaultVoice(voice: .default, reason: "Piper voices cannot speak: \(espeakProblem)")
        }
        let folders = locations.voiceFolders.map { "'\($0.path)'" }.joinedAsList()
        return DefaultVoice(
            voice: .default,
            reason:
                "no usable Piper voice is installed (looked in \(folders)); add one with 'soothe voices add FILE.onnx'")
    }

    /// Checks the Piper voice at `modelPath`, prepares its metadata and copies it, with its JSON and
    /// any model card, into `locations.userVoiceFolder`. Returns the new model's path.
    ///
    /// Each file is written beside its target under a temporary name and renamed into place, the
    /// model last, so the folder never holds half a voice. An existing voice of the same name is
    /// replaced only with `replacing`.
    public static func addPiperVoice(
        at modelPath: String, locations: PiperLocations = .standard(), replacing: Bool = false
    ) throws(SpeechError) -> String {
        let file = try PiperVoiceFile(modelPath: modelPath)
        let folder = locations.userVoiceFolder
        let target = (folder as NSString).appendingPathComponent(file.name + ".onnx")
        if !replacing, FileManager.default.fileExists(atPath: target) {
            throw SpeechError(
                .voiceExists,
                "a Piper voice '\(file.name)' is already installed at '\(target)'; pass --force to replace it")
        }
        guard let config = FileManager.default.contents(atPath: file.configPath) else {
            throw SpeechError(.badVoiceFile, "the Piper voice file '\(file.configPath)' cannot be read")
        }
        var writes: [(Data, String)] = [(config, target + ".json")]
        let cardFolder = (modelPath as NSString).deletingLastPathComponent
        for card in ["\(file.name).MODEL_CARD", "MODEL_CARD"] {
            if let data = FileManager.default.contents(atPath: (cardFolder as NSString).appendingPathComponent(card)) {
                writes.append((data, (folder as NSString).appendingPathComponent("\(file.name).MODEL_CARD")))
                break
            }
        }
        // Only regular files are replaced, as everywhere Soothe writes: a link, FIFO or folder in
        // the way is kept.
        for path in [target] + writes.map(\.1) {
            var status = stat()
            if lstat(path, &status) == 0, let kind = FileKind.name(ofMode: status.st_mode) {
                throw SpeechError(
                    .cannotWriteVoice,
                    "'\(path)' is \(kind); Soothe replaces only regular files, so it is kept. Move it away first")
            }
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            TemporaryFiles.sweep(in: folder)
            for (data, path) in writes {
                try data.write(to: URL(fileURLWithPath: path), options: .atomic)
            }
            try file.writePreparedModel(to: target)
        } catch {
            throw SpeechError(
                .cannotWriteVoice,
                "cannot copy the voice into '\(folder)': \((error as NSError).localizedDescription)")
        }
        // The copy is checked as it will be read.
        _ = try PiperVoiceFile(modelPath: target)
        return target
    }

    /// The Piper part of `soothe voices`.
    static func piperListText(locations: PiperLocations) -> [String] {
        let library = try? PiperLibrary.load(searching: locations.libraryDirectories).get()
        var lines = [
            "Piper (neural, natural; through sherpa-onnx"
                + (library.map { " \(SherpaCalls.SherpaOnnxGetVersionStr($0)) from \($0.path)" } ?? "") + "):"
        ]
        let voices = piperVoices(locations: locations)
        let unavailable = piperUnavailableReason(locations: locations)
        let chosen = defaultVoice(locations: locations)
        if let unavailable { lines.append("  unavailable: \(unavailable)") }
        if voices.isEmpty {
            let folders = locations.voiceFolders.map { "'\($0.path)'" }.joinedAsList()
            lines.append("  no voices in \(folders); add one with 'soothe voices add FILE.onnx'")
        }
        let width = voices.map { ("piper:" + $0.name).count }.max() ?? 0
        for voice in voices {
            let mark = unavailable == nil && chosen.voice.modelPath == voice.path ? " (default)" : ""
            lines.append("  " + ("piper:" + voice.name).padded(to: width) + "  " + voice.summary + mark)
            lines.append("  " + String(repeating: " ", count: width) + "  \(voice.path) (\(voice.folderLabel))")
        }
        return lines
    }
}

extension PiperVoiceFile {
    /// Language, speaker, sample rate and licence, for `soothe voices`.
    var summary: String {
        let speakers =
            config.speakerCount == 1
            ? "one speaker" + (config.dataset.isEmpty ? "" : " (\(config.dataset))")
            : "\(config.speakerCount) speakers"
        let rate =
            config.sampleRate % 1000 == 0
            ? "\(config.sampleRate / 1000) kHz" : String(format: "%.2f kHz", Double(config.sampleRate) / 1000)
        let licence =
            self.licence.map { "licence \($0) (from its model card)" } ?? "licence not stated (no MODEL_CARD beside it)"
        return "\(config.languageName), \(speakers), \(rate), \(licence)"
    }
}

extension String {
    func padded(to width: Int) -> String {
        self + String(repeating: " ", count: max(0, width - count))
    }
}
