import Foundation
import Testing

@testable import Sequencer

/// Every kind of bad routine file or customisation gets its own clear message, never a crash.
struct MalformedRoutineTests {
    struct FileCase: CustomTestStringConvertible, Sendable {
        var label: String
        var fileName = "routine.yaml"
        var text: String
        var kind: RoutineError.Kind
        /// Text the message must contain.
        var fragments: [String]
        /// `line:column` the message must point at, when there is one.
        var position: String?

        var testDescription: String { label }
    }

    static let validStep = "  - {id: rest, title: Rest, duration: 1m}\n"

    static let fileCases: [FileCase] = [
        FileCase(
            label: "YAML syntax error", text: "title: Test\nsteps:\n  - id: a\n   title: b\n", kind: .syntax,
            fragments: ["syntax error"], position: "4:4"),
        FileCase(
            label: "unclosed flow list", text: "title: T\nsteps: [\n", kind: .syntax, fragments: ["syntax error"]),
        FileCase(
            label: "JSON syntax error", fileName: "routine.json",
            text: "{\n  \"title\": \"T\",\n  \"steps\": [\n    {\"id\": \"a\" \"title\": \"b\"}\n  ]\n}\n",
            kind: .syntax,
            fragments: ["syntax error"], position: "4:"),
        FileCase(
            label: "JSON trailing garbage", fileName: "routine.json", text: "{\"title\": \"T\"} }\n", kind: .syntax,
            fragments: ["syntax error"], position: "1:"),
        FileCase(label: "empty file", text: "", kind: .emptyRoutine, fragments: ["holds no routine"]),
        FileCase(label: "comments only", text: "# nothing\n", kind: .emptyRoutine, fragments: ["holds no routine"]),
        FileCase(
            label: "root is a list", text: "- a\n- b\n", kind: .wrongType,
            fragments: ["the routine must be a mapping", "not a list"], position: "1:1"),
        FileCase(
            label: "root is text", text: "hello\n", kind: .wrongType, fragments: ["the routine must be a mapping"]),
        FileCase(
            label: "missing title", text: "steps:\n" + validStep, kind: .missingField,
            fragments: ["the routine has no 'title'"]),
        FileCase(
            label: "missing steps", text: "title: T\n", kind: .missingField, fragments: ["has no 'steps'"]),
        FileCase(label: "empty steps", text: "title: T\nsteps: []\n", kind: .emptyRoutine, fragments: ["no steps"]),
        FileCase(
            label: "steps is a mapping", text: "title: T\nsteps:\n  id: a\n", kind: .wrongType,
            fragments: ["'steps' of the routine must be a list of steps", "not a mapping"], position: "3:3"),
        FileCase(
            label: "unknown top-level field", text: "title: T\ntitel: U\nsteps:\n" + validStep, kind: .unknownField,
            fragments: [
                "unknown field 'titel'",
                "valid fields are name, title, description, bed, last-step-say, close-say, sleep-tail, speech-rate and steps",
            ],
            position: "2:1"),
        FileCase(
            label: "step missing id", text: "title: T\nsteps:\n  - {title: Rest, duration: 1m}\n", kind: .missingField,
            fragments: ["step 1 has no 'id'"], position: "3:5"),
        FileCase(
            label: "step missing title", text: "title: T\nsteps:\n  - {id: rest, duration: 1m}\n",
            kind: .missingField, fragments: ["step 'rest' has no 'title'"]),
        FileCase(
            label: "step missing duration", text: "title: T\nsteps:\n  - {id: rest, title: Rest}\n",
            kind: .missingField, fragments: ["step 'rest' has no 'duration'"]),
        FileCase(
            label: "step is text", text: "title: T\nsteps:\n  - rest\n", kind: .wrongType,
            fragments: ["step 1 must be a mapping", "not 'rest'"], position: "3:5"),
        FileCase(
            label: "unknown step field", text: "title: T\nsteps:\n  - {id: rest, title: Rest, duraton: 1m}\n",
            kind: .unknownField,
            fragments: [
                "step 'rest' has an unknown field 'duraton'",
                "id, title, duration, say, say-audio, hold, tempo and bells",
            ]),
        FileCase(
            label: "say-audio is empty",
            text: "title: T\nsteps:\n  - {id: rest, title: Rest, duration: 1m, say-audio: ''}\n",
            kind: .invalidValue, fragments: ["'say-audio' of step 'rest' is empty"]),
        FileCase(
            label: "speech-rate is not a number", text: "title: T\nspeech-rate: fast\nsteps:\n" + validStep,
            kind: .wrongType, fragments: ["'speech-rate' of the routine must be a pace in words per minute"]),
        FileCase(
            label: "title is a list", text: "title: T\nsteps:\n  - {id: rest, title: [a], duration: 1m}\n",
            kind: .wrongType, fragments: ["'title' of step 'rest' must be text, not a list"]),
        FileCase(
            label: "duration is a list", text: "title: T\nsteps:\n  - {id: rest, title: R, duration: [1]}\n",
            kind: .wrongType, fragments: ["'duration' of step 'rest' must be a duration"]),
        FileCase(
            label: "malformed duration", text: "title: T\nsteps:\n  - id: rest\n    title: R\n    duration: soon\n",
            kind: .invalidDuration, fragments: ["'duration' of step 'rest'", "'soon' is not a duration"],
            position: "5:15"),
        FileCase(
            label: "zero duration", text: "title: T\nsteps:\n  - {id: rest, title: R, duration: 0}\n",
            kind: .invalidDuration, fragments: ["'0' is not a positive duration"]),
        FileCase(
            label: "negative duration", text: "title: T\nsteps:\n  - {id: rest, title: R, duration: -30s}\n",
            kind: .invalidDuration, fragments: ["'-30s' is not a positive duration"]),
        FileCase(
            label: "absurd step duration", text: "title: T\nsteps:\n  - {id: rest, title: R, duration: 30h}\n",
            kind: .invalidDuration, fragments: ["longer than 24 hours"]),
        FileCase(
            label: "hold is not a boolean",
            text: "title: T\nsteps:\n  - {id: rest, title: R, duration: 1m, hold: maybe}\n",
            kind: .wrongType, fragments: ["'hold' of step 'rest' must be true or false, not 'maybe'"]),
        FileCase(
            label: "tempo out of range", text: "title: T\nsteps:\n  - {id: rest, title: R, duration: 1m, tempo: 900}\n",
            kind: .wrongType, fragments: ["'tempo' of step 'rest' must be a number of pulses per minute from 10 to 180"]
        ),
        FileCase(
            label: "id not kebab-case", text: "title: T\nsteps:\n  - {id: Thumb Circles, title: R, duration: 1m}\n",
            kind: .invalidValue, fragments: ["'Thumb Circles'", "kebab-case"]),
        FileCase(
            label: "duplicate step ids",
            text: "title: T\nsteps:\n  - {id: rest, title: A, duration: 1m}\n  - {id: rest, title: B, duration: 1m}\n",
            kind: .duplicateStepID, fragments: ["'rest' is used more than once"], position: "4:10"),
        FileCase(
            label: "duplicate id inside a block",
            text: "title: T\nsteps:\n" + validStep + "  - each-side: [left]\n    steps:\n" + "    " + validStep,
            kind: .duplicateStepID, fragments: ["'rest' is used more than once"]),
        FileCase(
            label: "duplicate key", text: "title: T\ntitle: U\nsteps:\n" + validStep, kind: .syntax,
            fragments: ["'title' appears more than once"]),
        FileCase(
            label: "each-side with no sides",
            text: "title: T\nsteps:\n  - each-side: []\n    steps:\n    " + validStep, kind: .invalidValue,
            fragments: ["each-side block 1 lists no sides", "left and right"], position: "3:16"),
        FileCase(
            label: "each-side with the same side twice",
            text: "title: T\nsteps:\n  - each-side: [left, left]\n    steps:\n    " + validStep, kind: .invalidSide,
            fragments: ["lists the side 'left' twice"], position: "3:23"),
        FileCase(
            label: "each-side with an unknown side",
            text: "title: T\nsteps:\n  - each-side: [left, up]\n    steps:\n    " + validStep, kind: .invalidSide,
            fragments: ["the side 'up'", "sides are left and right"]),
        FileCase(
            label: "each-side is not a list",
            text: "title: T\nsteps:\n  - each-side: left\n    steps:\n    " + validStep,
            kind: .wrongType, fragments: ["'each-side' of each-side block 1 must be a list of sides"]),
        FileCase(
            label: "each-side block without steps", text: "title: T\nsteps:\n  - each-side: [left, right]\n",
            kind: .missingField, fragments: ["each-side block 1 has no 'steps'"]),
        FileCase(
            label: "nested each-side",
            text: "title: T\nsteps:\n  - each-side: [left]\n    steps:\n      - each-side: [right]\n        steps:\n"
                + "      " + validStep,
            kind: .invalidValue, fragments: ["cannot be nested"]),
        FileCase(
            label: "bad bed key", text: "title: T\nbed: {key: H}\nsteps:\n" + validStep, kind: .invalidValue,
            fragments: ["key 'H' is not a note name", "C, C#"]),
        FileCase(
            label: "bad noise kind", text: "title: T\nbed: {noise: white}\nsteps:\n" + validStep, kind: .invalidValue,
            fragments: ["noise 'white'", "none, pink and brown"]),
        FileCase(
            label: "bed level out of range", text: "title: T\nbed: {file: rain.flac, level: 40}\nsteps:\n" + validStep,
            kind: .wrongType, fragments: ["'level' of the bed", "-30 to 12"]),
        FileCase(
            label: "bed tones neither on nor off", text: "title: T\nbed: {tones: maybe}\nsteps:\n" + validStep,
            kind: .wrongType, fragments: ["'tones' of the bed", "on or off"]),
        FileCase(
            label: "bed with tones off and no file", text: "title: T\nbed: {tones: off}\nsteps:\n" + validStep,
            kind: .invalidValue, fragments: ["needs a file of its own", "add file:"], position: "2:14"),
        FileCase(
            label: "empty say", text: "title: T\nsteps:\n  - {id: rest, title: R, duration: 1m, say: ''}\n",
            kind: .invalidValue, fragments: ["'say' of step 'rest' is empty"]),
    ]

