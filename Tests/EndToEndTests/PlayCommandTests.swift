import ArgumentParser
import AudioFiles
import Export
import Foundation
import Sequencer
import SootheTestSupport
import Synthesis
import Testing

@testable import SootheCLI

/// `soothe play` and `soothe devices` run as a user would, with ALSA configured by a file in the
/// test: `default` routed to ALSA's `file` plugin (a capture that is not paced), or to nothing.
@Suite(.serialized) struct PlayCommandTests {
    @Test func aCaptureOfPlayIsTheSessionSampleForSample() throws {
        let sandbox = try Sandbox()
        let capture = sandbox.path("capture.wav")
        let config = try sandbox.writeALSAConfig(
            defaultPCM: #"type file slave.pcm "null" file "\#(capture)" format "wav""#)
        let result = try SoothePlay.run(
            ["play", "quick-reset", "--total", "40s", "--no-voice", "--device", "default"],
            environment: ["ALSA_CONFIG_PATH": config])
        #expect(result.status == 0, "\(result.standardError)")
        // Nothing on stderr: no ALSA or JACK chatter, and no status line when stderr is not a terminal.
        #expect(result.standardError.isEmpty, "\(result.standardError)")

        let captured = try WAVData.floatSamples(atPath: capture)
        let expected = try Self.render(routine: "quick-reset", total: "40s")
        #expect(captured.count == expected.count)
        #expect(captured.contains { $0 != 0 })
        let differing = zip(captured, expected).filter { $0 != $1 }.count
        #expect(differing == 0, "\(differing) samples differ")

        // And what `export` writes as float is the same, sample for sample.
        let exported = sandbox.path("export.wav")
        let export = try SoothePlay.run([
            "export", "quick-reset", "--total", "40s", "--no-voice", "--bit-depth", "float", "-o", exported, "--quiet",
        ])
        #expect(export.status == 0, "\(export.standardError)")
        let written = try AudioFileReader.read(exported).samples
        #expect(written.count == captured.count)
        let differingFromExport = zip(captured, written).filter { $0 != $1 }.count
        #expect(differingFromExport == 0, "\(differingFromExport) samples differ from the export")
    }

    @Test func aCaptureOfPlayWithAFileIsTheExportSampleForSample() throws {
        // A file much shorter than the session, so its pieces play in seeded orders with joins.
        let sandbox = try Sandbox()
        let source = sandbox.path("short.flac")
        try BackgroundSoundTests.sox(source, ["-r", "44100", "-c", "2"], ["synth", "9", "pinknoise", "vol", "0.3"])
        let capture = sandbox.path("capture.wav")
        let config = try sandbox.writeALSAConfig(
            defaultPCM: #"type file slave.pcm "null" file "\#(capture)" format "wav""#)
        let options = ["quick-reset", "--total", "40s", "--no-voice", "--mix", source, "--mix-level", "-3"]
        let played = try SootheProcess.run(
            ["play"] + options + ["--device", "default"], environment: ["ALSA_CONFIG_PATH": config])
        #expect(played.status == 0, "\(played.standardError)")
        let captured = try WAVData.floatSamples(atPath: capture)
        let exported = sandbox.path("export.wav")
        let export = try SootheProcess.run(["export"] + options + ["--bit-depth", "float", "-o", exported, "--quiet"])
        #expect(export.status == 0, "\(export.standardError)")
        let written = try AudioFileReader.read(exported).samples
        #expect(captured.count == written.count && captured.contains { $0 != 0 })
        let differing = zip(captured, written).filter { $0 != $1 }.count
        #expect(differing == 0, "\(differing) samples differ from the export")
    }

    /// With the default (Piper) voice and an empty prompt cache, the first sound reaches the
    /// device before the prompts are spoken: they are prepared in the background while it plays,
    /// and what plays is still, sample for sample, what `export` writes once they are all in.
    @Test func withAColdCacheItStartsBeforeThePromptsAreSpokenAndEqualsTheExport() throws {
        let sandbox = try Sandbox()
        let routine = sandbox.path("spoken.yaml")
        try SpokenExportTests.routine.write(toFile: routine, atomically: true, encoding: .utf8)
        let capture = sandbox.path("capture.wav")
        let config = try sandbox.writeALSAConfig(
            defaultPCM: #"type file slave.pcm "null" file "\#(capture)" format "wav""#)
        let cache = sandbox.path("cache")
        let prompts = sandbox.directory.appending(path: "cache/soothe")
        func spokenCount() -> Int {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: prompts.path)) ?? []
            return names.filter { $0.hasSuffix(".voice") && !$0.hasPrefix(".") }.count
        }

        let process = Process()
        process.executableURL = SootheProcess.executableURL
        process.arguments = ["play", routine, "--device", "default", "--quiet"]
        process.environment = ProcessInfo.processInfo.environment.merging([
            "ALSA_CONFIG_PATH": config, "XDG_CACHE_HOME": cache,
        ]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        // The file plugin writes a 44-byte header, then the audio as it comes.
        var capturedBytes = 0
        while process.isRunning && capturedBytes <= 44 {
            capturedBytes = (try? FileManager.default.attributesOfItem(atPath: capture)[.size] as? Int) ?? 0
            usleep(500)
        }
        let spokenAtFirstSound = spokenCount()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(errorText)")
        #expect(capturedBytes > 44)
        // Three steps' prompts and the closing words; at most one was spoken when the sound began.
        #expect(spokenCount() == 4)
        #expect(spokenAtFirstSound <= 1, "\(spokenAtFirstSound) of 4 prompts were spoken before the first sound")

        // The export, with the prompts now cached, is what played.
        let exported = sandbox.path("export.wav")
        let export = try SoothePlay.run(
            ["export", routine, "--bit-depth", "float", "-o", exported, "--quiet"],
            environment: ["XDG_CACHE_HOME": cache])
        #expect(export.status == 0, "\(export.standardError)")
        let captured = try WAVData.floatSamples(atPath: capture)
        let written = try AudioFileReader.read(exported).samples
        #expect(written.count == captured.count)
        #expect(captured.contains { $0 != 0 })
        let differing = zip(captured, written).filter { $0 != $1 }.count
        #expect(differing == 0, "\(differing) samples differ from the export")
    }

    @Test func withoutADeviceItSaysToExportAndExits69() throws {
        let sandbox = try Sandbox()
        // A default device on a card that does not exist, and nothing else.
        let config = sandbox.path("none.conf")
        try "pcm.!default { type hw card 99 }\n".write(toFile: config, atomically: true, encoding: .utf8)
        let result = try SoothePlay.run(["play", "quick-reset"], environment: ["ALSA_CONFIG_PATH": config])
        #expect(result.status == 69)
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.count == 1, "\(result.standardError)")
        #expect(lines.first?.contains("soothe export") == true)
        #expect(result.standardOutput.isEmpty)

        // `devices` says so too, rather than print nothing.
        let devices = try SoothePlay.run(["devices"], environment: ["ALSA_CONFIG_PATH": config])
        #expect(devices.status == 69)
        #expect(devices.standardError.contains("no audio output device found"), "\(devices.standardError)")
        #expect(devices.standardOutput.isEmpty)

        let verbose = try SoothePlay.run(
            ["play", "quick-reset", "--verbose"], environment: ["ALSA_CONFIG_PATH": config])
        #expect(verbose.status == 69)
        #expect(verbose.standardError.split(separator: "\n").count > 1, "--verbose lets the libraries speak")
    }

    @Test func anUnknownDeviceIsRefusedWithTheList() throws {
        let sandbox = try Sandbox()
        let config = try sandbox.writeALSAConfig(
            defaultPCM: #"type file slave.pcm "null" file "\#(sandbox.path("x.wav"))" format "wav""#)
        let result = try SoothePlay.run(
            ["play", "quick-reset", "--device", "usb-headphones"], environment: ["ALSA_CONFIG_PATH": config])
        #expect(result.status == 64)
        #expect(result.standardError.contains("there is no output device 'usb-headphones'"))
        #expect(result.standardError.contains("0  default (ALSA)"), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.path("x.wav")))
    }

    @Test func devicesListsTheDefaultAsJSON() throws {
        let sandbox = try Sandbox()
        let config = try sandbox.writeALSAConfig(
            defaultPCM: #"type file slave.pcm "null" file "\#(sandbox.path("x.wav"))" format "wav""#)
        let result = try SoothePlay.run(["devices", "--json"], environment: ["ALSA_CONFIG_PATH": config])
        #expect(result.status == 0)
        #expect(result.standardError.isEmpty)
        let devices = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [[String: Any]])
        let defaultDevice = try #require(devices.first { $0["name"] as? String == "default" })
        #expect(defaultDevice["isDefault"] as? Bool == true)
        #expect(defaultDevice["hostAPI"] as? String == "ALSA")
        #expect((defaultDevice["maxOutputChannels"] as? Int ?? 0) >= 2)
        let table = try SoothePlay.run(["devices"], environment: ["ALSA_CONFIG_PATH": config])
        #expect(table.standardOutput.contains("*   0  default  (ALSA"), "\(table.standardOutput)")
    }

    @Test func aDeviceThatFailsMidSessionEndsItWithAMessage() throws {
        let sandbox = try Sandbox()
        // Every write to /dev/full fails with "no space left on device".
        let config = try sandbox.writeALSAConfig(
            defaultPCM: #"type file slave.pcm "null" file "/dev/full" format "raw""#)
        let started = Date()
        let result = try SoothePlay.run(
            ["play", "quick-reset", "--total", "40s", "--no-voice", "--device", "default"],
            environment: ["ALSA_CONFIG_PATH": config])
        #expect(result.status == 74)
        #expect(result.standardError.contains("the output device 'default' stopped playing"), "\(result.standardError)")
        #expect(Date().timeIntervalSince(started) < 10)
    }

    /// A signal that arrives before anything needs cleaning up ends the process at once with 130:
    /// SIGQUIT too, with no runtime crash report and no carrying on.
    @Test(arguments: [SIGQUIT, SIGHUP, SIGTERM])
    func aSignalWhileTheAudioSystemStartsEndsThePlayerAt130(signal: Int32) throws {
        let sandbox = try Sandbox()
        // ALSA reads its configuration while the audio system starts, before any session exists;
        // a FIFO that nobody writes holds it there, in the open, for as long as the test wants.
        let config = sandbox.path("alsa.conf")
        #expect(mkfifo(config, 0o600) == 0)
        let process = Process()
        process.executableURL = SoothePlay.executableURL
        process.arguments = ["play", "quick-reset", "--no-voice"]
        process.environment = ProcessInfo.processInfo.environment.merging(["ALSA_CONFIG_PATH": config]) { $1 }
        let standardError = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = standardError
        try process.run()
        // Waiting in the FIFO's open, where the kernel says so; a few seconds where it does not.
        let wchan = "/proc/\(process.processIdentifier)/wchan"
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, (try? String(contentsOfFile: wchan, encoding: .utf8)) != "wait_for_partner" {
            usleep(20_000)
        }
        kill(process.processIdentifier, signal)
        let exitDeadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < exitDeadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            Issue.record("soothe play went on after \(signal)")
            return
        }
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 130)
        let text = String(decoding: standardError.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.isEmpty, "\(text)")
    }

    @Test func aBadVolumeIsRefused() throws {
        let result = try SoothePlay.run(["play", "--volume", "30"])
        #expect(result.status != 0)
        #expect(result.standardError.contains("from -40 to 12 dB"))
    }

    /// What `soothe play` renders for a routine with no keys pressed: interleaved stereo.
    static func render(routine name: String, total: String) throws -> [Float] {
        let customization = SessionCustomization(totalDuration: try SessionDuration(parsing: total))
        let builder = try SessionBuilder(
            routine: RoutineLibrary.load(name), sampleRate: Play.sampleRate,
            speech: SpeechOptions.parse(["--no-voice"]),
            settings: SoundOptions.parse([]).renderSettings)
        let (timeline, source) = try builder.makeSession(customization)
        var samples = [Float](repeating: 0, count: Int(timeline.totalFrames) * 2)
        var done = 0
        samples.withUnsafeMutableBufferPointer { buffer in
            while done < Int(timeline.totalFrames) {
                let frames = source.render(into: buffer.baseAddress! + done * 2, frameCount: 512)
                guard frames > 0 else { break }
                done += frames
            }
        }
        return samples
    }
}

/// A temporary directory removed at the end of a test.
final class Sandbox {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appending(path: "soothe-play-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func path(_ name: String) -> String { directory.appending(path: name).path }

    /// An ALSA configuration: the system's own, then `default` replaced by `body`.
    /// `ALSA_CONFIG_PATH` replaces the top-level file ALSA reads, so the system's alsa.conf is
    /// included first for the plugin definitions (`null`, `file`).
    func writeALSAConfig(defaultPCM body: String) throws -> String {
        let config = path("asound.conf")
        try "</usr/share/alsa/alsa.conf>\npcm.!default { \(body) }\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        return config
    }
}

/// The `soothe` executable, run as a user would.
typealias SoothePlay = SootheProcess

/// Reads the samples of a WAV file written by ALSA's `file` plugin. The plugin writes float32
/// samples under a header that says integer PCM, so the data chunk is read as float32 whatever
/// the header says about the encoding; the width must be 32 bits.
enum WAVData {
    static func floatSamples(atPath path: String) throws -> [Float] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let bytes = [UInt8](data)
        func word(_ offset: Int) -> Int {
            Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3])
                << 24
        }
        var offset = 12
        var bitsPerSample = 0
        while offset + 8 <= bytes.count {
            let identifier = String(decoding: bytes[offset..<(offset + 4)], as: UTF8.self)
            let size = word(offset + 4)
            if identifier == "fmt " { bitsPerSample = Int(bytes[offset + 22]) | Int(bytes[offset + 23]) << 8 }
            if identifier == "data" {
                guard bitsPerSample == 32 else { throw CocoaError(.fileReadCorruptFile) }
                let count = min(size, bytes.count - offset - 8) / 4
                return (0..<count).map { index in
                    Float(bitPattern: UInt32(truncatingIfNeeded: word(offset + 8 + index * 4)))
                }
            }
            offset += 8 + size
        }
        throw CocoaError(.fileReadCorruptFile)
    }
}
