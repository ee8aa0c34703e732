import Foundation
import Testing

@testable import Sequencer

/// A step's `say:` list and `bells:`: decoded with their places, laid out on exact frames for any
/// length the user sets, and refused with a clear message where they cannot be.
struct TimedPromptTests {
    static let routineText = """
        title: Timed
        steps:
          - id: settle
            title: Settle in
            duration: 1m
            say: Sit back.
          - id: circles
            title: Circles
            duration: 1m30s
            bells: {every: 30s}
            say:
              - at: 0s
                text: Press small circles into the sole.
              - at: 45s
                text: Now toward the heel.
              - at: 75%
                say-audio: takes/higher.flac
          - id: rest
            title: Rest
            duration: 1m
            bells: [50%, 40s]
            say:
              - at: 20s
                text: Let the feet rest.
        """

    private func decode(_ text: String, fileName: String = "timed.yaml") throws -> Routine {
        try RoutineFileDecoder(fileName: fileName, directory: "/routines").decode(
            text, defaultName: "timed", isJSON: false)
    }

    private func decodingError(_ text: String) -> RoutineError? {
        do {
            _ = try decode(text)
            return nil
        } catch {
            return error as? RoutineError
        }
    }

    @Test func aListSplitsIntoTheOpeningPromptAndLaterOnes() throws {
        let routine = try decode(Self.routineText)
        guard case .step(let circles) = routine.items[1], case .step(let rest) = routine.items[2] else {
            Issue.record("the steps are not plain steps")
            return
        }
        #expect(circles.say == "Press small circles into the sole.")
        #expect(circles.sayAudio == nil)
        #expect(
            circles.laterPrompts == [
                TimedPrompt(position: .time(SessionDuration(seconds: 45)), text: "Now toward the heel."),
                TimedPrompt(position: .share(0.75), sayAudio: "/routines/takes/higher.flac"),
            ])
        #expect(circles.bells == .every(SessionDuration(seconds: 30)))
        // A list that starts later than 0 has no opening prompt.
        #expect(rest.say == nil)
        #expect(rest.laterPrompts.map(\.position) == [.time(SessionDuration(seconds: 20))])
        #expect(rest.bells == .at([.share(0.5), .time(SessionDuration(seconds: 40))]))
    }

    @Test func jsonWritesTheSameList() throws {
        let json = """
            {"title": "Timed", "steps": [
              {"id": "circles", "title": "Circles", "duration": "1m30s", "bells": {"every": "30s"},
               "say": [{"at": "0s", "text": "Press."}, {"at": "50%", "text": "Toward the heel."}]}
            ]}
            """
        let routine = try RoutineFileDecoder(fileName: "timed.json").decode(json, defaultName: "timed", isJSON: true)
        guard case .step(let circles) = routine.items.first else {
            Issue.record("no step")
            return
        }
        #expect(circles.say == "Press.")
        #expect(circles.laterPrompts == [TimedPrompt(position: .share(0.5), text: "Toward the heel.")])
        #expect(circles.bells == .every(SessionDuration(seconds: 30)))
        let late = json.replacingOccurrences(of: "\"at\": \"50%\"", with: "\"at\": \"2m\"")
        #expect {
            try RoutineFileDecoder(fileName: "timed.json").decode(late, defaultName: "timed", isJSON: true)
        } throws: { error in
            (error as? RoutineError)?.description.hasPrefix("timed.json:3:51: prompt 2 of step 'circles' is at 2m")
                == true
        }
    }

    @Test func thePlainFormIsUnchanged() throws {
        let routine = try decode("title: T\nsteps:\n  - {id: a, title: A, duration: 1m, say: Hello there.}\n")
        #expect(
            routine.items == [
                .step(RoutineStep(id: "a", title: "A", duration: .init(seconds: 60), say: "Hello there."))
            ])
    }

    /// Frames computed here from the written times: step start plus offset, at 48 kHz.
    private func frame(_ seconds: Double) -> Int64 { Int64((seconds * 48000).rounded()) }

    @Test func promptsAndBellsLandOnTheirFramesAsWritten() throws {
        let timeline = try SessionTimeline(routine: try decode(Self.routineText))
        let circles = timeline.steps[1]
        #expect(circles.startFrame == frame(60))
        #expect(circles.laterPrompts.map(\.startFrame) == [frame(60 + 45), frame(60 + 67.5)])
        #expect(circles.bellFrames == [frame(60 + 30), frame(60 + 60)])
        let rest = timeline.steps[2]
        #expect(rest.laterPrompts.map(\.startFrame) == [frame(150 + 20)])
        #expect(rest.bellFrames == [frame(150 + 30), frame(150 + 40)])
        #expect(timeline.bells.map(\.frame) == circles.bellFrames + rest.bellFrames)
        #expect(timeline.bells.allSatisfy { $0.kind == .stepBell })
        #expect(timeline.bells.map(\.stepIndex) == [1, 1, 2, 2])
    }

    @Test func stepKeepsTimesFixedAndMovesShares() throws {
        let customization = SessionCustomization(stepOverrides: [
            StepOverride(stepID: "circles", duration: SessionDuration(seconds: 180))
        ])
        let timeline = try SessionTimeline(routine: try decode(Self.routineText), customization: customization)
        let circles = timeline.steps[1]
        // 45 s stays 45 s; 75 % of 3 minutes is 135 s.
        #expect(circles.laterPrompts.map(\.startFrame) == [frame(60 + 45), frame(60 + 135)])
        // Every 30 s up to 5 s before the end: 30, 60, ... 150.
        #expect(circles.bellFrames == [30.0, 60, 90, 120, 150].map { frame(60 + $0) })
    }

    @Test func totalKeepsTimesFixedAndMovesShares() throws {
        // 3m30s of steps doubled to 7m: every step twice as long.
        let customization = SessionCustomization(totalDuration: SessionDuration(seconds: 420))
        let timeline = try SessionTimeline(routine: try decode(Self.routineText), customization: customization)
        let circles = timeline.steps[1]
        #expect(circles.startFrame == frame(120))
        #expect(circles.laterPrompts.map(\.startFrame) == [frame(120 + 45), frame(120 + 135)])
        let rest = timeline.steps[2]
        #expect(rest.startFrame == frame(300))
        #expect(rest.laterPrompts.map(\.startFrame) == [frame(300 + 20)])
        // 50 % of 2 minutes, and 40 s as written.
        #expect(rest.bellFrames == [frame(300 + 40), frame(300 + 60)])
    }

    @Test func aShorterStepLeavesOutTheBellsThatNoLongerFit() throws {
        // Rest at 30 s: its bell at 40 s is past the step, the one at 50 % (15 s) still rings.
        let customization = SessionCustomization(stepOverrides: [
            StepOverride(stepID: "rest", duration: SessionDuration(seconds: 30))
        ])
        let timeline = try SessionTimeline(
            routine: try decode(Self.routineText.replacingOccurrences(of: "at: 20s", with: "at: 10s")),
            customization: customization)
        #expect(timeline.steps[2].bellFrames == [frame(150 + 15)])
    }

    @Test func bellsThatMeetAtANewLengthRingOnce() throws {
        // 50 % and 1m are 45 s and 60 s apart as written; at 2 minutes both fall on 60 s.
        let text = Self.routineText.replacingOccurrences(of: "bells: {every: 30s}", with: "bells: [50%, 1m]")
        let customization = SessionCustomization(stepOverrides: [
            StepOverride(stepID: "circles", duration: SessionDuration(seconds: 120))
        ])
        let timeline = try SessionTimeline(routine: try decode(text), customization: customization)
        #expect(timeline.steps[1].bellFrames == [frame(60 + 60)])
    }

    @Test func bellsOnPromptsAreLeftOut() throws {
        let timeline = try SessionTimeline(routine: try decode(Self.routineText))
        // Bells at 1:30, 2:00, 3:00 and 3:10. A prompt from 1:27 to 1:29.6 and one from 3:03 to 3:08.
        #expect(timeline.bells.map(\.frame) == [frame(90), frame(120), frame(180), frame(190)])
        let spans = [frame(87)..<frame(89.6), frame(183)..<frame(188)]
        // 1:30 is 0.4 s after the first prompt, 3:00 is 3 s before the second, 3:10 is 2 s after it.
        #expect(timeline.ringingBells(avoiding: spans).map(\.frame) == [frame(120), frame(180), frame(190)])
        let closer = [frame(87)..<frame(89.4), frame(182)..<frame(189.6)]
        #expect(timeline.ringingBells(avoiding: closer).map(\.frame) == [frame(90), frame(120)])
    }

    @Test func aLengthThatLeavesATimedPromptOutsideItsStepIsRefused() throws {
        let customization = SessionCustomization(stepOverrides: [
            StepOverride(stepID: "circles", duration: SessionDuration(seconds: 40))
        ])
        #expect {
            try SessionTimeline(routine: try decode(Self.routineText), customization: customization)
        } throws: { error in
            let error = error as? RoutineError
            return error?.kind == .stepTooShort && error?.location == nil
                && error?.message.contains(
                    "step 'circles' would last only 0:40, but its prompt at 45s starts after that")
                    == true
                && error?.message.contains("--step circles") == true
        }
    }

    @Test func aLengthThatPutsPromptsOutOfOrderIsRefused() throws {
        let text = Self.routineText.replacingOccurrences(of: "at: 75%", with: "at: 60%").replacingOccurrences(
            of: "at: 45s", with: "at: 30%")
        // 30 % then 60 %: in order at any length. A time after a share is not.
        let mixed = text.replacingOccurrences(of: "at: 60%", with: "at: 50s")
        _ = try SessionTimeline(routine: try decode(mixed))
        let customization = SessionCustomization(stepOverrides: [
            StepOverride(stepID: "circles", duration: SessionDuration(seconds: 200))
        ])
        #expect {
            try SessionTimeline(routine: try decode(mixed), customization: customization)
        } throws: { error in
            let message = (error as? RoutineError)?.message ?? ""
            return message.contains("puts its prompt at 50s (50.0 s in) before its prompt at 30% (60.0 s in)")
        }
    }

    @Test func eachSideBlocksKeepTheirPromptsAndBellsOnBothSides() throws {
        let text = """
            title: Sides
            steps:
              - each-side: [right, left]
                switch-duration: 15s
                steps:
                  - id: circles
                    title: Circles
                    duration: 1m
                    bells: [40s]
                    say:
                      - {at: 0s, text: Circles.}
                      - {at: 50%, text: Toward the heel.}
            """
        let timeline = try SessionTimeline(routine: try decode(text))
        let sides = timeline.steps.filter { $0.id == "circles" }
        #expect(sides.map(\.side) == [.right, .left])
        for step in sides {
            #expect(step.say == "Circles.")
            #expect(step.laterPrompts.map(\.text) == ["Toward the heel."])
            #expect(step.laterPrompts.map(\.startFrame) == [step.startFrame + frame(30)])
            #expect(step.bellFrames == [step.startFrame + frame(40)])
        }
        // One side's length changes one side's prompt only.
        let customization = SessionCustomization(stepOverrides: [
            StepOverride(stepID: "circles", side: .left, duration: SessionDuration(seconds: 120))
        ])
        let changed = try SessionTimeline(routine: try decode(text), customization: customization)
        let left = try #require(changed.steps.last)
        #expect(left.laterPrompts.map(\.startFrame) == [left.startFrame + frame(60)])
        #expect(changed.steps[0].laterPrompts.map(\.startFrame) == [changed.steps[0].startFrame + frame(30)])
    }

    @Test func plannedPromptsIncludeEveryLaterPromptInOrder() throws {
        let timeline = try SessionTimeline(routine: try decode(Self.routineText))
        let planned = timeline.plannedPrompts
        let circles = planned.filter { $0.stepIndex == 1 }
        #expect(circles.map(\.anchor) == [.afterChime, .atFrame(frame(105)), .atFrame(frame(127.5))])
        #expect(circles.map(\.laterPromptIndex) == [nil, 0, 1])
        #expect(circles.map(\.recordingPath) == [nil, nil, "/routines/takes/higher.flac"])
        // The last step: its lead-in alone after the chime, its timed prompt, then the close.
        let rest = planned.filter { $0.stepIndex == 2 }
        #expect(rest.map(\.kind) == [.lastStep, .step, .close])
        #expect(rest.map(\.text) == [Routine.defaultLastStepSay, "Let the feet rest.", Routine.defaultCloseSay])
    }

    @Test func everyPromptWithWordsIsASlotToRecord() throws {
        let routine = try decode(Self.routineText)
        let slots = routine.promptSlots
        // The recording at 75 % has no words to read, so it has no slot.
        #expect(slots.map(\.key.stepID) == ["settle", "circles", "circles", "rest"])
        #expect(slots.map(\.key.index) == [0, 0, 1, 1])
        #expect(slots[2].position == .time(SessionDuration(seconds: 45)))
        #expect(slots[3].position.description == "20s")
        #expect(slots[2].recordingFileName(position: 3, fileExtension: "flac") == "03-circles-2.flac")

        let recorded = routine.withRecordings([slots[2].key: "03-circles-2.flac", slots[3].key: "04-rest-2.flac"])
        guard case .step(let circles) = recorded.items[1], case .step(let rest) = recorded.items[2] else {
            Issue.record("the steps are not plain steps")
            return
        }
        #expect(circles.sayAudio == nil)
        #expect(circles.laterPrompts.map(\.sayAudio) == ["03-circles-2.flac", "/routines/takes/higher.flac"])
        #expect(rest.laterPrompts.map(\.sayAudio) == ["04-rest-2.flac"])
    }

    @Test func timedPromptsAndBellsReadBackTheSameWhenWritten() throws {
        let routine = try decode(Self.routineText)
        let yaml = try RoutineFileEncoder.yaml(for: routine)
        #expect(yaml.contains("bells: {every: 30s}"), "\(yaml)")
        let decoded = try RoutineFileDecoder(fileName: "copy.yaml", directory: "/elsewhere").decode(
            yaml, defaultName: "unused", isJSON: false)
        #expect(decoded == routine, "\(yaml)")
    }

    struct BadCase: CustomTestStringConvertible, Sendable {
        var label: String
        /// Replaces the circles step's `say:` list and bells.
        var stepText: String
        var fragments: [String]
        var position: String
        var testDescription: String { label }
    }

    static let badCases: [BadCase] = [
        BadCase(
            label: "unparsable at", stepText: "    say:\n      - {at: soon, text: Hi.}\n",
            fragments: [
                "'at' of prompt 1 of step 'circles' must be a time from the step's start such as 45s or 1m30s, "
                    + "or a share such as 50%, not 'soon'"
            ], position: "8:14"),
        BadCase(
            label: "share of 100 %", stepText: "    say:\n      - {at: 100%, text: Hi.}\n",
            fragments: ["not '100%'"], position: "8:14"),
        BadCase(
            label: "at beyond the step",
            stepText: "    say:\n      - {at: 0s, text: Hi.}\n      - {at: 2m, text: Late.}\n",
            fragments: ["prompt 2 of step 'circles' is at 2m, but the step lasts only 1:30"], position: "9:14"),
        BadCase(
            label: "out of order",
            stepText: "    say:\n      - {at: 45s, text: Hi.}\n      - {at: 30s, text: Early.}\n",
            fragments: ["prompt 2 of step 'circles' is at 30s (30.0 s in), before prompt 1 at 45s (45.0 s in)"],
            position: "9:14"),
        BadCase(
            label: "overlapping positions",
            stepText: "    say:\n      - {at: 45s, text: Hi.}\n      - {at: 50%, text: Same.}\n",
            fragments: ["prompt 2 of step 'circles' is at 50% (45.0 s in), at the same time as prompt 1 at 45s"],
            position: "9:14"),
        BadCase(
            label: "nothing to say", stepText: "    say:\n      - {at: 10s}\n",
            fragments: ["prompt 1 of step 'circles' has no 'text' or 'say-audio'"], position: "8:9"),
        BadCase(
            label: "say-audio beside a list",
            stepText: "    say-audio: a.flac\n    say:\n      - {at: 10s, text: Hi.}\n",
            fragments: ["has both a list of prompts under 'say' and a 'say-audio'"], position: "7:16"),
        BadCase(
            label: "unknown prompt field", stepText: "    say:\n      - {at: 10s, txt: Hi.}\n",
            fragments: [
                "prompt 1 of step 'circles' has an unknown field 'txt'; valid fields are at, text and say-audio"
            ],
            position: "8:19"),
        BadCase(
            label: "bell in the last seconds", stepText: "    bells: [1m27s]\n",
            fragments: [
                "the bell at 1m27s of step 'circles' would ring 87.0 s into a step of 1:30", "5 s before it ends",
            ],
            position: "7:13"),
        BadCase(
            label: "bell on the chime", stepText: "    bells: [0%]\n",
            fragments: ["the bell at 0% of step 'circles' would ring 0.0 s into", "from 2 s after the step starts"],
            position: "7:13"),
        BadCase(
            label: "bells too close", stepText: "    bells: {every: 2s}\n",
            fragments: ["ring every 2s; bells ring at least 5 s apart"], position: "7:20"),
        BadCase(
            label: "bells that ring none", stepText: "    bells: {every: 2m}\n",
            fragments: ["ring every 2m, which rings none in a step of 1:30"], position: "7:20"),
        BadCase(
            label: "unparsable bell", stepText: "    bells: [halfway]\n",
            fragments: ["'bells' of step 'circles' must be a time from the step's start"], position: "7:13"),
        BadCase(
            label: "bells in a hold step", stepText: "    hold: true\n    bells: [50%]\n",
            fragments: ["step 'circles' is a hold step, whose last seconds repeat while it waits"], position: "8:12"),
        BadCase(
            label: "later prompts in a hold step",
            stepText: "    hold: true\n    say:\n      - {at: 0s, text: Hi.}\n      - {at: 50%, text: Later.}\n",
            fragments: ["it takes one prompt and no bells"], position: "9:7"),
        BadCase(
            label: "one prompt as a mapping", stepText: "    say: {at: 10s, text: Hi.}\n",
            fragments: [
                "'say' of step 'circles' must be text, or a list of prompts each with at and text, not a mapping"
            ],
            position: "7:10"),
        BadCase(
            label: "bells as text", stepText: "    bells: often\n",
            fragments: ["'bells' of step 'circles' must be a mapping such as {every: 30s} or a list"],
            position: "7:12"),
    ]

    @Test(arguments: badCases)
    func badPositionsAreRefusedWithTheirPlace(_ badCase: BadCase) throws {
        let text =
            "title: Bad\nsteps:\n  - id: settle\n    title: Settle\n    duration: 1m\n  - id: circles\n"
            + badCase.stepText + "    title: Circles\n    duration: 1m30s\n"
        let error = try #require(decodingError(text), "\(badCase.label) was accepted")
        for fragment in badCase.fragments {
            #expect(error.message.contains(fragment), "\(error.message)")
        }
        #expect(error.location?.description == "timed.yaml:\(badCase.position)", "\(error)")
    }
}
