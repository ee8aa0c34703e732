import Foundation
import SootheTestSupport
import Testing

/// The speech options and `soothe voices`, run as a user would.
struct SpeechCommandTests {
    @Test func voicesListsFliteAndEspeakVoices() throws {
        let result = try Soothe.run(["voices"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("slt   female, US English (default)"))
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
            "there is no voice 'bob'; the voices are flite's slt (the default), rms, awb and kal"
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
        // `soothe voices` still lists flite's voices and says what is wrong with espeak-ng.
        let voices = try Soothe.run(["voices"], environment: ["ESPEAK_DATA_PATH": directory.path])
        #expect(voices.status == 0)
        #expect(voices.standardOutput.contains("slt"))
        #expect(voices.standardOutput.contains("espeak-ng: espeak-ng cannot start"))
    }
}
