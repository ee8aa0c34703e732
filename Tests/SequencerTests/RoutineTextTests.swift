import Foundation
import Testing

@testable import Sequencer

/// Text from a routine file can neither drive the terminal, choose a path nor exhaust the machine,
/// and JSON reads as every standard encoder writes it.
struct RoutineTextTests {
    struct TextCase: CustomTestStringConvertible, Sendable {
        var label: String
        var fileName = "routine.yaml"
        var text: String
        var fragments: [String]
        /// `line:column` the message must point at.
        var position: String
        var kind = RoutineError.Kind.invalidValue

        var testDescription: String { label }
    }

    static let step = "  - {id: a, title: A, duration: 1m}\n"

    static let refusedCases: [TextCase] = [
        TextCase(
            label: "escape in the title", text: "title: \"\\e]0;pwned\\a\"\nsteps:\n" + step,
            fragments: ["'title' of the routine holds the control character U+001B (escape)", "printable"],
            position: "1:8"),
        TextCase(
            label: "clear-screen in a step title",
            text: "title: T\nsteps:\n  - {id: a, title: \"A\\x1b[2J\", duration: 1m}\n",
            fragments: ["'title' of step 'a' holds the control character U+001B"], position: "3:20"),
        TextCase(
            label: "C1 control sequence introducer in a prompt",
            text: "title: T\nsteps:\n  - {id: a, title: A, duration: 1m, say: \"Breathe \\u009B2J\"}\n",
            fragments: ["'say' of step 'a' holds the control character U+009B (control sequence introducer)"],
            position: "3:42"),
        TextCase(
            label: "bell in the description", text: "title: T\ndescription: \"ring \\a\"\nsteps:\n" + step,
            fragments: ["'description' of the routine holds the control character U+0007 (bell)"], position: "2:14"),
        TextCase(
            label: "delete in the close", text: "title: T\nclose-say: \"bye\\x7F\"\nsteps:\n" + step,
            fragments: ["U+007F (delete)"], position: "2:12"),
        TextCase(
            label: "escape in the switch prompt",
            text: "title: T\nsteps:\n  - each-side: [right, left]\n    switch-say: \"\\e[31m\"\n    steps:\n  "
                + step,
            fragments: ["'switch-say' of each-side block 1 holds the control character U+001B"], position: "4:17"),
        TextCase(
            label: "line break in a title", text: "title: \"one\\ntwo\"\nsteps:\n" + step,
            fragments: ["U+000A (line feed)", "one line of printable characters"], position: "1:8"),
        TextCase(
            label: "tab in a step title", fileName: "routine.json",
            text: "{\"title\": \"T\", \"steps\": [{\"id\": \"a\", \"title\": \"A\\tB\", \"duration\": \"1m\"}]}",
            fragments: ["'title' of step 'a' holds the control character U+0009 (tab)"], position: "1:47"),
        TextCase(
            label: "escape written the JSON way", fileName: "routine.json",
            text:
                "{\"title\": \"\\u001b]2;x\\u0007\", \"steps\": [{\"id\": \"a\", \"title\": \"A\", \"duration\": \"1m\"}]}",
            fragments: ["U+001B (escape)"], position: "1:11"),
        TextCase(
            label: "a name that is a path", text: "name: ../../x\ntitle: T\nsteps:\n" + step,
            fragments: ["the routine's name '../../x' is not a name", "kebab-case"], position: "1:7"),
        TextCase(
            label: "a name with capitals and spaces", text: "name: My Routine\ntitle: T\nsteps:\n" + step,
            fragments: ["the routine's name 'My Routine' is not a name"], position: "1:7"),
        TextCase(
            label: "an absolute path as the name", text: "name: /tmp/x\ntitle: T\nsteps:\n" + step,
            fragments: ["'/tmp/x' is not a name"], position: "1:7"),
        TextCase(
            label: "a prompt one character too long",
            text:
                "title: T\nsteps:\n  - {id: a, title: A, duration: 10m, say: \(String(repeating: "a", count: 1001))}\n",
            fragments: ["'say' of step 'a' is 1001 characters long", "at most 1000 characters"], position: "3:43"),
        TextCase(
            label: "a title one character too long",
            text: "title: \(String(repeating: "t", count: 201))\nsteps:\n" + step,
            fragments: ["is 201 characters long", "at most 200 characters"], position: "1:8"),
        TextCase(
            label: "more steps than a routine may have",
            text: "title: T\nsteps:\n"
                + (1...501).map { "  - {id: s\($0), title: S, duration: 1s}\n" }.joined(),
            fragments: ["the routine has 501 steps; a routine has at most 500"], position: "3:3"),
        TextCase(
            label: "a step shorter than a second",
            text: "title: T\nsteps:\n  - {id: a, title: A, duration: 0.5s}\n",
            fragments: ["step 'a' lasts only 0:00.5; every step lasts at least 1 s"], position: "3:33",
            kind: .stepTooShort),
        TextCase(
            label: "a side switch shorter than a second",
            text: "title: T\nsteps:\n  - each-side: [right, left]\n    switch-duration: 0.2s\n    steps:\n  " + step,
            fragments: ["the side switch of each-side block 1 lasts only"], position: "4:22", kind: .stepTooShort),
        TextCase(
            label: "a field after a surrogate pair is placed where it is written", fileName: "routine.json",
            text: "{\"title\": \"\\uD83E\\uDDB6\\ud83e\\uddb6\", \"steps\": [{\"id\": \"a\", \"title\": \"A\", "
                + "\"duration\": \"1m\", \"bad\": 1}]}",
            fragments: ["unknown field 'bad'"], position: "1:93", kind: .unknownField),
    ]

