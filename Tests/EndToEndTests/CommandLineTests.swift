import Foundation
import SootheTestSupport
import Testing

/// Runs the built `soothe` as a user would and checks what it prints and how it exits.
struct CommandLineTests {
    @Test func routinesListsTheFourBuiltIns() throws {
        let result = try Soothe.run(["routines"])
        #expect(result.status == 0)
        for name in ["bedtime-foot", "quick-reset", "legs-and-feet", "sore-arches"] {
            #expect(result.standardOutput.contains(name))
        }
    }

    @Test func showPrintsTheCustomisedTimelineAsJSON() throws {
        let result = try Soothe.run([
            "show", "bedtime-foot", "--step", "thumb-circles=3m", "--total", "15m", "--format", "json",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(object["name"] as? String == "bedtime-foot")
        #expect(object["totalSeconds"] as? Double == 900)
        let steps = try #require(object["steps"] as? [[String: Any]])
        let circles = steps.filter { $0["id"] as? String == "thumb-circles" }
        #expect(circles.map { $0["durationSeconds"] as? Double } == [180, 180])
        #expect(circles.map { $0["side"] as? String } == ["right", "left"])
        let total = steps.reduce(0.0) { $0 + ($1["durationSeconds"] as? Double ?? 0) }
        #expect(abs(total - 900) < 1e-6)
        #expect(steps.first?["side"] is NSNull)
    }

    @Test func showWithNoRoutineShowsTheDefaultRoutine() throws {
        // Without speaking the prompts: the heading does not depend on them, and
        // `showPrintsTheCustomisedTimelineAsJSON` speaks this routine's prompts already; side by
        // side with a cold cache, the two would each speak them all.
        let result = try Soothe.run(["show", "--no-voice"])
        #expect(result.status == 0)
        #expect(result.standardOutput.hasPrefix("Bedtime foot massage (bedtime-foot): 12:00, 12 steps"))
    }

    @Test(arguments: [
        (
            ["show", "bedtime-feet"],
            "the built-in routines are bedtime-foot, legs-and-feet, quick-reset and sore-arches"
        ),
        (["show", "--step", "thumb=3m"], "there is no step 'thumb'; the steps are"),
        (["show", "--step", "arch@up=3m"], "sides are left and right"),
        (["show", "--total", "soon"], "'soon' is not a duration"),
        (["show", "--total", "0"], "not a positive duration"),
        (["show", "--total", "48h"], "longer than 24 hours"),
        (["show", "--step", "thumb-circles=5m", "--total", "9m"], "already last 10:00"),
        (["show", "/nonexistent/routine.yaml"], "/nonexistent/routine.yaml: no such routine file"),
        (["show", "--format", "xml"], "table"),
        (["init"], "Missing expected argument"),
        (["init", "x.yaml", "--from", "nope"], "the built-in routines are"),
        (["frobnicate", "--now"], "Unknown option"),
    ])
    func badInputGetsAMessageAndANonZeroExit(arguments: [String], fragment: String) throws {
        let result = try Soothe.run(arguments)
        #expect(result.status != 0)
        #expect(result.standardError.contains(fragment), "\(result.standardError)")
        #expect(!result.standardError.contains("Fatal error"))
        #expect(result.standardOutput.isEmpty)
    }

    @Test func malformedRoutineFileIsReportedWithItsLine() throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "soothe-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appending(path: "mine.yaml").path
        try
            "title: Mine\nsteps:\n  - id: a\n    title: A\n    duration: 1m\n  - id: a\n    title: B\n    duration: 1m\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let result = try Soothe.run(["show", path])
        #expect(result.status != 0)
        #expect(result.standardError.contains("\(path):6:9: the step id 'a' is used more than once"))
    }

    @Test func initWritesAnEditableCopyAndRefusesToOverwrite() throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "soothe-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appending(path: "mine.yaml").path
        let first = try Soothe.run(["init", path, "--from", "quick-reset"])
        #expect(first.status == 0, "\(first.standardError)")
        // The copy loads as the routine it came from; its spoken prompts are not the point.
        let shown = try Soothe.run(["show", path, "--format", "json", "--no-voice"])
        #expect(shown.standardOutput.contains("\"name\" : \"quick-reset\""))

        try "keep me".write(toFile: path, atomically: true, encoding: .utf8)
        let second = try Soothe.run(["init", path])
        #expect(second.status != 0)
        #expect(second.standardError.contains("already exists"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")

        let nowhere = try Soothe.run(["init", directory.appending(path: "missing/dir/x.yaml").path])
        #expect(nowhere.status != 0)
        #expect(nowhere.standardError.contains("missing/dir' does not exist; create it first"))
    }

    @Test(arguments: [
        ["--help"], ["show", "--help"], ["routines", "--help"], ["init", "--help"], ["play", "--help"],
        ["devices", "--help"], ["--version"],
    ])
    func helpAndVersionSucceed(arguments: [String]) throws {
        let result = try Soothe.run(arguments)
        #expect(result.status == 0)
        #expect(!result.standardOutput.isEmpty)
    }
}

/// The `soothe` executable, run as a user would.
typealias Soothe = SootheProcess
