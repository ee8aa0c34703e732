import Foundation
import Sequencer
import Synchronization
import Testing

@testable import Speech

/// The Piper voice `Scripts/setup` installs, and sherpa-onnx's library beside it.
enum JoeVoice {
    static let locations = PiperLocations.standard(environment: ["HOME": "/nonexistent"])
    static var modelPath: String {
        get throws {
            try #require(
                PiperVoiceFinder.modelPaths(in: locations).map(\.path).first { $0.hasSuffix("/en_US-joe-medium.onnx") },
                "run Scripts/setup to install the joe voice")
        }
    }
    static var voice: Voice { get throws { Voice(piperModelAt: try modelPath) } }
}

/// A scratch folder with a voice made from the joe voice: `model` is how its .onnx is made (a link
/// to joe's, a cut copy, other bytes), `json` edits its settings (`nil` leaves the JSON out).
func makeVoice(
    in folder: URL, name: String = "test-voice", model: (String, String) throws -> Void,
    json: ((inout [String: Any]) -> Void)? = { _ in }
) throws -> String {
    let source = try JoeVoice.modelPath
    let target = folder.appending(path: "\(name).onnx").path
    try model(source, target)
    if let json {
        let data = try #require(FileManager.default.contents(atPath: source + ".json"))
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        json(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: target + ".json"))
    }
    return target
}

let linkModel: @Sendable (String, String) throws -> Void = {
    try FileManager.default.createSymbolicLink(atPath: $1, withDestinationPath: $0)
}

struct PiperVoiceTests {
    @Test func aPiperPromptIsSpeechLengthAndNotSilent() throws {
        let text = "Press your thumbs into the sole, and make small, slow circles with firm pressure."
        let synthesizer = try PromptSynthesizer(voice: JoeVoice.voice, cache: nil, locations: JoeVoice.locations)
        let samples = try synthesizer.clip(for: text, sampleRate: 48000)
        let seconds = Double(samples.count) / 48000
        // Fourteen words at 120 a minute is 7 s; this sentence's long words and commas read
        // slower than the average prompt, by up to a tenth.
        #expect(seconds > 6.2 && seconds < 8.6, "\(seconds) s")
        #expect(rootMeanSquare(samples) > 0.02)
        // Speech throughout, not a burst: every second but the edges carries sound.
        let seconds48k = stride(from: 0, to: samples.count - 48000, by: 48000).map {
            rootMeanSquare(Array(samples[$0..<$0 + 48000]))
        }
        #expect(seconds48k.dropFirst().dropLast().allSatisfy { $0 > 0.005 }, "\(seconds48k)")
        #expect(samples.allSatisfy { abs($0) <= 1 })
    }

    /// A session rebuilt while the first one's prompts are still spoken lets the model go on
    /// another thread: the model must not go while a prompt is being spoken with it.
    @Test func theModelIsNotLetGoUnderAPromptBeingSpoken() throws {
        let file = try PiperVoiceFile(modelPath: JoeVoice.modelPath)
        let folder = FileManager.default.temporaryDirectory.appending(path: "soothe-piper-release-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let speaker = try PiperSpeaker(
            voice: file, libraryDirectories: JoeVoice.locations.libraryDirectories, preparedFolder: folder)
        let isDone = ReleaseLoopFlag()
        let releaser = Thread {
            while !isDone.value.load(ordering: .acquiring) {
                speaker.release()
                usleep(1000)
            }
            isDone.hasLeft.store(true, ordering: .releasing)
        }
        releaser.start()
        defer {
            isDone.value.store(true, ordering: .releasing)
            while !isDone.hasLeft.load(ordering: .acquiring) { usleep(1000) }
        }
        for _ in 0..<3 {
            let audio = try speaker.synthesize(
                "Breathe in slowly, and let your shoulders fall.", relativeLengthScale: 1)
            #expect(Double(audio.samples.count) / Double(audio.sampleRate) > 1.5)
            #expect(rootMeanSquare(audio.samples) > 0.01)
        }
    }