    @Test(arguments: refusedCases)
    func refusedWithThePlaceAndTheRule(_ testCase: TextCase) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path(testCase.fileName)
        try testCase.text.write(toFile: path, atomically: true, encoding: .utf8)
        let error = try #require(throws: RoutineError.self) { try RoutineLibrary.load(path) }
        #expect(error.kind == testCase.kind, "\(error)")
        for fragment in testCase.fragments {
            #expect(error.description.contains(fragment), "\(error)")
        }
        #expect(error.description.hasPrefix("\(path):\(testCase.position):"), "\(error)")
        let isClean = !error.description.unicodeScalars.contains { $0.isControlCharacter }
        #expect(isClean, "\(error)")
    }

    @Test func limitsThemselvesAreAccepted() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("limits.yaml")
        let prompt = String(repeating: "a", count: Routine.maximumPromptLength)
        let title = String(repeating: "t", count: Routine.maximumLabelLength)
        try "title: \(title)\nsteps:\n  - {id: a, title: A, duration: 10m, say: \(prompt)}\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let routine = try RoutineLibrary.load(path)
        #expect(routine.title.count == Routine.maximumLabelLength)
        guard case .step(let step) = routine.items[0] else { Issue.record("not a step"); return }
        #expect(step.say?.count == Routine.maximumPromptLength)

        let steps = (1...Routine.maximumStepCount).map { "  - {id: s\($0), title: S, duration: 1s}\n" }.joined()
        try "title: T\nsteps:\n\(steps)".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try RoutineLibrary.load(path).items.count == Routine.maximumStepCount)
    }

    @Test func lineBreaksAndTabsInProseBecomeSpaces() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("prose.yaml")
        let text =
            "title: T\nsteps:\n  - id: a\n    title: A\n    duration: 1m\n    say: |\n      Breathe in.\n\n"
            + "      Breathe\tout.\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let routine = try RoutineLibrary.load(path)
        guard case .step(let step) = routine.items[0] else { Issue.record("not a step"); return }
        #expect(step.say == "Breathe in. Breathe out.")
    }

    @Test func aFileLargerThanTheLimitIsRefusedBeforeItIsParsed() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("huge.yaml")
        let padding = String(repeating: "#", count: RoutineLibrary.maximumFileSize)
        try "title: T\nsteps:\n\(Self.step)\(padding)\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = try #require(throws: RoutineError.self) { try RoutineLibrary.load(path) }
        #expect(error.kind == .unreadableFile)
        #expect(error.message.contains("a routine file is at most 1000000 bytes (1 MB)"), "\(error)")
    }

    static let fileNames: [(String, String)] = [
        ("My Routine", "my-routine"), ("evening_feet.v2", "evening-feet-v2"), ("--x--", "x"), ("Füße", "f-e"),
        ("ÄÖ", "routine"), ("bedtime-foot", "bedtime-foot"),
    ]

    @Test(arguments: fileNames)
    func theNameOfAFileWithoutOneIsKebabCase(fileName: String, name: String) throws {
        #expect(RoutineLibrary.defaultName(forFileNamed: fileName) == name)
        let directory = try TemporaryDirectory()
        let path = directory.path("\(fileName).yaml")
        try "title: T\nsteps:\n\(Self.step)".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try RoutineLibrary.load(path).name == name)
    }

    // MARK: JSON

    /// What `json.dumps(routine, indent=2)` writes in Python, which escapes every non-ASCII
    /// character, those outside the Basic Multilingual Plane as surrogate pairs.
    static let pythonJSON = """
        {
          "name": "feet",
          "title": "Feet \\ud83e\\uddb6 and soles \\u00e9",
          "steps": [
            {
              "id": "a",
              "title": "Rest \\uD83D\\uDE0C",
              "duration": "1m",
              "say": "A \\"quiet\\" \\\\ calm \\/ moment."
            }
          ]
        }
        """

    @Test func surrogatePairsAndEveryEscapeOfJSONAreRead() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("python.json")
        try Self.pythonJSON.write(toFile: path, atomically: true, encoding: .utf8)
        let routine = try RoutineLibrary.load(path)
        #expect(routine.title == "Feet 🦶 and soles é")
        guard case .step(let step) = routine.items[0] else { Issue.record("not a step"); return }
        #expect(step.title == "Rest 😌")
        #expect(step.say == "A \"quiet\" \\ calm / moment.")
    }

    struct EncodedStep: Encodable {
        var id: String
        var title: String
        var duration: String
        var say: String
    }

    struct EncodedRoutine: Encodable {
        var title: String
        var steps: [EncodedStep]
    }

    static let encoderFormats: [JSONEncoder.OutputFormatting] = [[], [.prettyPrinted, .sortedKeys]]

    @Test(arguments: encoderFormats)
    func whatJSONEncoderWritesIsRead(formatting: JSONEncoder.OutputFormatting) throws {
        let original = EncodedRoutine(
            title: "Feet 🦶 / soles", steps: [EncodedStep(id: "a", title: "A/B", duration: "1m", say: "Ahh… 😌")])
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        let directory = try TemporaryDirectory()
        let path = directory.path("encoded.json")
        try encoder.encode(original).write(to: URL(fileURLWithPath: path))
        let routine = try RoutineLibrary.load(path)
        #expect(routine.title == original.title)
        guard case .step(let step) = routine.items[0] else { Issue.record("not a step"); return }
        #expect(step.title == "A/B")
        #expect(step.say == "Ahh… 😌")
    }

    @Test func aLoneSurrogateIsASyntaxErrorNotACrash() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("lone.json")
        try "{\"title\": \"\\uD83E x\", \"steps\": []}".write(toFile: path, atomically: true, encoding: .utf8)
        let error = try #require(throws: RoutineError.self) { try RoutineLibrary.load(path) }
        #expect(error.kind == .syntax)
        #expect(error.description.hasPrefix("\(path):1:"))
    }

    // MARK: Files

    @Test func aLoopOfLinksAndADanglingLinkSayWhatTheyAre() throws {
        let directory = try TemporaryDirectory()
        let first = directory.path("first.yaml")
        let second = directory.path("second.yaml")
        try FileManager.default.createSymbolicLink(atPath: first, withDestinationPath: second)
        try FileManager.default.createSymbolicLink(atPath: second, withDestinationPath: first)
        let loop = try #require(throws: RoutineError.self) { try RoutineLibrary.load(first) }
        #expect(loop.message == "cannot be opened: its symbolic links form a loop")
        let dangling = directory.path("dangling.yaml")
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: directory.path("gone.yaml"))
        let danglingError = try #require(throws: RoutineError.self) { try RoutineLibrary.load(dangling) }
        #expect(danglingError.message == "is a symbolic link to a file that does not exist")
    }

    @Test(.enabled(if: getuid() != 0, "root enters every folder"))
    func aFolderWithoutPermissionIsNamedAsTheCause() throws {
        let directory = try TemporaryDirectory()
        let folder = directory.url.appending(path: "closed")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appending(path: "r.yaml").path
        try "title: T\nsteps:\n\(Self.step)".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: folder.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path) }
        let error = try #require(throws: RoutineError.self) { try RoutineLibrary.load(path) }
        #expect(error.message == "cannot be reached: permission denied on a folder in its path")
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: path)
        let unreadable = try #require(throws: RoutineError.self) { try RoutineLibrary.load(path) }
        #expect(unreadable.message == "cannot be read: permission denied")
    }

    @Test func aPathThroughAFileSaysSo() throws {
        let directory = try TemporaryDirectory()
        let file = directory.path("plain")
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        let error = try #require(throws: RoutineError.self) { try RoutineLibrary.load(file + "/r.yaml") }
        #expect(error.message.contains("a part of its path is a file, not a folder"))
    }

    @Test func copyingNamesOnlyBuiltIns() throws {
        let error = try #require(throws: RoutineError.self) { try RoutineLibrary.builtInSource(named: "./mine.yaml") }
        #expect(
            error.message == "there is no built-in routine './mine.yaml'; the built-in routines are "
                + "bedtime-foot, legs-and-feet, quick-reset and sore-arches")
    }

    // MARK: Messages

    @Test func aMessageNeverCarriesAControlCharacter() {
        let error = RoutineError(.unknownRoutine, "no routine '\u{1B}[2J\u{9B}x'", at: SourceLocation(file: "a\u{7}"))
        #expect(error.description == "a\\u{7}: no routine '\\u{1B}[2J\\u{9B}x'")
    }

    @Test func aStepTooShortNamesWhatMadeItSo() throws {
        let routine = try RoutineLibrary.builtIn(named: "quick-reset")
        let byTotal = try #require(throws: RoutineError.self) {
            try SessionTimeline(routine: routine, customization: SessionCustomization(totalDuration: .init(seconds: 5)))
        }
        #expect(byTotal.message.hasSuffix("so choose a longer --total"), "\(byTotal)")
        let byStep = try #require(throws: RoutineError.self) {
            let override = try StepOverride(parsing: "\(routine.writtenStepIDs[0])=0.5s")
            return try SessionTimeline(routine: routine, customization: SessionCustomization(stepOverrides: [override]))
        }
        #expect(byStep.message.hasSuffix("so set --step \(routine.writtenStepIDs[0])=1s or longer"), "\(byStep)")
        #expect(!byStep.message.contains("--total"))
    }
}

/// The helpers every module shares give the published results.
struct SharedHelperTests {
    @Test func splitMix64MatchesTheReferenceSequence() {
        // The first outputs of Vigna's splitmix64.c seeded with 0.
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test func fnv1aMatchesTheReferenceValues() {
        #expect(FNV1a.hash("") == 0xcbf2_9ce4_8422_2325)
        #expect(FNV1a.hash("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(FNV1a.hash("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test func listsAndSeconds() {
        #expect([String]().joinedAsList() == "none")
        #expect(["a", "b", "c"].joinedAsList() == "a, b and c")
        #expect(6.24.secondsText == "6.2 s")
        #expect(" \n x y\t".trimmingWhitespace() == "x y")
    }
}
