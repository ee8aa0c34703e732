import Foundation
import SootheTestSupport
import Testing

/// `--sleep-tail` on the command line and `sleep-tail` in a routine file, as `soothe show` shows them.
struct SleepTailCommandTests {
    private func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appending(path: "soothe-tail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    private func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try Soothe.run(arguments + ["--no-voice", "--format", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    }

    @Test func showPrintsTheTailInTheTableAndTheJSON() throws {
        let table = try Soothe.run(["show", "quick-reset", "--sleep-tail", "10m", "--no-voice"])
        #expect(table.status == 0, "\(table.standardError)")
        #expect(table.standardOutput.hasPrefix("Quick foot reset (quick-reset): 15:40, 9 steps and a 10:00 sleep tail"))
        #expect(table.standardOutput.contains("5:40    10:00         Sleep tail"))

        let object = try json(["show", "quick-reset", "--sleep-tail", "10m", "--total", "3m"])
        // --total sets the steps; the tail comes on top.
        #expect(object["totalSeconds"] as? Double == 780)
        #expect(object["sleepTailSeconds"] as? Double == 600)
        let plain = try json(["show", "quick-reset"])
        #expect(plain["totalSeconds"] as? Double == 340)
        #expect(plain["sleepTailSeconds"] as? Double == 0)
    }

    @Test func aRoutineFileSetsTheDefaultAndTheCommandLineWins() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appending(path: "night.yaml").path
        try "title: Night\nsleep-tail: 20m\nsteps:\n  - {id: rest, title: Rest, duration: 2m}\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try json(["show", path])["sleepTailSeconds"] as? Double == 1200)
        #expect(try json(["show", path, "--sleep-tail", "90s"])["sleepTailSeconds"] as? Double == 90)
        let off = try json(["show", path, "--sleep-tail", "off"])
        #expect(off["sleepTailSeconds"] as? Double == 0)
        #expect(off["totalSeconds"] as? Double == 120)
    }

    @Test func thePictureDrawsTheTail() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appending(path: "tail.svg").path
        let result = try Soothe.run(["show", "quick-reset", "--no-voice", "--sleep-tail", "10m", "--svg", path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == "Wrote \(path): Quick foot reset, 15:40, 9 steps and a 10:00 sleep tail\n")
        let svg = try String(contentsOfFile: path, encoding: .utf8)
        #expect(svg.components(separatedBy: "class=\"trailing\"").count - 1 == 1)
        #expect(svg.contains("then sleep tail 10:00"))
        let plain = try Soothe.run(["show", "quick-reset", "--no-voice", "--svg", path])
        #expect(plain.status == 0)
        #expect(!(try String(contentsOfFile: path, encoding: .utf8)).contains("class=\"trailing\""))
    }

    @Test(arguments: [
        (["show", "--sleep-tail", "5s"], "a sleep tail of 5 s is too short; it lasts at least 10 s (or off for none)"),
        (["show", "--sleep-tail", "-5m"], "'-5m' is not a positive duration"),
        (["show", "--sleep-tail", "never"], "expected a duration such as 10m, 90s or 1h, or off for none"),
        (["show", "--sleep-tail"], "Missing value for '--sleep-tail <duration|off>'"),
        (["show", "--sleep-tail", "23h55m"], "longer than 24 hours"),
    ])
    func badSleepTailsGetAMessage(arguments: [String], fragment: String) throws {
        let result = try Soothe.run(arguments)
        #expect(result.status != 0)
        #expect(result.standardError.contains(fragment), "\(result.standardError)")
        #expect(!result.standardError.contains("Fatal error"))
        #expect(result.standardOutput.isEmpty)
    }

    @Test func playAcceptsTheOption() throws {
        let help = try Soothe.run(["play", "--help"])
        #expect(help.standardOutput.contains("--sleep-tail <duration|off>"))
    }
}