    @Test func aSlowerPaceSpeaksLonger() throws {
        // Two sentences, and the middle of three takes at each pace: a Piper voice's pace varies
        // from take to take, a short sentence's by a tenth or more.
        let text = PaceTests.twoSentences
        func medianPace(wordsPerMinute: Double) throws -> PaceMeasurement {
            let synthesizer = try PromptSynthesizer(
                voice: JoeVoice.voice, speechRatePerMinute: wordsPerMinute, cache: nil, locations: JoeVoice.locations)
            let takes = try (0..<3).map { _ in
                PaceMeasurement(
                    samples: try synthesizer.clip(for: text, sampleRate: 22050), sampleRate: 22050, text: text)
            }
            return takes.sorted { $0.wordsPerMinute < $1.wordsPerMinute }[1]
        }
        let slowPace = try medianPace(wordsPerMinute: 100)
        let fastPace = try medianPace(wordsPerMinute: 200)
        // Twice the pace, each within 5 %.
        #expect(abs(fastPace.wordsPerMinute / slowPace.wordsPerMinute - 2) < 0.2, "\(slowPace) against \(fastPace)")
    }

    @Test func theSameCacheGivesTheSameBytes() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let texts = ["Rest now.", "Hold each toe, circle it gently, and give it a soft pull."]
        let first = try PromptSynthesizer(
            voice: JoeVoice.voice, cache: PromptCache(directory: directory), locations: JoeVoice.locations)
        let spoken = try first.speak(texts, sampleRate: 44100)
        #expect(first.synthesisCount == 2)
        let entries = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            $0.hasSuffix(".voice")
        }
        let bytes = entries.sorted().map { FileManager.default.contents(atPath: directory.appending(path: $0).path) }
        let second = try PromptSynthesizer(
            voice: JoeVoice.voice, cache: PromptCache(directory: directory), locations: JoeVoice.locations)
        let again = try second.speak(texts, sampleRate: 44100)
        #expect(second.synthesisCount == 0)
        #expect(again == spoken)
        #expect(
            entries.sorted().map { FileManager.default.contents(atPath: directory.appending(path: $0).path) } == bytes)
    }

    @Test func theDefaultVoiceIsTheInstalledPiperVoice() throws {
        let chosen = VoiceCatalog.defaultVoice(locations: JoeVoice.locations)
        #expect(chosen.voice.engine == .piper)
        #expect(chosen.voice.name == "en_US-joe-medium")
        let text = VoiceCatalog.listText(locations: JoeVoice.locations)
        #expect(text.contains("piper:en_US-joe-medium"))
        #expect(text.contains("licence CC0"))
        #expect(text.contains("22.05 kHz"))
        #expect(text.contains("Default voice: piper:en_US-joe-medium, the first Piper voice found"))
    }

    @Test func withoutTheLibraryFliteSpeaksAndTheReasonIsGiven() throws {
        let empty = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: empty) }
        var locations = JoeVoice.locations
        locations.libraryDirectories = [empty.path]
        let chosen = VoiceCatalog.defaultVoice(locations: locations)
        #expect(chosen.voice == .default)
        #expect(chosen.reason.contains("libsherpa-onnx-c-api.so is in none of '\(empty.path)'"), "\(chosen.reason)")
        #expect(VoiceCatalog.listText(locations: locations).contains("unavailable: the sherpa-onnx library is missing"))
        let error = #expect(throws: SpeechError.self) {
            try PromptSynthesizer(voice: JoeVoice.voice, cache: nil, locations: locations)
        }
        #expect(error?.kind == .engineUnavailable)
        // And the fallback speaks.
        let samples = try PromptSynthesizer(voice: chosen.voice, cache: nil).clip(for: "Rest now.", sampleRate: 48000)
        #expect(rootMeanSquare(samples) > 0.01)
    }

    @Test func aVoiceAddedToTheFolderCarriesItsMetadataAndIsFound() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var locations = JoeVoice.locations
        locations.userVoiceFolder = folder.path
        locations.voiceFolders = [.init(path: folder.path, label: "your voices")]
        let added = try VoiceCatalog.addPiperVoice(at: JoeVoice.modelPath, locations: locations)
        let file = try PiperVoiceFile(modelPath: added)
        #expect(file.hasMetadata)
        #expect(file.licence == "CC0")
        let bytes = try #require(FileManager.default.contents(atPath: added))
        let summary = try bytes.withUnsafeBytes { try OnnxModelFile.summary(of: $0) }
        #expect(summary.metadata["sample_rate"] == "22050")
        #expect(summary.metadata["comment"] == "piper")
        #expect(summary.metadata["n_speakers"] == "1")
        #expect(try Voice(parsing: "piper:en_US-joe-medium", locations: locations).modelPath == added)
        let again = #expect(throws: SpeechError.self) {
            try VoiceCatalog.addPiperVoice(at: JoeVoice.modelPath, locations: locations)
        }
        #expect(again?.kind == .voiceExists)
        // The copy speaks as the original does.
        let spoken = try PromptSynthesizer(voice: Voice(piperModelAt: added), cache: nil, locations: locations)
            .clip(for: "Rest now.", sampleRate: 22050)
        #expect(rootMeanSquare(spoken) > 0.01)
    }
}

