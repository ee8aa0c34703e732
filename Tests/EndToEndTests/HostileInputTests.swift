import Foundation
import SootheTestSupport
import Testing

/// Input meant to do harm, run against the real binary: routine text that would drive the
/// terminal, names that would choose a path, sizes that would exhaust the machine, and options
/// whose values are negative.
struct HostileInputTests {
    /// A folder of routine files written for one test, removed afterwards.
    final class Folder {
        let url: URL
        var path: String { url.path }

        init() throws {
            url = FileManager.default.temporaryDirectory.appending(path: "soothe-hostile-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }

        deinit { try? FileManager.default.removeItem(at: url) }

        @discardableResult
        func write(_ text: String, to name: String) throws -> String {
            let path = url.appending(path: name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        func contents() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        }
    }

    static let escape = "\u{1B}"

    /// Whether `text` holds a control character other than a line break: what could move the
    /// cursor, retitle the window or clear the screen.
    static func holdsControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control && $0 != "\n" }
    }

    static let commandsShowingARoutine: [[String]] = [
        ["show", "@"], ["show", "@", "--format", "json"], ["show", "@", "--format", "vtt"],
        ["play", "@", "--no-voice"], ["export", "@", "--no-voice", "-o", "out.wav"],
    ]

    @Test(arguments: commandsShowingARoutine)
    func escapeSequencesInARoutineNeverReachTheTerminal(arguments: [String]) throws {
        let folder = try Folder()
        let evil = try folder.write(
            "title: \"\\e]0;owned\\a\\e[2J\"\nsteps:\n  - {id: a, title: \"\\e[31mRed\", duration: 1m, "
                + "say: \"\\u009B2J\"}\n",
            to: "evil.yaml")
        let result = try Soothe.run(arguments.map { $0 == "@" ? evil : $0 }, directory: folder.path)
        #expect(result.status == 65, "\(result.standardError)")
        #expect(result.standardError.contains("evil.yaml:1:8: 'title' of the routine holds the control character"))
        #expect(!Self.holdsControlCharacters(result.standardOutput + result.standardError))
        #expect(try folder.contents() == ["evil.yaml"])
    }

    /// Characters that reorder or break a line unseen (bidirectional overrides and isolates, the
    /// line separator) would show a title or prompt other than it is, as escape sequences would.
    @Test(arguments: [
        ("title: \"Rest \\u202Edaeh ruoy\"\nsteps:\n  - {id: a, title: A, duration: 1m}\n", "1:8", "U+202E"),
        ("title: T\nsteps:\n  - {id: a, title: \"A \\u2067B\\u2069\", duration: 1m}\n", "3:20", "U+2067"),
        ("title: T\nsteps:\n  - {id: a, title: A, duration: 1m, say: \"Breathe\\u2028out.\"}\n", "3:42", "U+2028"),
        (
            "{\"title\": \"T\", \"steps\": [{\"id\": \"a\", \"title\": \"\\u202Dx\", \"duration\": \"1m\"}]}", "1:47",
            "U+202D"
        ),
    ])
    func textThatWouldBeShownOtherThanItIsIsRefused(text: String, position: String, codePoint: String) throws {
        let folder = try Folder()
        let name = text.hasPrefix("{") ? "bidi.json" : "bidi.yaml"
        let path = try folder.write(text, to: name)
        for arguments in [["show", path], ["export", path, "--no-voice", "-o", "out.wav"]] {
            let result = try Soothe.run(arguments, directory: folder.path)
            #expect(result.status == 65, "\(result.standardError)")
            #expect(result.standardError.contains("\(name):\(position): "), "\(result.standardError)")
            #expect(result.standardError.contains("the control character \(codePoint)"), "\(result.standardError)")
            #expect(result.standardOutput.isEmpty)
            #expect(try folder.contents() == [name])
        }
    }

