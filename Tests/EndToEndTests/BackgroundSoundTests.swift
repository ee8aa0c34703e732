import AudioFiles
import Export
import Foundation
import SootheTestSupport
import Testing

/// `--mix`, `--mix-level`, `--no-tones` and a routine's `bed: file:`, run as a user would: the
/// file is heard in the export, every format libsndfile reads works, a bad file is refused before
/// anything is written; play gives what export writes
/// (`PlayCommandTests`). Each test works in a sandbox of its own, so they run side by side.
struct BackgroundSoundTests {
    /// Runs `sox -n OPTIONS PATH EFFECTS`, `effects` starting at `synth` or `trim`.
    static func sox(_ path: String, _ options: [String], _ effects: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sox", "-n"] + options + [path] + effects
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// A sound `soothe` itself wrote, for the formats SoX cannot write (MP3, Opus).
    static func exported(_ path: String, seconds: Int, options: [String] = []) throws {
        let result = try SootheProcess.run(
            [
                "export", "quick-reset", "--no-voice", "--total", "\(seconds)s", "--seed", "9", "-o", path, "--quiet",
            ] + options)
        guard result.status == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// The normalised correlation of two signals.
    static func correlation(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
        var ab = 0.0
        var aa = 0.0
        var bb = 0.0
        for (x, y) in zip(a, b) {
            ab += Double(x) * Double(y)
            aa += Double(x) * Double(x)
            bb += Double(y) * Double(y)
        }
        return ab / (aa * bb).squareRoot()
    }

    @Test(arguments: [
        "rain-44k-mono.flac", "sea-44k-stereo.ogg", "soothe.mp3", "soothe-vbr.mp3", "soothe.opus", "tone-22k.wav",
    ])
    func theFileIsHeardInTheExport(name: String) throws {
        let sandbox = try Sandbox()
        let source = sandbox.path(name)
        switch name {
        case "rain-44k-mono.flac":
            try Self.sox(source, ["-r", "44100", "-c", "1"], ["synth", "45", "pinknoise", "vol", "0.3"])
        case "sea-44k-stereo.ogg":
            try Self.sox(source, ["-r", "44100", "-c", "2"], ["synth", "45", "brownnoise", "vol", "0.5"])
        case "tone-22k.wav":
            try Self.sox(source, ["-r", "22050", "-c", "1"], ["synth", "45", "sine", "300-900", "vol", "0.3"])
        case "soothe-vbr.mp3": try Self.exported(source, seconds: 45, options: ["--vbr"])
        default: try Self.exported(source, seconds: 45)
        }
        let output = sandbox.path("out.wav")
        let result = try SootheProcess.run([
            "export", "quick-reset", "--no-voice", "--no-tones", "--total", "40s", "--mix", source, "--bit-depth",
            "float", "-o", output, "--quiet",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        // The source as libsndfile reads it, mono, brought to the session's rate by libsoxr. It is
        // longer than the session, so it plays straight from its first frame.
        let read = try MonoAudioReader.read(source)
        let expected = try Resampler.resample(read.samples, from: read.sampleRate, to: 48000)
        let written = try MonoAudioReader.read(output).samples
        // Second by second, between the bed's fade-in and the end of the final fade, so that the
        // gain's slow changes do not count; the median, so that the seconds with a chime do not.
        let seconds = (5..<35).map { second in
            let window = (second * 48000)..<((second + 1) * 48000)
            return Self.correlation(written[window], expected[window])
        }
        let median = seconds.sorted()[seconds.count / 2]
        #expect(median > 0.95, "\(name): correlation by second \(seconds.map { ($0 * 1000).rounded() / 1000 })")
    }

    @Test func theSameSeedGivesTheSameBytesAndAnotherSeedOthers() throws {
        let sandbox = try Sandbox()
        // Much shorter than the session, so its pieces are played in seeded orders.
        let source = sandbox.path("short.flac")
        try Self.sox(source, ["-r", "44100", "-c", "1"], ["synth", "6", "pinknoise", "vol", "0.3"])
        func export(_ name: String, seed: String) throws -> Data {
            let path = sandbox.path(name)
            let result = try SootheProcess.run([
                "export", "quick-reset", "--no-voice", "--total", "1m", "--mix", source, "--seed", seed, "-o", path,
                "--quiet",
            ])
            #expect(result.status == 0, "\(result.standardError)")
            return try Data(contentsOf: URL(fileURLWithPath: path))
        }
        let first = try export("a.wav", seed: "5")
        #expect(try export("b.wav", seed: "5") == first)
        #expect(try export("c.wav", seed: "6") != first)
    }

    @Test func aRoutineNamesItsFileBesideItself() throws {
        let sandbox = try Sandbox()
        try Self.sox(sandbox.path("sea.ogg"), ["-r", "48000", "-c", "2"], ["synth", "20", "brownnoise", "vol", "0.4"])
        let routine = sandbox.path("mine.yaml")
        try "title: Mine\nbed: {file: sea.ogg, level: -4, tones: off}\nsteps:\n  - {id: a, title: A, duration: 1m}\n"
            .write(toFile: routine, atomically: true, encoding: .utf8)
        // Run from elsewhere: the file is found beside the routine, not in the current folder.
        let output = sandbox.path("out.wav")
        let result = try SootheProcess.run(
            ["export", routine, "--no-voice", "-o", output, "--quiet"], directory: "/")
        #expect(result.status == 0, "\(result.standardError)")
        #expect(FileManager.default.fileExists(atPath: output))

        try "title: Mine\nbed: {file: gone.flac}\nsteps:\n  - {id: a, title: A, duration: 1m}\n"
            .write(toFile: routine, atomically: true, encoding: .utf8)
        let missing = try SootheProcess.run(["export", routine, "--no-voice", "-o", sandbox.path("no.wav")])
        #expect(missing.status == 65)
        #expect(missing.standardError.contains(sandbox.path("gone.flac")), "\(missing.standardError)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.path("no.wav")))
    }

    @Test func noTonesWithoutAFileIsRefused() throws {
        let result = try SootheProcess.run(["export", "quick-reset", "--no-voice", "--no-tones", "-o", "/tmp/x.wav"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("--mix"), "\(result.standardError)")
    }

    /// A bad file and what the message must say about it.
    @Test(arguments: [
        ("missing", "does not exist"), ("folder", "is a folder"), ("empty", "is empty"),
        ("no-frames", "holds no audio"), ("silent", "is silent"), ("not-audio", "is not audio libsndfile can read"),
        ("cut-short", "is damaged"), ("unreadable", "cannot be read: permission denied"),
        ("fifo", "is not a regular file"), ("link-loop", "symbolic links form a loop"),
        ("locked-folder", "permission denied on a folder in its path"),
    ])
    func aBadFileIsRefusedBeforeAnythingIsWritten(kind: String, words: String) throws {
        let sandbox = try Sandbox()
        var path = sandbox.path("bad-\(kind).flac")
        var runner: [String] = []
        // The superuser reads any file and enters any folder, so such commands run as nobody.
        let runAsNobody = {
            if getuid() == 0 {
                try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: sandbox.directory.path)
                runner = ["--reuid=65534", "--regid=65534", "--clear-groups", SootheProcess.executablePath]
            }
        }
        switch kind {
        case "missing": break
        case "fifo": try #require(mkfifo(path, 0o644) == 0)
        case "link-loop":
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "bad-other.flac")
            try FileManager.default.createSymbolicLink(
                atPath: sandbox.path("bad-other.flac"), withDestinationPath: "bad-\(kind).flac")
        case "locked-folder":
            let folder = sandbox.path("locked")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            path = folder + "/sea.flac"
            try Self.sox(path, ["-r", "48000", "-c", "1"], ["synth", "4", "pinknoise"])
            try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: folder)
            try runAsNobody()
        case "folder": try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        case "empty": FileManager.default.createFile(atPath: path, contents: Data())
        case "no-frames": try Self.sox(path, ["-r", "48000", "-c", "1"], ["trim", "0", "0"])
        case "silent": try Self.sox(path, ["-r", "48000", "-c", "1"], ["trim", "0", "4"])
        case "not-audio":
            FileManager.default.createFile(
                atPath: path, contents: Data((0..<6000).map { UInt8(truncatingIfNeeded: $0 * 31) }))
        case "cut-short":
            let whole = sandbox.path("whole.flac")
            try Self.sox(whole, ["-r", "44100", "-c", "1"], ["synth", "30", "pinknoise", "vol", "0.3"])
            let bytes = try Data(contentsOf: URL(fileURLWithPath: whole))
            FileManager.default.createFile(atPath: path, contents: bytes.prefix(bytes.count / 3))
        default:
            try Self.sox(path, ["-r", "48000", "-c", "1"], ["synth", "4", "pinknoise"])
            try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: path)
            try runAsNobody()
        }
        let before = try FileManager.default.contentsOfDirectory(atPath: sandbox.directory.path).sorted()
        for command in ["export", "play"] {
            let arguments =
                runner + [command, "quick-reset", "--no-voice", "--mix", path]
                + (command == "export" ? ["-o", sandbox.path("out.wav")] : ["--device", "default"])
            let capture = sandbox.path("capture.wav")
            let config = try sandbox.writeALSAConfig(
                defaultPCM: #"type file slave.pcm "null" file "\#(capture)" format "wav""#)
            let result = try SootheProcess.run(
                arguments,
                executable: runner.isEmpty ? SootheProcess.executableURL : URL(fileURLWithPath: "/usr/bin/setpriv"),
                environment: ["ALSA_CONFIG_PATH": config])
            #expect(result.status == 65, "\(command) \(kind): \(result.status) \(result.standardError)")
            #expect(result.standardError.contains("'\(path)'"), "\(result.standardError)")
            #expect(result.standardError.contains(words), "\(result.standardError)")
            #expect(result.standardError.contains("WAV, FLAC"), "it says what is valid: \(result.standardError)")
            try? FileManager.default.removeItem(atPath: config)
            // Nothing written: no output, no temporary file beside it, nothing played.
            let after = try FileManager.default.contentsOfDirectory(atPath: sandbox.directory.path).sorted()
            #expect(after == before, "\(command) \(kind) left \(after)")
        }
        // So that the sandbox can be removed by any user.
        try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: sandbox.path("locked"))
    }
}
