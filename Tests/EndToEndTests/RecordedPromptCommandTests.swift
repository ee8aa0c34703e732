import AudioFiles
import Foundation
import Sequencer
import SootheTestSupport
import Testing

/// `say-audio` end to end: a recording in the exported session, at its step's prompt frame and at
/// the one speech level, however loud it was recorded.
struct RecordedPromptCommandTests {
    /// Writes a two-step routine whose first step (`mine`, 20 s) speaks the recording at
    /// `recording` and whose second rests for 30 s, and returns where it is.
    static func writeRoutine(sayingAudio recording: String, to routine: URL) throws -> URL {
        try Data(
            """
            title: Recorded
            steps:
              - id: mine
                title: Mine
                duration: 20s
                say-audio: \(recording)
              - id: rest
                title: Rest
                duration: 30s
            """.utf8
        ).write(to: routine)
        return routine
    }

    /// Exports a two-step routine whose first step speaks a recording made `gainDecibels` below
    /// full scale, and returns the export's mono samples at 48 kHz.
    private func export(recordingGainDecibels gain: Double, in folder: URL) throws -> [Float] {
        let name = "take\(Int(-gain))"
        let recording = folder.appending(path: "\(name).flac").path
        // A stereo 44.1 kHz take: half a second of silence, 2 s of a voice-like tone, then silence.
        let sox = Process()
        sox.executableURL = URL(fileURLWithPath: "/usr/bin/sox")
        sox.arguments = [
            "-n", "-r", "44100", "-c", "2", recording, "synth", "2", "sine", "200-400", "gain", "\(gain)", "pad", "0.5",
            "0.5",
        ]
        try sox.run()
        sox.waitUntilExit()
        try #require(sox.terminationStatus == 0)
        let routine = try Self.writeRoutine(sayingAudio: "\(name).flac", to: folder.appending(path: "\(name).yaml"))
        let output = folder.appending(path: "\(name).wav").path
        let result = try Soothe.run(["export", routine.path, "--voice", "slt", "-o", output, "--quiet", "--seed", "1"])
        try #require(result.status == 0, "\(result.standardError)")
        let show = try Soothe.run(["show", routine.path, "--voice", "slt"])
        #expect(show.standardOutput.contains("[recorded: \(name).flac]"), "\(show.standardOutput)")
        let audio = try MonoAudioReader.read(output)
        try #require(audio.sampleRate == 48000)
        return audio.samples
    }

    private func decibels(_ samples: ArraySlice<Float>) -> Double {
        let power = samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)
        return 10 * log10(max(power, 1e-20))
    }

    @Test func aRecordingIsSpokenAtItsPromptFrameAtTheSpeechLevel() throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "soothe-say-audio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let quiet = try export(recordingGainDecibels: -32, in: folder)
        let loud = try export(recordingGainDecibels: -8, in: folder)
        let rate = 48000
        // The bed fades in and the start chime strikes; the prompt starts 0.8 s after the chime,
        // its 2 s of tone after a 30 ms margin, and the chime's tail and the bed go on after it.
        let chime = PromptTiming.startChimeDelay.seconds
        let window = { (from: Double, to: Double) in
            Int((chime + from) * Double(rate))..<Int((chime + to) * Double(rate))
        }
        let justBefore = window(0.6, 0.78)
        let words = window(1.0, 2.6)
        let afterWords = window(3.2, 4.6)
        for samples in [quiet, loud] {
            #expect(decibels(samples[justBefore]) < decibels(samples[words]) - 3)
            #expect(decibels(samples[afterWords]) < decibels(samples[words]) - 5)
        }
        // 24 dB apart as recorded, the same level in the session.
        #expect(
            abs(decibels(quiet[words]) - decibels(loud[words])) < 1,
            "\(decibels(quiet[words])) vs \(decibels(loud[words]))")
    }

    /// A recording that is not a regular file is refused by what it is: a FIFO would block the
    /// export forever, waiting for a writer.
    @Test(.timeLimit(.minutes(1)), arguments: ["fifo", "device"])
    func aRecordingThatIsNotARegularFileIsRefused(kind: String) throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "soothe-say-audio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var recording = folder.appending(path: "take.wav").path
        if kind == "fifo" {
            try #require(mkfifo(recording, 0o644) == 0)
        } else {
            recording = "/dev/zero"
        }
        let routine = try Self.writeRoutine(sayingAudio: recording, to: folder.appending(path: "pipe.yaml"))
        let output = folder.appending(path: "out.wav").path
        let result = try Soothe.run(["export", routine.path, "--voice", "slt", "-o", output, "--quiet"])
        #expect(result.status == 65, "\(result.standardError)")
        #expect(result.standardError.contains("'\(recording)' is not a regular file"), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}