struct BadPiperVoiceTests {
    /// Each broken voice and the words its error must contain. Every case runs in this process:
    /// none may reach sherpa-onnx, which would end it.
    static let cases:
        [(
            name: String, model: @Sendable (String, String) throws -> Void,
            json: (@Sendable (inout [String: Any]) -> Void)?, says: String
        )] =
            [
                (
                    "truncated",
                    { source, target in
                        let handle = try #require(FileHandle(forReadingAtPath: source))
                        try handle.readData(ofLength: 1 << 20).write(to: URL(fileURLWithPath: target))
                    }, { _ in }, "is not a whole ONNX model"
                ),
                (
                    "not onnx",
                    { _, target in try Data("not a model at all\n".utf8).write(to: URL(fileURLWithPath: target)) },
                    { _ in }, "is not a whole ONNX model"
                ),
                ("empty", { _, target in try Data().write(to: URL(fileURLWithPath: target)) }, { _ in }, "is empty"),
                ("no json", linkModel, nil, "has no 'test-voice.onnx.json' beside it"),
                ("json of another voice", linkModel, { $0["num_speakers"] = 4 }, "does not match its .onnx.json"),
                ("no sample rate", linkModel, { $0["audio"] = [:] as [String: Any] }, "has no audio.sample_rate"),
                (
                    "no pad phoneme", linkModel,
                    {
                        var map = $0["phoneme_id_map"] as! [String: Any]
                        map["_"] = nil
                        $0["phoneme_id_map"] = map
                    }, "lacks '_' in phoneme_id_map"
                ),
                (
                    "id past the symbols", linkModel,
                    {
                        var map = $0["phoneme_id_map"] as! [String: Any]
                        map["a"] = [999]
                        $0["phoneme_id_map"] = map
                    }, "not to one id below num_symbols"
                ),
                (
                    "metadata of another rate",
                    { source, target in
                        var data = try Data(contentsOf: URL(fileURLWithPath: source))
                        data.append(contentsOf: OnnxModelFile.metadataBytes([("sample_rate", "16000")]))
                        try data.write(to: URL(fileURLWithPath: target))
                    }, { _ in }, "the model says sample_rate 16000, the JSON 22050"
                ),
            ]

    @Test(arguments: cases.indices)
    func aBadVoiceFileIsAnErrorNamingTheFile(index: Int) throws {
        let badCase = Self.cases[index]
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try makeVoice(in: folder, model: badCase.model, json: badCase.json)
        let error = #expect(throws: SpeechError.self, "\(badCase.name)") {
            try PromptSynthesizer(voice: Voice(piperModelAt: path), cache: nil, locations: JoeVoice.locations)
        }
        #expect(error?.kind == .badVoiceFile, "\(badCase.name)")
        #expect(error?.message.contains(badCase.says) == true, "\(badCase.name): \(error?.message ?? "")")
        #expect(error?.message.contains(folder.path) == true, "\(badCase.name): \(error?.message ?? "")")
        // `soothe voices add` refuses it the same way, and `soothe voices` lists it as unusable.
        var locations = JoeVoice.locations
        locations.userVoiceFolder = folder.appending(path: "added").path
        locations.voiceFolders = [.init(path: folder.path, label: "test")]
        #expect(throws: SpeechError.self) { try VoiceCatalog.addPiperVoice(at: path, locations: locations) }
        #expect(VoiceCatalog.piperVoices(locations: locations).first?.isUsable == false)
    }

    @Test func aPhonemeTheVoiceDoesNotKnowIsAnError() throws {
        let folder = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try makeVoice(in: folder, model: linkModel) {
            var map = $0["phoneme_id_map"] as! [String: Any]
            map["ə"] = nil
            $0["phoneme_id_map"] = map
        }
        let synthesizer = try PromptSynthesizer(
            voice: Voice(piperModelAt: path), cache: nil, locations: JoeVoice.locations)
        let error = #expect(throws: SpeechError.self) { try synthesizer.clip(for: "Rest a moment.", sampleRate: 22050) }
        #expect(error?.kind == .unknownPhoneme)
        #expect(error?.message.contains("has no phoneme 'ə' (U+259)") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(path) == true)
    }

    @Test func aMissingVoiceFileAndAnUnknownNameAreErrors() throws {
        let missing = #expect(throws: SpeechError.self) {
            try PromptSynthesizer(voice: Voice(piperModelAt: "/nonexistent/x.onnx"), cache: nil)
        }
        #expect(missing?.kind == .badVoiceFile)
        #expect(missing?.message.contains("'/nonexistent/x.onnx' does not exist") == true)
        let unknown = #expect(throws: SpeechError.self) {
            try Voice(parsing: "piper:no-such-voice", locations: JoeVoice.locations)
        }
        #expect(unknown?.kind == .unknownVoice)
        #expect(unknown?.message.contains("piper:en_US-joe-medium") == true, "\(unknown?.message ?? "")")
    }
}

