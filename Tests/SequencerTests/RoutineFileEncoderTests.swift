import Testing

@testable import Sequencer

/// A routine written as YAML reads back as the same routine, whatever its text holds.
struct RoutineFileEncoderTests {
    static func roundTrip(_ routine: Routine, directory: String = ".") throws -> (String, Routine) {
        let yaml = try RoutineFileEncoder.yaml(for: routine)
        let decoded = try RoutineFileDecoder(fileName: "copy.yaml", directory: directory)
            .decode(yaml, defaultName: "unused", isJSON: false)
        return (yaml, decoded)
    }

    @Test(arguments: RoutineLibrary.builtInNames)
    func everyBuiltInRoutineReadsBackTheSame(name: String) throws {
        let routine = try RoutineLibrary.builtIn(named: name)
        let (yaml, decoded) = try Self.roundTrip(routine)
        #expect(decoded == routine, "\(yaml)")
    }

    @Test func textThatLooksLikeAnotherTypeStaysText() throws {
        let awkward = [
            "null", "~", "yes", "No", "12", "1.5", "1:30", "#hash", "- dash", "key: value", "'quoted'", "🦶 feet",
        ]
        let steps = awkward.enumerated().map { offset, text in
            RoutineStep(
                id: "step-\(offset)", title: text, duration: SessionDuration(seconds: 20),
                say: "\(text) and \"more\": said")
        }
        var routine = Routine(
            name: "awkward", title: "true", description: "A description: with a colon", items: steps.map { .step($0) },
            lastStepSay: "off", closeSay: "null", sleepTail: SessionDuration(seconds: 90))
        routine = routine.withSpeechRate(132.5)
        let (yaml, decoded) = try Self.roundTrip(routine)
        #expect(decoded == routine, "\(yaml)")
    }

    @Test func everyFieldOfAStepAndABlockReadsBackTheSame() throws {
        let block = SideBlock(
            sides: [.left, .right],
            steps: [
                RoutineStep(
                    id: "circles", title: "Circles", duration: SessionDuration(microseconds: 61_250_001),
                    say: "Circle.",
                    isHold: true, tempoPerMinute: 42.5),
                RoutineStep(id: "quiet", title: "Quiet", duration: SessionDuration(seconds: 3600 + 59)),
            ], switchDuration: SessionDuration(seconds: 12.5), switchSay: "Now the {side} foot.")
        let routine = Routine(
            name: "fields", title: "Fields",
            bed: BedSettings(
                key: .fSharp, noise: .none, noiseLevelDecibels: -30.5, file: "/sounds/rain.flac",
                fileLevelDecibels: -4.5, playsTones: false),
            items: [
                .step(RoutineStep(id: "start", title: "Start", duration: SessionDuration(seconds: 2 * 60))),
                .eachSide(block),
            ])
        let (yaml, decoded) = try Self.roundTrip(routine)
        #expect(decoded == routine, "\(yaml)")
    }

    @Test(
        arguments: [
            (1_000_000, "1s"), (90_000_000, "1m30s"), (120_000_000, "2m"), (3_725_500_000, "1h2m5.5s"),
            (3_600_000_000, "1h"), (250_000, "0.25s"), (61_000_001, "1m1.000001s"),
        ] as [(Int64, String)])
    func durationsAreWrittenInTheUnitForm(microseconds: Int64, text: String) throws {
        let duration = SessionDuration(microseconds: microseconds)
        #expect(duration.writtenForm == text)
        #expect(try SessionDuration(parsing: text) == duration)
    }

    @Test func recordingsReplaceTheirPromptsAndResolveBesideTheFile() throws {
        let routine = try RoutineLibrary.builtIn(named: "quick-reset")
        let slots = routine.promptSlots
        // One slot per written step with words: settle, the three steps of the side block, rest.
        #expect(slots.map(\.key.stepID) == ["settle", "rub", "thumb-circles", "toes", "rest"])
        #expect(slots[1].sides == [.right, .left])
        let names = slots.enumerated().map { $1.recordingFileName(position: $0 + 1, fileExtension: "flac") }
        #expect(names.first == "01-settle.flac")
        #expect(names[2] == "03-thumb-circles.flac")

        let recorded = routine.withRecordings([slots[0].key: names[0], slots[2].key: names[2]])
        let (yaml, decoded) = try Self.roundTrip(recorded, directory: "/takes")
        #expect(yaml.contains("say-audio: 01-settle.flac"), "\(yaml)")
        let steps = decoded.expandedSteps()
        #expect(steps.first { $0.id == "settle" }?.sayAudio == "/takes/01-settle.flac")
        // Both sides speak the one recording of a block's step.
        #expect(steps.filter { $0.sayAudio == "/takes/03-thumb-circles.flac" }.count == 2)
        // Skipped prompts keep their words.
        #expect(steps.first { $0.id == "rest" }?.sayAudio == nil)
        #expect(steps.first { $0.id == "rest" }?.say == "Feet down, and breathe.")
        #expect(steps.first { $0.id == "settle" }?.say == slots[0].text)
    }

    @Test func recordingsAlreadyThereBecomeAbsoluteForACopyElsewhere() throws {
        let routine = Routine(
            name: "mine", title: "Mine",
            items: [
                .step(
                    RoutineStep(
                        id: "a", title: "A", duration: SessionDuration(seconds: 20), sayAudio: "voice/a.flac")),
                .step(
                    RoutineStep(id: "b", title: "B", duration: SessionDuration(seconds: 20), sayAudio: "/abs/b.flac")),
            ])
        let moved = routine.withAbsoluteRecordingPaths(from: "/home/me")
        #expect(moved.expandedSteps().map(\.sayAudio) == ["/home/me/voice/a.flac", "/abs/b.flac"])
    }
}
