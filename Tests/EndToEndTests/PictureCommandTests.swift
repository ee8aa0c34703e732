import Foundation
import SootheTestSupport
import Testing

/// `soothe show --svg`: the picture is written whole, or not at all with a message.
struct PictureCommandTests {
    private func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appending(path: "soothe-svg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func showWritesAPictureWithPromptWindows() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appending(path: "reset.svg").path
        let result = try Soothe.run(["show", "quick-reset", "--svg", path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == "Wrote \(path): Quick foot reset, 5:40, 9 steps\n")
        let svg = try String(contentsOfFile: path, encoding: .utf8)
        #expect(svg.hasPrefix("<?xml"))
        #expect(svg.components(separatedBy: "class=\"step\"").count - 1 == 9)
        // Every step speaks, and the last adds its closing words.
        #expect(svg.components(separatedBy: "class=\"prompt\"").count - 1 == 10)

        let silent = try Soothe.run(["show", "quick-reset", "--no-voice", "--svg", path])
        #expect(silent.status == 0)
        #expect(!(try String(contentsOfFile: path, encoding: .utf8)).contains("class=\"prompt\""))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["reset.svg"])
    }

    @Test func showRefusesAPictureItCannotWrite() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = try Soothe.run(["show", "--no-voice", "--svg", directory.appending(path: "no/such/x.svg").path])
        #expect(missing.status != 0)
        #expect(missing.standardError.contains("the directory '\(directory.path)/no/such' does not exist"))
        let intoDirectory = try Soothe.run(["show", "--no-voice", "--svg", directory.path])
        #expect(intoDirectory.status != 0)
        #expect(intoDirectory.standardError.contains("is a directory; give the name of a file"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }
}

extension PictureCommandTests {
    @Test func pictureAndPrintedFormatContradictEachOther() throws {
        let result = try Soothe.run(["show", "--no-voice", "--format", "json", "--svg", "x.svg"])
        #expect(result.status != 0)
        #expect(result.standardError.contains("--svg draws a picture and --format json prints the timeline"))
        #expect(!FileManager.default.fileExists(atPath: "x.svg"))
    }
}