struct PiperPhonemizerTests {
    @Test func clausesKeepTheirPunctuationAndSentencesSplit() {
        let sentences = PiperPhonemizer.split("Hello, world; rest. Breathe out slowly... Ready? Yes — 1.5 times!")
        #expect(
            sentences.map { $0.map(\.text) } == [
                ["Hello", "world", "rest"], ["Breathe out slowly"], ["Ready"], ["Yes", "1.5 times"],
            ])
        #expect(sentences.map { $0.map(\.punctuation) } == [[",", ";", "."], ["."], ["?"], [",", "!"]])
    }

    @Test func phonemesCarryTheClausePunctuation() throws {
        let voice = try PiperVoiceFile(modelPath: JoeVoice.modelPath)
        let sentences = try PiperPhonemizer.sentences(of: "Hello, world. Rest now!", voice: voice)
        #expect(sentences.count == 2)
        let first = String(String.UnicodeScalarView(sentences[0].compactMap { Unicode.Scalar(UInt32($0)) }))
        #expect(first.hasSuffix("."), "\(first)")
        #expect(first.contains(", "), "\(first)")
        #expect(first.contains("h") && first.contains("l"), "\(first)")
        let second = String(String.UnicodeScalarView(sentences[1].compactMap { Unicode.Scalar(UInt32($0)) }))
        #expect(second.hasSuffix("!"), "\(second)")
    }

    @Test func metadataAppendedToAModelReadsBack() throws {
        let entries = [(key: "sample_rate", value: "22050"), (key: "language", value: "English (United States)")]
        let bytes = OnnxModelFile.metadataBytes(entries)
        let summary = try bytes.withUnsafeBytes { try OnnxModelFile.summary(of: $0) }
        #expect(summary.metadata == ["sample_rate": "22050", "language": "English (United States)"])
        let cut = Array(bytes.dropLast(3))
        #expect(throws: OnnxFormatError.self) { try cut.withUnsafeBytes { try OnnxModelFile.summary(of: $0) } }
    }
}

struct PiperPartTests {
    @Test func aLongSentenceIsSpokenInPartsOfWholeClauses() {
        let clauses: [[Int32]] = [
            Array(repeating: 97, count: 30), Array(repeating: 98, count: 30), Array(repeating: 99, count: 20),
        ]
        // At the voice's own pace all three fit in one part, joined by spaces.
        #expect(PiperSpeaker.parts(of: clauses, lengthScale: 1).map(\.count) == [82])
        // Slower, the first two no longer fit together (61 × 1.7 > 100); the last two do.
        let slow = PiperSpeaker.parts(of: clauses, lengthScale: 1.7)
        #expect(slow.map(\.count) == [30, 30 + 1 + 20])
        #expect(slow.flatMap { $0 }.filter { $0 != 32 } == clauses.flatMap { $0 })
        // A clause longer than a part on its own is still spoken whole.
        #expect(PiperSpeaker.parts(of: [Array(repeating: 97, count: 200)], lengthScale: 1).map(\.count) == [200])
    }
}

/// Stops the releasing thread of `theModelIsNotLetGoUnderAPromptBeingSpoken` and says when it left.
private final class ReleaseLoopFlag: Sendable {
    let value = Atomic<Bool>(false)
    let hasLeft = Atomic<Bool>(false)
}
