import Foundation
import SootheTestSupport
import Testing

/// Standard output as a destination: a write that fails there is an error, `-` means standard
/// output and never a file named `-`, and the test support reads a chatty child without stalling.
struct StandardOutputTests {
    @Test(arguments: [
        ["show", "quick-reset", "--no-voice"], ["show", "--no-voice", "--format", "json"], ["routines"],
        ["show", "--help"],
        // Text longer than the output buffer, which a failed write leaves empty.
        ["show", "legs-and-feet", "--no-voice", "--svg", "-"],
    ])
    func aFailedWriteToStandardOutputExits74(arguments: [String]) throws {
        let command = ([Soothe.executablePath] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let result = try Soothe.run(["-c", "exec \(command) > /dev/full"], executable: URL(fileURLWithPath: "/bin/sh"))
        #expect(result.status == 74)
        #expect(
            result.standardError == "Error: could not write to standard output: No space left on device\n",
            "\(result.standardError)")
    }

    /// libsndfile prints a message of its own to standard output for some failed writes; with
    /// `-o -` that is where the audio goes, and printing it at exit changed the status.
    @Test(arguments: ["flac", "ogg", "opus", "mp3"])
    func aStreamedExportThatCannotBeWrittenExits74WithOneMessage(format: String) throws {
        let export =
            [Soothe.executablePath, "export", "quick-reset", "--no-voice", "--total", "1m", "--quiet"]
            + ["-o", "-", "--format", format]
        let command = export.map { "'\($0)'" }.joined(separator: " ")
        let full = try Soothe.run(["-c", "exec \(command) > /dev/full"], executable: URL(fileURLWithPath: "/bin/sh"))
        #expect(full.status == 74)
        #expect(
            full.standardError == "Error: could not write 'standard output': disk full\n", "\(full.standardError)")
        // A reader that stops early: the status is the export's, whose message says why.
        let closed = try Soothe.run(
            ["-c", "\(command) 2> /dev/null | head -c 100 > /dev/null; echo ${PIPESTATUS[0]}"],
            executable: URL(fileURLWithPath: "/bin/bash"))
        #expect(closed.standardOutput == "74\n", "\(closed.standardOutput) \(closed.standardError)")
    }

    /// A reader that stops early (`| head`) makes the rest of the output fail with a closed pipe:
    /// reported as the failed write it is, with 74, as a full disk is, not as an interruption.
    @Test(arguments: [["--format", "json"], ["--svg", "-"], []])
    func printingToAReaderThatStoppedExits74(format: [String]) throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "soothe-pipe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Far more than a pipe holds (64 KiB) in every format: the table is about 90 kB, so soothe
        // cannot write it all before `head` goes, however late `head` starts.
        let title = String(String(repeating: "A step with a long title for a long line ", count: 5).prefix(190))
        let steps = (1...400).map { "  - {id: s\($0), title: \(title), duration: 10s}\n" }
        let routine = directory.appending(path: "long.yaml").path
        try ("title: Long\nsteps:\n" + steps.joined()).write(toFile: routine, atomically: true, encoding: .utf8)
        let command = ([Soothe.executablePath, "show", routine, "--no-voice"] + format).map { "'\($0)'" }
            .joined(separator: " ")
        let result = try Soothe.run(
            ["-c", "\(command) | head -c 100 > /dev/null; echo ${PIPESTATUS[0]}"],
            executable: URL(fileURLWithPath: "/bin/bash"))
        #expect(result.standardOutput == "74\n", "\(result.standardOutput) \(result.standardError)")
        #expect(
            result.standardError == "Error: could not write to standard output: Broken pipe\n",
            "\(result.standardError)")
    }

    @Test func showSVGDashPrintsThePictureAndWritesNoFile() throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "soothe-svg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try Soothe.run(["show", "quick-reset", "--no-voice", "--svg", "-"], directory: directory.path)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.hasPrefix("<?xml"))
        #expect(result.standardOutput.contains("Quick foot reset"))
        #expect(result.standardOutput.hasSuffix("</svg>\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func aPictureOrRoutineFileThatCannotBeCreatedExits73() throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "soothe-73-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let link = directory.appending(path: "link.svg").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "nowhere.svg")
        let cases: [[String]] = [
            ["show", "quick-reset", "--no-voice", "--svg", directory.path],
            ["show", "quick-reset", "--no-voice", "--svg", link],
            ["init", link],
        ]
        for arguments in cases {
            let result = try Soothe.run(arguments)
            #expect(result.status == 73, "\(arguments): \(result.standardError)")
            #expect(result.standardError.hasPrefix("Error: '"), "\(result.standardError)")
        }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "nowhere.svg")
    }

    @Test(.timeLimit(.minutes(1))) func aChildThatFillsStandardErrorFirstDoesNotStallTheTests() throws {
        // 256 KiB on stderr before a word on stdout: more than a pipe holds.
        let result = try Soothe.run(
            ["-c", "head -c 262144 /dev/zero | tr '\\0' x >&2; echo done"], executable: URL(fileURLWithPath: "/bin/sh"))
        #expect(result.status == 0)
        #expect(result.standardOutput == "done\n")
        #expect(result.standardError.utf8.count == 262_144)
    }
}
