import Foundation
import SootheTestSupport
import Testing

/// Wrong input to every command: each gets a message that says what was wrong and what is valid,
/// a non-zero exit, nothing on standard output and no file left behind.
struct BadInputTests {
    /// A directory with a routine file, an SVG, a subdirectory and a pipe, removed afterwards.
    final class Scene {
        let directory: URL
        var path: String { directory.path }

        init() throws {
            directory = FileManager.default.temporaryDirectory.appending(path: "soothe-bad-\(UUID().uuidString)")
            try FileManager.default.createDirectory(
                at: directory.appending(path: "folder"), withIntermediateDirectories: true)
            try "title: Mine\nsteps:\n  - {id: a, title: A, duration: 1m}\n"
                .write(to: directory.appending(path: "mine.yaml"), atomically: true, encoding: .utf8)
            try "<?xml version=\"1.0\"?><svg/>".write(
                to: directory.appending(path: "old.svg"), atomically: true, encoding: .utf8)
            guard mkfifo(directory.appending(path: "pipe.yaml").path, 0o600) == 0 else {
                throw CocoaError(.fileWriteUnknown)
            }
        }

        deinit { try? FileManager.default.removeItem(at: directory) }

        func contents() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        }
    }

    /// An argument starting `@/` is a path in the scene's directory.
    @Test(arguments: [
        // Missing and extra arguments.
        (["show", "a", "b"], "Unexpected argument 'b'"),
        (["show", "--total"], "Missing value for '--total <duration>'"),
        (["show", "--step"], "Missing value for '--step <id[@side]=duration>'"),
        (["show", "--svg"], "Missing value for '--svg <file>'"),
        (["routines", "extra"], "Unexpected argument 'extra'"),
        (["voices", "extra"], "Unexpected argument 'extra'"),
        (["init", "@/a.yaml", "@/b.yaml"], "Unexpected argument"),
        (["init", "@/new.yaml", "--from"], "Missing value for '--from <routine>'"),
        // Wrong types and values out of range.
        (["show", "--total", "-5m"], "'-5m' is not a positive duration"),
        (["show", "--total", "1e400"], "expected a duration such as 90, 90s, 1m30s"),
        (["show", "--total", "nan"], "'nan' is not a duration"),
        (["show", "--step", "="], "'=' names no step; expected ID=DURATION"),
        (["show", "--step", "thumb-circles"], "does not set a step's length; expected ID=DURATION"),
        (["show", "--speech-rate", "fast"], "'fast' is not a number; choose from 80 to 300 words per minute"),
        (["show", "--speech-rate", "-5"], "-5 is out of range; choose from 80 to 300 words per minute"),
        (["show", "--speech-rate", "1e9"], "1e9 is out of range; choose from 80 to 300"),
        (["show", "--voice", "nobody"], "there is no voice 'nobody'; the voices are flite's slt"),
        (["show", "--format", "yaml"], "table"),
        (["show", "@/mine.yaml", "--step", "a@left=1m"], "step 'a' is done once, not per side"),
        (["show", "@/mine.yaml", "--total", "0.5s"], "every step needs at least 1 s"),
        // Paths that are directories, pipes or missing.
        (["show", "@/folder"], "is a directory, not a routine file"),
        (["show", "@/pipe.yaml"], "is not a regular file (a device, pipe or socket)"),
        (["show", "@/none.yaml"], "no such routine file"),
        (["show", "--no-voice", "--svg", "@/folder"], "is a directory; give the name of a file to write in it"),
        (["show", "--no-voice", "--svg", "@/none/x.svg"], "none' does not exist; create it first"),
        (["show", "--no-voice", "--svg", ""], "the file name is empty; give the path of the file to write"),
        (["show", "@/mine.yaml", "--no-voice", "--svg", "@/mine.yaml"], "already exists and is not an SVG picture"),
        (["init", "@/folder"], "is a directory; give the name of a file to write in it"),
        (["init", "@/mine.yaml"], "already exists; choose another name or remove it first"),
        (["init", "@/none/x.yaml"], "none' does not exist; create it first"),
        (["init", ""], "the file name is empty"),
        (["init", "-"], "'-' names standard output, not a file"),
        (["init", "@/new.yaml", "--from", "bedtime-feet"], "the built-in routines are bedtime-foot"),
        (["record", "quick-reset", "-"], "'-' names standard output, not a folder"),
        (["record", "quick-reset", ""], "the folder name is empty"),
        // Flags that contradict each other.
        (["show", "--voice", "slt", "--no-voice"], "--voice and --no-voice contradict each other"),
        (["show", "--format", "json", "--svg", "@/x.svg"], "--svg draws a picture and --format json prints"),
    ])
    func isRefusedWithAMessage(arguments: [String], fragment: String) throws {
        let scene = try Scene()
        let before = try scene.contents()
        let result = try Soothe.run(arguments.map { $0.hasPrefix("@/") ? scene.path + $0.dropFirst() : $0 })
        #expect(result.status != 0)
        #expect(result.standardError.contains(fragment), "\(result.standardError)")
        #expect(!result.standardError.contains("Fatal error"))
        // A failure in a subcommand shows that subcommand's usage, never the bare root's.
        #expect(!result.standardError.contains("Usage: soothe <subcommand>"), "\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
        #expect(try scene.contents() == before)
        #expect(
            try String(contentsOf: scene.directory.appending(path: "mine.yaml"), encoding: .utf8).hasPrefix("title"))
    }

    @Test func anEarlierPictureIsReplaced() throws {
        let scene = try Scene()
        let result = try Soothe.run(["show", "quick-reset", "--no-voice", "--svg", scene.path + "/old.svg"])
        #expect(result.status == 0, "\(result.standardError)")
        let svg = try String(contentsOf: scene.directory.appending(path: "old.svg"), encoding: .utf8)
        #expect(svg.contains("Quick foot reset"))
        #expect(try scene.contents() == ["folder", "mine.yaml", "old.svg", "pipe.yaml"])
    }
}

extension BadInputTests {
    @Test func aOneStepRoutineIsCountedInTheSingular() throws {
        let scene = try Scene()
        let result = try Soothe.run(["show", scene.path + "/mine.yaml", "--no-voice"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.hasPrefix("Mine (mine): 1:00, 1 step\n"))
    }
}
