import AudioFiles
import Foundation
import Sequencer
import SootheTestSupport
import Testing

/// A `say:` list end to end: `show` lists every prompt with its start, the export speaks a timed
/// recording from its frame after `--step` and `--total`, and a bad position is refused.
struct TimedPromptCommandTests {
    /// A folder with `timed.yaml`: settle 20 s, circles 30 s (an opening prompt and a recording
    /// at 50 %), rest 30 s; the recording is half a second of silence and 2 s of a tone gliding up from 2 kHz.
    private func makeScene() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appending(path: "soothe-timed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let sox = Process()
        sox.executableURL = URL(fileURLWithPath: "/usr/bin/sox")
        sox.arguments = [
            "-n", "-r", "44100", "-c", "1", folder.appending(path: "take.flac").path, "synth", "2", "sine", "2000-2500",
            "gain", "-12", "pad", "0.5", "0.5",
        ]
        try sox.run()
        sox.waitUntilExit()
        try #require(sox.terminationStatus == 0)
        try Data(
            """
            title: Timed
            steps:
              - id: settle
                title: Settle
                duration: 20s
              - id: circles
                title: Circles
                duration: 30s
                bells: [40%]
                say:
                  - at: 0s
                    text: Circles.
                  - at: 50%
                    say-audio: take.flac
              - id: rest
                title: Rest
                duration: 30s
            """.utf8
        ).write(to: folder.appending(path: "timed.yaml"))
        return folder
    }

    @Test func showListsEveryPromptWithItsStart() throws {
        let folder = try makeScene()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appending(path: "timed.yaml").path
        let show = try Soothe.run(["show", path, "--voice", "slt", "--total", "2m"])
        try #require(show.status == 0, "\(show.standardError)")
        let lines = show.standardOutput.split(separator: "\n").map(String.init)
        let circles = try #require(lines.firstIndex { $0.contains("Circles") }, "\(show.standardOutput)")
        // --total 2m scales 80 s by 1.5: circles from 0:30 for 45 s, its recording at 50 %, 0:52.5.
        #expect(lines[circles].contains("0:30") && lines[circles].contains("\"Circles.\""), "\(show.standardOutput)")
        let later = lines[circles + 1]
        #expect(
            later.contains("0:52.5") && later.contains("at 50%") && later.contains("[recorded: take.flac]"), "\(later)")
        // The bell at 40 % (18 s in) is clear of both prompts.
        #expect(lines[circles + 2].contains("bells at 18s"), "\(show.standardOutput)")
        let json = try Soothe.run(["show", path, "--voice", "slt", "--total", "2m", "--format", "json"])
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let prompts = try #require(object["prompts"] as? [[String: Any]])
        // The opening prompt, the recording, the last step's lead-in and the close.
        #expect(prompts.count == 4)
        #expect(prompts.contains { $0["startSeconds"] as? Double == 52.5 && $0["recording"] != nil })
        let captions = try Soothe.run(["show", path, "--voice", "slt", "--total", "2m", "--format", "captions"])
        #expect(captions.standardOutput.components(separatedBy: " --> ").count - 1 == 4, "\(captions.standardOutput)")
        #expect(captions.standardOutput.contains("\n00:00:52.500 --> "), "\(captions.standardOutput)")
        let silent = try Soothe.run(["show", path, "--no-voice", "--format", "captions"])
        #expect(silent.status == 64)
        #expect(silent.standardError.contains("drop --no-voice"), "\(silent.standardError)")
    }

    /// The recording's tone starts 30 ms into its clip (the margin trimming keeps before it).
    @Test(arguments: [(["--total", "2m"], 52.5), (["--step", "circles=1m"], 50.0)])
    func theTimedRecordingIsSpokenFromItsFrame(options: [String], promptSeconds: Double) throws {
        let folder = try makeScene()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appending(path: "timed.wav").path
        let result = try Soothe.run(
            ["export", folder.appending(path: "timed.yaml").path, "--voice", "slt", "-o", output, "--quiet"] + options)
        try #require(result.status == 0, "\(result.standardError)")
        let audio = try MonoAudioReader.read(output)
        try #require(audio.sampleRate == 48000)
        // The level of 5 ms windows of the signal's slope (a gentle high-pass, 20 dB more for the
        // tone at 2 kHz than for the bed's pad at 200 Hz) from a second before the prompt: the first
        // more than 8 dB above the level before it is the tone's onset.
        let window = 240
        let start = Int((promptSeconds - 1) * 48000)
        func decibels(_ index: Int) -> Double {
            let first = start + index * window
            var sum = 0.0
            for frame in first..<(first + window) {
                let slope = Double(audio.samples[frame]) - Double(audio.samples[frame - 1])
                sum += slope * slope
            }
            return 10 * log10(max(sum / Double(window), 1e-20))
        }
        let before = (0..<100).map(decibels).max() ?? 0
        let onset = try #require((100..<600).first { decibels($0) > before + 8 })
        let onsetSeconds = Double(start + onset * window) / 48000
        #expect(abs(onsetSeconds - (promptSeconds + 0.03)) <= 0.01, "the tone starts at \(onsetSeconds) s")
    }

    @Test func badPositionsAreRefused() throws {
        let folder = try makeScene()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appending(path: "timed.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        // In the file: a position past the step is the file's fault, with its place (exit 65).
        try Data(text.replacingOccurrences(of: "at: 50%", with: "at: 45s").utf8).write(to: URL(fileURLWithPath: path))
        let late = try Soothe.run(["show", path, "--no-voice"])
        #expect(late.status == 65)
        #expect(
            late.standardError.contains(
                "timed.yaml:13:13: prompt 2 of step 'circles' is at 45s, but the step lasts only 0:30"),
            "\(late.standardError)")
        // From the command line: a length that leaves a timed prompt outside its step (exit 64).
        try Data(text.replacingOccurrences(of: "at: 50%", with: "at: 20s").utf8).write(to: URL(fileURLWithPath: path))
        let short = try Soothe.run(["show", path, "--no-voice", "--step", "circles=15s"])
        #expect(short.status == 64)
        #expect(
            short.standardError.contains(
                "step 'circles' would last only 0:15, but its prompt at 20s starts after that"),
            "\(short.standardError)")
    }
}