    /// Names that come from the file system (a voice's file name, the output's name) are printed
    /// escaped on standard output too, as they are in messages.
    @Test func escapeSequencesInFileNamesAreShownEscaped() throws {
        let folder = try Folder()
        let evil = "\(Self.escape)]0;owned\u{7}"
        let output = try Soothe.run(
            ["export", "quick-reset", "--no-voice", "--total", "1m", "-o", "\(evil).flac"],
            directory: folder.path)
        #expect(output.status == 0, "\(output.standardError)")
        #expect(output.standardOutput.hasPrefix("Wrote \\u{1B}]0;owned\\u{7}.flac: FLAC"), "\(output.standardOutput)")
        #expect(!Self.holdsControlCharacters(output.standardOutput))

        // A Piper voice whose files are named with an escape sequence.
        let joe = try #require(
            Soothe.run(["voices"]).standardOutput.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .first { $0.hasSuffix("en_US-joe-medium.onnx (installed by Scripts/setup)") }?
                .components(separatedBy: " (installed").first)
        let voices = folder.url.appending(path: "voices")
        try FileManager.default.createDirectory(at: voices, withIntermediateDirectories: true)
        for suffix in [".onnx", ".onnx.json"] {
            try FileManager.default.createSymbolicLink(
                atPath: voices.appending(path: "joe\(evil)\(suffix)").path,
                withDestinationPath: joe + suffix.dropFirst(5))
        }
        let listed = try Soothe.run(["voices"], environment: ["SOOTHE_VOICE_PATH": voices.path])
        #expect(listed.status == 0, "\(listed.standardError)")
        #expect(listed.standardOutput.contains("piper:joe\\u{1B}]0;owned\\u{7}"), "\(listed.standardOutput)")
        #expect(!Self.holdsControlCharacters(listed.standardOutput))
    }