    @Test(arguments: fileCases)
    func malformedFileGetsAClearMessage(_ testCase: FileCase) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path(testCase.fileName)
        try testCase.text.write(toFile: path, atomically: true, encoding: .utf8)
        let error = try #require(throws: RoutineError.self) { try RoutineLibrary.load(path) }
        #expect(error.kind == testCase.kind, "\(error)")
        #expect(error.location?.file == path)
        for fragment in testCase.fragments {
            #expect(error.description.contains(fragment), "\(error)")
        }
        if let position = testCase.position {
            #expect(error.description.hasPrefix("\(path):\(position)"), "\(error)")
        }
    }

    @Test func validJSONWithTabsLoads() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("tabs.json")
        let json =
            "{\n\t\"title\": \"Tabs\",\n\t\"steps\": [\n\t\t{\"id\": \"a\", \"title\": \"A\", \"duration\": \"1:30\"}\n\t]\n}\n"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        let routine = try RoutineLibrary.load(path)
        #expect(routine.name == "tabs")
        #expect(try SessionTimeline(routine: routine).totalDuration.seconds == 90)
    }

    @Test func missingFileAndDirectoryAndUnknownName() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.path("nowhere.yaml")
        #expect(throws: RoutineError(.fileNotFound, "no such routine file", at: SourceLocation(file: missing))) {
            try RoutineLibrary.load(missing)
        }
        let error = try #require(throws: RoutineError.self) { try RoutineLibrary.load(directory.url.path) }
        #expect(error.kind == .unreadableFile)
        #expect(error.message.contains("is a directory"))
        let unknown = try #require(throws: RoutineError.self) { try RoutineLibrary.load("bedtime-feet") }
        #expect(unknown.kind == .unknownRoutine)
        #expect(unknown.message.contains("bedtime-foot, legs-and-feet, quick-reset and sore-arches"))
    }

    @Test func nonUTF8FileIsRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("binary.yaml")
        try Data([0xFF, 0xFE, 0x00, 0xC3]).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: RoutineError.self) { try RoutineLibrary.load(path) }
        #expect(error.kind == .unreadableFile)
    }

    struct FlagCase: CustomTestStringConvertible, Sendable {
        var label: String
        var steps: [String]
        var total: String?
        var kind: RoutineError.Kind
        var fragment: String
        var testDescription: String { label }
    }

    static let flagCases: [FlagCase] = [
        FlagCase(
            label: "unknown step id", steps: ["thumb-circle=3m"], kind: .unknownStepID,
            fragment: "there is no step 'thumb-circle'; the steps are settle, oil, warm-up, thumb-circles, arch, toes"),
        FlagCase(
            label: "unknown side", steps: ["arch@top=1m"], kind: .invalidSide, fragment: "sides are left and right"),
        FlagCase(
            label: "side on a step done once", steps: ["rest@left=1m"], kind: .invalidSide,
            fragment: "step 'rest' is done once, not per side"),
        FlagCase(label: "no equals sign", steps: ["arch"], kind: .invalidOverride, fragment: "ID=DURATION"),
        FlagCase(label: "no step id", steps: ["=3m"], kind: .invalidOverride, fragment: "names no step"),
        FlagCase(label: "bad step duration", steps: ["arch=three"], kind: .invalidDuration, fragment: "'three'"),
        FlagCase(label: "zero step duration", steps: ["arch=0"], kind: .invalidDuration, fragment: "positive"),
        FlagCase(
            label: "total shorter than the pinned steps", steps: ["thumb-circles=5m"], total: "9m",
            kind: .totalTooShort, fragment: "already last 10:00"),
        FlagCase(
            label: "total leaves steps under a second", steps: [], total: "5s", kind: .stepTooShort,
            fragment: "at least 1 s"),
        FlagCase(
            label: "pinned steps push the session past a day", steps: ["rest=23h", "settle=2h"], kind: .sessionTooLong,
            fragment: "longer than 24 hours"),
    ]

    @Test(arguments: flagCases)
    func badFlagGetsAClearMessage(_ testCase: FlagCase) throws {
        let error = try #require(throws: RoutineError.self) {
            let overrides = try testCase.steps.map { text throws(RoutineError) in try StepOverride(parsing: text) }
            let total = try testCase.total.map { text throws(RoutineError) in
                do { return try SessionDuration(parsing: text) } catch {
                    throw RoutineError(.invalidDuration, "\(error)")
                }
            }
            _ = try SessionTimeline(
                routine: try RoutineLibrary.builtIn(named: "bedtime-foot"),
                customization: SessionCustomization(stepOverrides: overrides, totalDuration: total))
        }
        #expect(error.kind == testCase.kind, "\(error)")
        #expect(error.description.contains(testCase.fragment), "\(error)")
    }
}

/// A directory under the system's temporary directory, removed when the value is released.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appending(path: "soothe-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appending(path: name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}
