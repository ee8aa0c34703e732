import AudioFiles
import Export
import Foundation
import Sequencer
import SootheTestSupport
import Testing

/// Runs the built `soothe export` as a user would, including interrupting it and limiting it.
struct ExportCommandTests {
    static func timeline(_ routine: String, total: String, sampleRate: Int = 48000) throws -> SessionTimeline {
        try SessionTimeline(
            routine: RoutineLibrary.load(routine),
            customization: SessionCustomization(stepOverrides: [], totalDuration: SessionDuration(parsing: total)),
            sampleRate: sampleRate)
    }

    @Test func exportsAWAVWithExactLengthCuesAndLabels() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("reset.wav")
        let result = try SootheProcess.run([
            "export", "quick-reset", "--no-voice", "--total", "40s", "-o", path, "--chapters",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.hasPrefix("Wrote \(path): WAV 16-bit, 48000 Hz stereo, 0:40"))
        #expect(scratch.contents() == ["reset.cue", "reset.wav"])

        let timeline = try Self.timeline("quick-reset", total: "40s")
        let decoded = try AudioFileReader.read(path, maximumFrameCount: 0)
        #expect(decoded.frameCount == timeline.totalFrames)
        #expect(decoded.frameCount == 1_920_000)
        #expect(decoded.tags.title == timeline.routineTitle)
        #expect(decoded.tags.artist == "Soothe")
        #expect(decoded.tags.comment.contains("Thumb circles (right)"))
        #expect(decoded.cueFrames == timeline.steps.map(\.startFrame))

        let labels = try WAVChunks.cueLabels(in: Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(labels.map(\.cueID) == Array(1...timeline.steps.count))
        #expect(labels.map(\.text) == timeline.stepMarkers.map(\.label))
        #expect(labels.first?.text == "1. Settle in")

        let cue = try String(contentsOfFile: scratch.file("reset.cue"), encoding: .utf8)
        #expect(cue.contains("FILE \"reset.wav\" WAVE"))
        #expect(cue.components(separatedBy: "TRACK ").count - 1 == timeline.steps.count)
    }

    @Test func exportsOtherFormatsFromTheExtension() throws {
        // A two-second routine: what matters is the format, not the session.
        let scratch = try ExportTargetTests.scratchWithTinyRoutine()
        for (name, expected) in [("a.flac", "FLAC 16-bit"), ("b.mp3", "MP3"), ("c.ogg", "OGG"), ("d.opus", "OPUS")] {
            let path = scratch.file(name)
            let result = try SootheProcess.run(["export", scratch.file("tiny.yaml"), "--no-voice", "-o", path])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput.contains(expected), "\(result.standardOutput)")
            let decoded = try AudioFileReader.read(path)
            #expect(decoded.samples.count == 2 * ExportTargetTests.frameCount, "\(name)")
        }
        let vtt = try SootheProcess.run(
            [
                "export", scratch.file("tiny.yaml"), "--no-voice", "-o", scratch.file("e.mp3"), "--chapters", "--vbr",
            ])
        #expect(vtt.status == 0, "\(vtt.standardError)")
        #expect(
            try String(contentsOfFile: scratch.file("e.vtt"), encoding: .utf8).hasPrefix(
                "WEBVTT\n\n1\n00:00:00.000 --> "))
    }

    @Test func anExistingFileIsRefusedUntouchedAndReplacedOnlyWithForce() throws {
        let scratch = try ExportTargetTests.scratchWithTinyRoutine()
        let path = scratch.file("keep.wav")
        let tiny = scratch.file("tiny.yaml")
        try Data("old bytes".utf8).write(to: URL(fileURLWithPath: path))
        let refused = try SootheProcess.run(["export", tiny, "--no-voice", "-o", path])
        #expect(refused.status == 73)
        #expect(refused.standardError.contains("already exists; pass --force"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("old bytes".utf8))
        #expect(scratch.contents() == ["keep.wav", "tiny.yaml"])

        let forced = try SootheProcess.run(["export", tiny, "--no-voice", "-o", path, "--force"])
        #expect(forced.status == 0, "\(forced.standardError)")
        #expect(
            try AudioFileReader.read(path, maximumFrameCount: 0).frameCount == Int64(ExportTargetTests.frameCount))
        #expect(scratch.contents() == ["keep.wav", "tiny.yaml"])
    }

    static let unwritableDirectory = getuid() == 0 ? "/sys" : "/proc/1"

    @Test(arguments: [
        (["-o", "missing/dir/x.wav"], "the directory"),
        (["-o", "x.aiff"], "unknown format '.aiff'"),
        (["-o", "x.wav", "--format", "aiff"], "Please provide one of 'wav', 'flac', 'ogg', 'opus' or 'mp3'"),
        (["-o", "x.wav", "--bit-depth", "12"], "Please provide one of '16', '24' or 'float'"),
        (["-o", "x.flac", "--bit-depth", "float"], "FLAC stores 16 or 24 bits"),
        (["-o", "x.wav", "--sample-rate", "22050"], "the rates are 44100, 48000 and 96000"),
        (["-o", "x.mp3", "--bitrate", "100"], "the bitrates are 32, 40"),
        (["-o", "x.mp3", "--bitrate", "128", "--vbr"], "drop it or drop --vbr"),
        (["-o", "x.ogg", "--quality", "11"], "from 0 to 10"),
        (["-o", "x.wav", "--quality", "5"], "--quality applies to ogg and opus only"),
        (["-o", "x.opus", "--sample-rate", "44100"], "Opus is always 48000 Hz"),
        (["-o", "x.mp3", "--sample-rate", "96000"], "MP3 holds at most 48000 Hz"),
        (["-o", "x.wav", "--loudness", "loud"], "--loudness"),
        (["-o", "x", "--total", "1m"], "without an extension"),
        (["-o", "x.wav", "--format", "flac"], "--format flac does not match the extension '.wav'"),
    ])
    func badInputGetsAClearErrorAndLeavesNothing(arguments: [String], fragment: String) throws {
        let scratch = try ScratchDirectory()
        let result = try SootheProcess.run(
            ["export", "quick-reset", "--no-voice", "--total", "1m"] + arguments, directory: scratch.path)
        #expect(result.status != 0)
        #expect(result.standardError.contains(fragment), "\(result.standardError)")
        #expect(!result.standardError.contains("Fatal error"))
        #expect(scratch.contents().isEmpty, "\(scratch.contents())")
    }

    @Test func anUnwritableDirectoryIsRefusedBeforeRendering() throws {
        let result = try SootheProcess.run(
            [
                "export", "quick-reset", "--no-voice", "--total", "1m", "-o",
                Self.unwritableDirectory + "/soothe-test.wav",
            ])
        #expect(result.status == 73)
        #expect(result.standardError.contains("is not writable") || result.standardError.contains("cannot write"))
        #expect(!FileManager.default.fileExists(atPath: Self.unwritableDirectory + "/soothe-test.wav"))
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalMidExportLeavesNoFileAndKeepsTheOldOne(signal: Int32) throws {
        let scratch = try ScratchDirectory()
        let fresh = scratch.file("fresh.wav")
        let existing = scratch.file("existing.wav")
        try Data("old bytes".utf8).write(to: URL(fileURLWithPath: existing))
        for (path, extra) in [(fresh, [String]()), (existing, ["--force"])] {
            let name = URL(fileURLWithPath: path).lastPathComponent
            let (status, _) = try SootheProcess.runInterrupted(
                ["export", "bedtime-foot", "--no-voice", "--total", "8h", "-o", path, "--quiet"] + extra, signal: signal
            ) {
                // Wait until the temporary file has audio in it, so the signal lands mid-export.
                scratch.contents().contains { $0.hasPrefix(".\(name).") && scratch.size(of: $0) > 1_000_000 }
            }
            #expect(status == 130)
        }
        #expect(scratch.contents() == ["existing.wav"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: existing)) == Data("old bytes".utf8))
    }

    /// Every signal that ends a process by default, from a hang-up to a user's own signals, is
    /// handled as Ctrl-C is: the partial file is removed, the status is 130, and SIGQUIT is a clean
    /// stop rather than a runtime crash report.
    @Test(arguments: [SIGHUP, SIGQUIT, SIGPIPE, SIGUSR1, SIGUSR2, SIGALRM])
    func everyTerminatingSignalStopsTheExportCleanly(signal: Int32) throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("out.wav")
        let (status, standardError) = try SootheProcess.runInterrupted(
            ["export", "bedtime-foot", "--no-voice", "--total", "8h", "-o", path, "--quiet"], signal: signal
        ) {
            scratch.contents().contains { $0.hasPrefix(".out.wav.") && scratch.size(of: $0) > 1_000_000 }
        }
        #expect(status == 130)
        #expect(standardError.hasPrefix("Error: export stopped by SIG"), "\(standardError)")
        #expect(standardError.split(separator: "\n").count == 1, "\(standardError)")
        #expect(scratch.contents().isEmpty, "\(scratch.contents())")
    }

    @Test func aBackgroundExportInAScriptStillStopsOnSIGINT() throws {
        // A non-interactive shell starts background jobs with SIGINT ignored; the export still
        // catches it. The loop waits for the temporary file, which exists only once the handler does.
        let scratch = try ScratchDirectory()
        let script = """
            cd '\(scratch.path)'
            '\(SootheProcess.executableURL.path)' export bedtime-foot --no-voice --total 8h -o bg.wav --quiet &
            pid=$!
            while ! ls -A | grep -q '\\.tmp$'; do sleep 0.02; done
            kill -INT $pid
            wait $pid
            """
        let result = try SootheProcess.run(["-c", script], executable: URL(fileURLWithPath: "/bin/sh"))
        #expect(result.status == 130)
        #expect(
            result.standardError.contains("export interrupted; 'bg.wav' was not written"), "\(result.standardError)")
        #expect(scratch.contents().isEmpty, "\(scratch.contents())")
    }

    @Test func aFileSizeLimitGivesAClearErrorAndNoFile() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("limited.wav")
        let command =
            "ulimit -f 100; exec '\(SootheProcess.executableURL.path)' export quick-reset --no-voice --total 1m -o '\(path)'"
        let result = try SootheProcess.run(["-c", command], executable: URL(fileURLWithPath: "/bin/sh"))
        #expect(result.status == 74)
        #expect(result.standardError.contains("file size limit reached"), "\(result.standardError)")
        #expect(scratch.contents().isEmpty, "\(scratch.contents())")
    }

    @Test func showPrintsCueAndVTTChapters() throws {
        let cue = try SootheProcess.run(["show", "quick-reset", "--total", "10m", "--format", "cue"])
        #expect(cue.status == 0)
        #expect(cue.standardOutput.contains("FILE \"quick-reset.wav\" WAVE\n  TRACK 01 AUDIO\n    TITLE \"Settle in\""))
        let vtt = try SootheProcess.run(["show", "quick-reset", "--total", "10m", "--format", "vtt"])
        #expect(vtt.status == 0)
        let timeline = try Self.timeline("quick-reset", total: "10m")
        #expect(vtt.standardOutput.components(separatedBy: " --> ").count - 1 == timeline.steps.count)
        #expect(vtt.standardOutput.hasSuffix("--> 00:10:00.000\nRest\n"))
    }
}

