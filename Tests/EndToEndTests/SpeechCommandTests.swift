import Foundation
import SootheTestSupport
import Testing

/// The speech options and `soothe voices`, run as a user would.
struct SpeechCommandTests {
    @Test func voicesListsPiperFliteAndEspeakVoices() throws {
        let result = try Soothe.run(["voices"], environment: ["HOME": "/nonexistent", "XDG_DATA_HOME": ""])
        #expect(result.status == 0, "\(result.standardError)")
        // The Piper voice Scripts/setup installs is the default, with its licence from its model card.
        #expect(
            result.standardOutput.contains(
                "piper:en_US-joe-medium  English (United States), one speaker (joe), 22.05 kHz, licence CC0 (from its "
                    + "model card) (default)"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("Default voice: piper:en_US-joe-medium, the first Piper voice found"))
        #expect(result.standardOutput.contains("slt   female, US English\n"))
        #expect(result.standardOutput.contains("espeak:en-gb"))
        #expect(result.standardOutput.contains("espeak:de"))
    }

    @Test func showPrintsEachPromptsSpokenLength() throws {
        let result = try Soothe.run(["show", "quick-reset"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("spoken  prompt"))
        #expect(result.standardOutput.contains("Automatic prompts:"))
        let json = try Soothe.run(["show", "quick-reset", "--voice", "espeak:en", "--format", "json"])
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let prompts = try #require(object["prompts"] as? [[String: Any]])
        #expect(prompts.last?["kind"] as? String == "close")
        #expect(prompts.allSatisfy { ($0["spokenSeconds"] as? Double ?? 0) > 0.5 })
    }

    @Test func noVoiceShowsTheTimelineAlone() throws {
        let result = try Soothe.run(["show", "quick-reset", "--no-voice", "--format", "json"])
        #expect(result.status == 0)
        #expect(!result.standardOutput.contains("spokenSeconds"))
        #expect(!result.standardOutput.contains("\"prompts\""))
    }

    @Test(arguments: [
        (
            ["show", "--voice", "bob"],
            "there is no voice 'bob'; the voices are flite's slt, rms, awb and kal"
        ),
        (["show", "--voice", "espeak:xx-nonsense"], "espeak-ng has no voice 'espeak:xx-nonsense'; its voices are"),
        (["show", "--speech-rate", "20"], "choose from 80 to 300"),
        (["show", "--voice", "slt", "--no-voice"], "contradict"),
        (["show", "--total", "2m"], "the prompt does not fit step"),
    ])
    func badSpeechInputGetsAMessage(arguments: [String], fragment: String) throws {
        let result = try Soothe.run(arguments)
        #expect(result.status != 0)
        #expect(result.standardError.contains(fragment), "\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
    }

    /// espeak-ng is started in a child process here, since its state is the process's own.
    @Test func aBrokenEspeakDataDirectoryIsAnErrorNotAnExit() throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "soothe-espeak-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = try Soothe.run(
            ["show", "--voice", "espeak:en"], environment: ["ESPEAK_DATA_PATH": directory.path])
        #expect(empty.status == 64 || empty.status == 1, "\(empty.status)")
        #expect(
            empty.standardError.contains("espeak-ng cannot start: it could not load its data from '\(directory.path)'"),
            "\(empty.standardError)")
        let nowhere = try Soothe.run(
            ["show", "--voice", "espeak:en"], environment: ["ESPEAK_DATA_PATH": "/nonexistent/espeak"])
        #expect(nowhere.status != 0)
        #expect(nowhere.standardError.contains("'/nonexistent/espeak', which is not a directory"))
        // `soothe voices` still lists flite's voices and says what is wrong with espeak-ng, even
        // where a check of the working espeak-ng was remembered just before.
        #expect(try Soothe.run(["voices"]).standardOutput.contains("Default voice: piper:"))
        let voices = try Soothe.run(["voices"], environment: ["ESPEAK_DATA_PATH": directory.path])
        #expect(voices.status == 0)
        #expect(voices.standardOutput.contains("slt"))
        #expect(voices.standardOutput.contains("espeak-ng: espeak-ng cannot start"))
        // Piper voices take their phonemes from espeak-ng, so flite's slt speaks by default then.
        #expect(voices.standardOutput.contains("Default voice: slt,"), "\(voices.standardOutput)")
        // espeak-ng quietly takes its own data when the path is not a directory, but soothe does
        // not, so a check remembered for that data does not apply.
        let misdirected = try Soothe.run(["voices"], environment: ["ESPEAK_DATA_PATH": "/nonexistent/espeak"])
        #expect(misdirected.standardOutput.contains("Default voice: slt,"), "\(misdirected.standardOutput)")
    }

    @Test func voicesAddImportsAPiperVoiceAndABadOneIsRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "soothe-voices-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = ["XDG_DATA_HOME": folder.appending(path: "data").path]
        let joe = try #require(
            Soothe.run(["voices"]).standardOutput.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .first { $0.hasSuffix("en_US-joe-medium.onnx (installed by Scripts/setup)") }?
                .components(separatedBy: " (installed").first)
        let added = try Soothe.run(["voices", "add", joe], environment: environment)
        #expect(added.status == 0, "\(added.standardError)")
        let target = folder.appending(path: "data/soothe/voices/en_US-joe-medium.onnx").path
        #expect(added.standardOutput == "Added piper:en_US-joe-medium at \(target)\n")
        let listed = try Soothe.run(["voices"], environment: environment)
        #expect(listed.standardOutput.contains("\(target) (your voices)"), "\(listed.standardOutput)")
        let again = try Soothe.run(["voices", "add", joe], environment: environment)
        #expect(again.status == 73)
        #expect(again.standardError.contains("already installed"))

        // A voice cut short: a clear message naming the file, exit 65, nothing copied.
        let cut = folder.appending(path: "cut.onnx").path
        let handle = try #require(FileHandle(forReadingAtPath: joe))
        try handle.readData(ofLength: 100_000).write(to: URL(fileURLWithPath: cut))
        try FileManager.default.copyItem(atPath: joe + ".json", toPath: cut + ".json")
        let refused = try Soothe.run(["voices", "add", cut], environment: environment)
        #expect(refused.status == 65)
        #expect(
            refused.standardError.contains("the Piper voice file '\(cut)' is not a whole ONNX model"),
            "\(refused.standardError)")
        #expect(!FileManager.default.fileExists(atPath: folder.appending(path: "data/soothe/voices/cut.onnx").path))
        let spoken = try Soothe.run(["show", "quick-reset", "--voice", cut])
        #expect(spoken.status == 65)
        #expect(spoken.standardError.contains("'\(cut)'"))
        let noJSON = try Soothe.run(["show", "quick-reset", "--voice", folder.appending(path: "none.onnx").path])
        #expect(noJSON.status == 65)
        #expect(noJSON.standardError.contains("does not exist"))
    }

    @Test func aMissingRecordingIsABadInputFile() throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "soothe-recorded-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let routine = folder.appending(path: "mine.yaml")
        try Data(
            """
            title: Mine
            steps:
              - id: settle
                title: Settle
                duration: 30s
                say-audio: takes/settle.wav
            """.utf8
        ).write(to: routine)
        let result = try Soothe.run(["show", routine.path, "--voice", "slt"])
        #expect(result.status == 65)
        #expect(
            result.standardError.contains(
                "the recording for step 'settle' (say-audio) cannot be used: '\(folder.path)/takes/settle.wav' does "
                    + "not exist"), "\(result.standardError)")
    }

    /// `voices add --force` replaces an installed voice's files only where they are regular files.
    @Test func voicesAddNeverReplacesWhatIsNotARegularFile() throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "soothe-voices-\(UUID().uuidString)")
        let voices = folder.appending(path: "data/soothe/voices")
        try FileManager.default.createDirectory(at: voices, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let joe = try #require(
            Soothe.run(["voices"]).standardOutput.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .first { $0.hasSuffix("en_US-joe-medium.onnx (installed by Scripts/setup)") }?
                .components(separatedBy: " (installed").first)
        let environment = ["XDG_DATA_HOME": folder.appending(path: "data").path]
        for name in ["en_US-joe-medium.onnx", "en_US-joe-medium.onnx.json"] {
            let path = voices.appending(path: name).path
            try #require(mkfifo(path, 0o644) == 0)
            let result = try Soothe.run(["voices", "add", joe, "--force"], environment: environment)
            #expect(result.status == 73, "\(result.standardError)")
            #expect(result.standardError.contains("'\(path)' is a FIFO (named pipe)"), "\(result.standardError)")
            let kind = try FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType
            #expect(kind != nil && kind != .typeRegular, "the FIFO is kept")
            try FileManager.default.removeItem(atPath: path)
        }
    }

    /// A run ended by a signal or a kill while it copied a Piper model (60 MB) or stored a prompt
    /// leaves its temporary file; a later run removes it once its process is gone, and nothing
    /// else.
    @Test func temporaryFilesOfKilledRunsAreSweptFromTheCache() throws {
        let cache = FileManager.default.temporaryDirectory.appending(path: "soothe-sweep-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let environment = ["XDG_CACHE_HOME": cache.path]
        let first = try Soothe.run(["show", "quick-reset"], environment: environment)
        try #require(first.status == 0, "\(first.standardError)")
        let folder = cache.appending(path: "soothe")
        let prepared = try #require(
            FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String }
                .first { $0.hasSuffix("/model.onnx") }
                .map { folder.appending(path: $0).deletingLastPathComponent() },
            "the Piper model is prepared in the cache")
        let gone = try ExportTargetTests.processIDOfAFinishedProcess()
        let hourAgo = Date().addingTimeInterval(-3600)
        func plant(_ name: String, in directory: URL, old: Bool = true) throws -> String {
            let path = directory.appending(path: name).path
            try Data(repeating: 7, count: 1000).write(to: URL(fileURLWithPath: path))
            if old { try FileManager.default.setAttributes([.modificationDate: hourAgo], ofItemAtPath: path) }
            return path
        }
        let staleModel = try plant(".model.onnx.soothe-\(gone)-abc123.tmp", in: prepared)
        let staleEntry = try plant(".0123456789abcdef.voice.soothe-\(gone)-def456.tmp", in: folder)
        let kept = [
            try plant(".model.onnx.soothe-\(gone)-ghi789.tmp", in: prepared, old: false),
            try plant(".model.onnx.soothe-\(getpid())-jkl012.tmp", in: prepared),
            try plant(".model.onnx.soothe-\(gone)-NOT-OURS.tmp", in: prepared),
            try plant("notes.soothe-\(gone)-mno345.tmp", in: folder),
        ]
        // A new pace, so that new prompts are stored.
        let second = try Soothe.run(["show", "quick-reset", "--speech-rate", "140"], environment: environment)
        #expect(second.status == 0, "\(second.standardError)")
        #expect(!FileManager.default.fileExists(atPath: staleModel))
        #expect(!FileManager.default.fileExists(atPath: staleEntry))
        for path in kept { #expect(FileManager.default.fileExists(atPath: path), "\(path)") }
    }
}