    @Test func escapeSequencesInANameOnTheCommandLineAreShownEscaped() throws {
        let result = try Soothe.run(["show", "\(Self.escape)]0;owned\u{7}"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("there is no built-in routine '\\u{1B}]0;owned\\u{7}'"))
        #expect(!Self.holdsControlCharacters(result.standardError))
    }

    @Test func aNameNeverChoosesWhereTheExportGoes() throws {
        let folder = try Folder()
        let inner = folder.url.appending(path: "inner")
        try FileManager.default.createDirectory(at: inner, withIntermediateDirectories: true)
        let routine = try folder.write(
            "name: ../escaped\ntitle: T\nsteps:\n  - {id: a, title: A, duration: 2s}\n", to: "inner/r.yaml")
        let result = try Soothe.run(["export", routine, "--no-voice"], directory: inner.path)
        #expect(result.status == 65)
        #expect(result.standardError.contains("r.yaml:1:7: the routine's name '../escaped' is not a name"))
        #expect(try folder.contents() == ["inner"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: inner.path) == ["r.yaml"])
    }

    @Test func aFileWithoutANameExportsUnderItsKebabCaseName() throws {
        let folder = try Folder()
        try folder.write("title: T\nsteps:\n  - {id: a, title: A, duration: 2s}\n", to: "My Feet.yaml")
        let result = try Soothe.run(["export", "My Feet.yaml", "--no-voice", "--quiet"], directory: folder.path)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(try folder.contents() == ["My Feet.yaml", "my-feet.wav"])
    }

    @Test func anOversizedPromptIsRefusedAtOnceWithTheLimit() throws {
        let folder = try Folder()
        let words = String(repeating: "Relax your toes. ", count: 600)
        let path = try folder.write(
            "title: T\nsteps:\n  - {id: a, title: A, duration: 24h, say: \"\(words)\"}\n", to: "long.yaml")
        let started = Date()
        let result = try Soothe.run(["show", path])
        #expect(result.status == 65)
        #expect(result.standardError.contains("'say' of step 'a' is 10199 characters long"), "\(result.standardError)")
        #expect(result.standardError.contains("at most 1000 characters (about two minutes of speech)"))
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func anOversizedFileIsRefusedWithTheLimit() throws {
        let folder = try Folder()
        let path = try folder.write(
            "title: T\nsteps:\n  - {id: a, title: A, duration: 1m}\n" + String(repeating: "#", count: 1_100_000),
            to: "big.yaml")
        let result = try Soothe.run(["show", path, "--no-voice"])
        #expect(result.status == 65)
        #expect(result.standardError.contains("a routine file is at most 1000000 bytes (1 MB)"))
    }

    @Test func jsonWithSurrogatePairsIsShown() throws {
        let folder = try Folder()
        let path = try folder.write(
            "{\"title\":\"Feet \\ud83e\\uddb6\",\"steps\":[{\"id\":\"a\",\"title\":\"Rest \\uD83D\\uDE0C\","
                + "\"duration\":\"1m\"}]}",
            to: "feet.json")
        let result = try Soothe.run(["show", path, "--no-voice"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.hasPrefix("Feet 🦶 (feet): 1:00, 1 step"))
        #expect(result.standardOutput.contains("Rest 😌"))
    }

    @Test func aStepTooShortInAFileIsPlacedAndNeedsNoTotal() throws {
        let folder = try Folder()
        let path = try folder.write("title: T\nsteps:\n  - {id: a, title: A, duration: 0.5s}\n", to: "short.yaml")
        let result = try Soothe.run(["show", path, "--no-voice"])
        #expect(result.status == 65)
        #expect(result.standardError.contains("short.yaml:3:33: step 'a' lasts only"), "\(result.standardError)")
        #expect(!result.standardError.contains("total"))
    }

    /// A session longer than a day is the file's fault (65) when the file's own lengths make it
    /// so, and the options' (64) when they set a length.
    @Test func aSessionTooLongIsTheFilesFaultUnlessTheOptionsSetALength() throws {
        let folder = try Folder()
        let steps = (1...13).map { "  - {id: s\($0), title: S, duration: 2h}\n" }.joined()
        let long = try folder.write("title: T\nsteps:\n" + steps, to: "long.yaml")
        let half = try folder.write("title: T\nsteps:\n  - {id: a, title: A, duration: 12h}\n", to: "half.yaml")
        for (arguments, status) in [
            (["show", long, "--no-voice"], Int32(65)), (["export", long, "--no-voice", "-o", "x.flac"], 65),
            (["show", half, "--no-voice", "--sleep-tail", "13h"], 64),
            (["show", half, "--no-voice", "--step", "a=23h", "--sleep-tail", "2h"], 64),
        ] {
            let result = try Soothe.run(arguments, directory: folder.path)
            #expect(result.status == status, "\(arguments): \(result.standardError)")
            #expect(result.standardError.contains("longer than 24 hours"), "\(result.standardError)")
            // The file's fault names the file.
            #expect(
                result.standardError.contains("\(long):") == (status == 65), "\(arguments): \(result.standardError)")
        }
        #expect(try folder.contents() == ["half.yaml", "long.yaml"])
    }

    @Test func aLoopOfLinksIsNamed() throws {
        let folder = try Folder()
        let first = folder.url.appending(path: "a.yaml").path
        try FileManager.default.createSymbolicLink(atPath: first, withDestinationPath: "b.yaml")
        try FileManager.default.createSymbolicLink(
            atPath: folder.url.appending(path: "b.yaml").path, withDestinationPath: "a.yaml")
        let result = try Soothe.run(["show", first])
        #expect(result.status == 65)
        #expect(result.standardError.contains("a.yaml: cannot be opened: its symbolic links form a loop"))
    }

    @Test func initFromAFileSaysItCopiesBuiltIns() throws {
        let folder = try Folder()
        try folder.write("title: T\nsteps:\n  - {id: a, title: A, duration: 1m}\n", to: "mine.yaml")
        let result = try Soothe.run(["init", "copy.yaml", "--from", "./mine.yaml"], directory: folder.path)
        #expect(result.status == 64)
        #expect(result.standardError.contains("there is no built-in routine './mine.yaml'; the built-in routines are"))
        #expect(!result.standardError.contains("path"))
        #expect(try folder.contents() == ["mine.yaml"])
    }
}

/// Options whose valid values are negative take them without `=`, and every bad value exits 64
/// whether the parser or the library finds it.
struct OptionValueTests {
    /// A folder with a routine of one two-second step, so that exports are quick.
    static func makeFolder() throws -> HostileInputTests.Folder {
        let folder = try HostileInputTests.Folder()
        try folder.write("title: T\nsteps:\n  - {id: a, title: A, duration: 2s}\n", to: "two.yaml")
        return folder
    }

    /// An option with a negative value, as a user types it.
    @Test(arguments: [
        ["--loudness", "-20"], ["--loudness", "-20LUFS"], ["--seed", "-1"], ["--seed", "-9223372036854775808"],
        ["--title", "-6 dB, for late nights"], ["--artist", "--the band--"],
    ])
    func negativeValuesNeedNoEqualsSign(arguments: [String]) throws {
        let folder = try Self.makeFolder()
        let result = try Soothe.run(
            ["export", "two.yaml"] + arguments + ["--no-voice", "--quiet", "-o", "out.wav"], directory: folder.path)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(try folder.contents() == ["out.wav", "two.yaml"])
    }

    @Test func aNegativeSeedIsTheSameSeedAsItsBits() throws {
        let folder = try Self.makeFolder()
        for (seed, name) in [("-1", "negative.wav"), ("18446744073709551615", "bits.wav"), ("7", "other.wav")] {
            let result = try Soothe.run(
                ["export", "two.yaml", "--no-voice", "--quiet", "--seed", seed, "-o", name], directory: folder.path)
            #expect(result.status == 0, "\(result.standardError)")
        }
        let file = { (name: String) in try Data(contentsOf: folder.url.appending(path: name)) }
        #expect(try file("negative.wav") == file("bits.wav"))
        #expect(try file("negative.wav") != file("other.wav"))
    }

    /// A device index is never negative, but `--device -1` is a wrong device, not a missing one.
    @Test(arguments: [["play", "--no-voice"], ["record", "say.yaml", "takes"]])
    func aNegativeDeviceIndexIsNoSuchDevice(command: [String]) throws {
        let folder = try Self.makeFolder()
        try folder.write("title: T\nsteps:\n  - {id: a, title: A, duration: 30s, say: Rest.}\n", to: "say.yaml")
        let config = try folder.write(
            "</usr/share/alsa/alsa.conf>\npcm.!default { type file slave.pcm \"null\" file \"/dev/null\" }\n",
            to: "null.conf")
        let result = try Soothe.run(
            command + ["--device", "-1"], directory: folder.path, environment: ["ALSA_CONFIG_PATH": config])
        #expect(!result.standardError.contains("Missing value"), "\(result.standardError)")
        #expect(result.standardError.contains("device '-1'"), "\(result.standardError)")
        #expect(try folder.contents() == ["null.conf", "say.yaml", "two.yaml"])
    }

    @Test func aNegativeVolumeIsParsedAndPlayGetsAsFarAsTheDevice() throws {
        let folder = try Self.makeFolder()
        // A default device on a card that does not exist: reaching the device proves the parse.
        let config = try folder.write("pcm.!default { type hw card 99 }\n", to: "none.conf")
        let result = try Soothe.run(
            ["play", "two.yaml", "--no-voice", "--volume", "-6"], directory: folder.path,
            environment: ["ALSA_CONFIG_PATH": config])
        #expect(result.status == 69, "\(result.standardError)")
        #expect(result.standardError.contains("no audio output device"), "\(result.standardError)")
    }

    /// Every number option given a negative value it does not allow: refused by value, never as
    /// a missing one, with 64.
    static let negativeCases: [([String], String)] = [
        (["play", "--volume", "-41"], "'-41' is not a level from -40 to 12 dB"),
        (["play", "--loudness", "-50"], "a loudness of -50 LUFS is out of range; choose from -40 to -10 LUFS"),
        (["play", "--loudness", "-8"], "choose from -40 to -10 LUFS"),
        (["show", "--speech-rate", "-120"], "-120 is out of range; choose from 80 to 300"),
        (["show", "--total", "-5m"], "'-5m' is not a positive duration"),
        (["show", "--sleep-tail", "-5m"], "is not a positive duration"),
        (
            ["export", "--sample-rate", "-48000"],
            "unsupported sample rate -48000 Hz; the rates are 44100, 48000 and 96000"
        ),
        (["export", "--quality", "-1", "-o", "x.ogg"], "quality -1 is out of range; give a number from 0 to 10"),
        (["export", "--bitrate", "-192", "-o", "x.mp3"], "unsupported MP3 bitrate -192 kbps"),
        (["export", "--seed", "-x"], "'-x' is not a seed; a seed is a whole number"),
    ]

    @Test(arguments: negativeCases)
    func negativeValuesOutOfRangeAreRefusedByValue(arguments: [String], fragment: String) throws {
        let result = try Soothe.run(arguments + ["--no-voice"])
        #expect(result.status == 64, "\(result.standardError)")
        #expect(result.standardError.contains(fragment), "\(result.standardError)")
        #expect(!result.standardError.contains("Missing value"))
        #expect(!result.standardError.contains("Usage: soothe <subcommand>"))
    }

    /// Bad values the library finds exit as the parser's do; problems of a routine file exit 65.
    static let statusCases: [([String], Int32)] = [
        (["show", "--step", "nosuch=1m"], 64),
        (["show", "--step", "=1m"], 64),
        (["show", "--step", "settle=0.5s"], 64),
        (["show", "--total", "5s"], 64),
        (["show", "--step", "thumb-circles=5m", "--total", "9m"], 64),
        (["show", "--step", "rest=23h", "--step", "settle=2h"], 64),
        (["show", "bedtime-feet"], 64),
        (["show", "/nonexistent/routine.yaml"], 65),
        (["init", "x.yaml", "--from", "nope"], 64),
        (["export", "-o", "x.mp3", "--bitrate", "100"], 64),
        (["export", "-o", "x.wav", "--bitrate", "128"], 64),
        (["export", "-o", "x.flac", "--bit-depth", "float"], 64),
        (["export", "-o", "x.aiff"], 64),
        (["export", "--format", "aiff"], 64),
        (["export", "-o", "x.opus", "--sample-rate", "44100"], 64),
        (["show", "--voice", "nobody"], 64),
        (["show", "--no-voice", "--svg", ""], 64),
        (["init", ""], 64),
        (["init", "missing/x.yaml"], 73),
    ]

    @Test(arguments: statusCases)
    func everyBadValueExits64(arguments: [String], status: Int32) throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "soothe-status-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let speaks = ["show", "play", "export"].contains(arguments[0])
        let voice = speaks && !arguments.contains("--voice") && !arguments.contains("--no-voice") ? ["--no-voice"] : []
        let result = try Soothe.run(arguments + voice, directory: directory.path)
        #expect(result.status == status, "\(result.standardError)")
        #expect(result.standardError.hasPrefix("Error: "), "\(result.standardError)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func aPromptThatDoesNotFitIsTheOptionsFaultOnlyWhenTheyShapedTheSession() throws {
        let folder = try HostileInputTests.Folder()
        let path = try folder.write(
            "title: T\nsteps:\n  - {id: a, title: A, duration: 2s, say: Breathe in slowly and let your feet rest.}\n",
            to: "tight.yaml")
        let asWritten = try Soothe.run(["show", path])
        #expect(asWritten.status == 65, "\(asWritten.standardError)")
        #expect(asWritten.standardError.contains("the prompt does not fit step 'a'"))
        let byTotal = try Soothe.run(["show", "quick-reset", "--total", "1m"])
        #expect(byTotal.status == 64, "\(byTotal.standardError)")
        #expect(byTotal.standardError.contains("the prompt does not fit step"))
    }

    @Test func theBestMP3BitrateIsWritten() throws {
        let folder = try Self.makeFolder()
        let result = try Soothe.run(
            ["export", "two.yaml", "--no-voice", "--quiet", "--bitrate", "320", "-o", "x.mp3"], directory: folder.path)
        #expect(result.status == 0, "\(result.standardError)")
        let bytes = try Data(contentsOf: folder.url.appending(path: "x.mp3")).count
        let kilobitsPerSecond = Double(bytes * 8) / 2 / 1000
        #expect(abs(kilobitsPerSecond - 320) < 32, "\(kilobitsPerSecond) kbps")
    }

    @Test func helpListsTheValuesFromTheirTypes() throws {
        // Help wraps its lines, so compare with every run of whitespace as one space.
        let help = { (command: String) in
            try Soothe.run([command, "--help"]).standardOutput.split(whereSeparator: \.isWhitespace).joined(
                separator: " ")
        }
        let export = try help("export")
        for fragment in [
            "(values: wav, flac, ogg, opus, mp3)", "(values: 16, 24, float)", "one of 44100, 48000 and 96000 Hz",
            "32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256 and 320 (default 192)",
            "LUFS (-40 to -10)", "quality from 0 (smallest) to 10 (best)",
        ] {
            #expect(export.contains(fragment), "\(export)")
        }
        let show = try help("show")
        #expect(show.contains("(values: table, json, cue, vtt, captions)"), "\(show)")
        let play = try help("play")
        #expect(play.contains("The volume in dB, from -40 to 12"), "\(play)")
    }
}