/// The RIFF chunks of a WAV file, parsed by hand to read what libsndfile does not: cue labels.
enum WAVChunks {
    struct Label: Equatable {
        var cueID: Int
        var text: String
    }

    static func cueLabels(in data: Data) throws -> [Label] {
        let bytes = [UInt8](data)
        func word(_ offset: Int) -> Int {
            Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3])
                << 24
        }
        func id(_ offset: Int) -> String { String(decoding: bytes[offset..<(offset + 4)], as: UTF8.self) }
        try #require(id(0) == "RIFF" && id(8) == "WAVE")
        var labels: [Label] = []
        var offset = 12
        while offset + 8 <= bytes.count {
            let size = word(offset + 4)
            if id(offset) == "LIST" && id(offset + 8) == "adtl" {
                var inner = offset + 12
                while inner + 8 <= offset + 8 + size {
                    let innerSize = word(inner + 4)
                    if id(inner) == "labl" {
                        let text = bytes[(inner + 12)..<(inner + 8 + innerSize)].prefix { $0 != 0 }
                        labels.append(Label(cueID: word(inner + 8), text: String(decoding: text, as: UTF8.self)))
                    }
                    inner += 8 + innerSize + (innerSize & 1)
                }
            }
            offset += 8 + size + (size & 1)
        }
        return labels
    }
}

extension SootheProcess {
    /// Starts `soothe`, sends `signal` once `isReady` holds (polled for up to a minute) and
    /// returns the exit status and what it printed on stderr.
    static func runInterrupted(_ arguments: [String], signal: Int32, isReady: () -> Bool) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = executableURL
        process.arguments = arguments
        let standardError = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = standardError
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while !isReady() && process.isRunning && Date() < deadline {
            usleep(10_000)
        }
        kill(process.processIdentifier, signal)
        // Never leave a runaway export behind: give it half a minute, then kill it.
        let exitDeadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < exitDeadline {
            usleep(10_000)
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return (-1, "")
        }
        let text = String(decoding: standardError.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, text)
    }
}

extension ScratchDirectory {
    func size(of name: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: file(name)))?[.size] as? Int) ?? 0
    }
}
