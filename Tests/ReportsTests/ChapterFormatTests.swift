import Foundation
import Testing

@testable import Reports
@testable import Sequencer

struct ChapterFormatTests {
    private func timeline(sleepTail: SessionDuration? = nil) throws -> SessionTimeline {
        try SessionTimeline(
            routine: RoutineLibrary.builtIn(named: "quick-reset"),
            customization: SessionCustomization(sleepTail: sleepTail))
    }

    @Test func cueSheetHasATrackPerStepAtItsStart() throws {
        let timeline = try timeline()
        let sheet = timeline.cueSheetText(audioFileName: "reset.wav")
        #expect(sheet.components(separatedBy: "  TRACK ").count - 1 == timeline.steps.count)
        // Step 2 starts at 0:30: 00:30:00 in minutes, seconds and 75ths.
        #expect(
            sheet.contains(
                "  TRACK 02 AUDIO\n    TITLE \"Rub the whole foot (right)\"\n    PERFORMER \"Soothe\"\n    INDEX 01 00:30:00"
            ))
        #expect(!sheet.contains("Sleep tail"))
    }

    @Test func aSleepTailIsAChapterOfItsOwn() throws {
        let timeline = try timeline(sleepTail: SessionDuration(seconds: 600))
        let sheet = timeline.cueSheetText(audioFileName: "reset.wav")
        #expect(
            sheet.hasSuffix(
                "  TRACK 10 AUDIO\n    TITLE \"Sleep tail\"\n    PERFORMER \"Soothe\"\n    INDEX 01 05:40:00\n"))
        let chapters = timeline.webVTTChaptersText()
        #expect(chapters.hasSuffix("10\n00:05:40.000 --> 00:15:40.000\nSleep tail\n"))
    }
}

struct ChapterFileTests {
    @Test func chapterFilesSitBesideTheAudioWithTheRightKind() throws {
        let timeline = try SessionTimeline(
            routine: try RoutineLibrary.builtIn(named: "quick-reset"),
            customization: SessionCustomization(totalDuration: try SessionDuration(parsing: "10m")))
        let cue = timeline.chapterFile(audioPath: "out.d/feet.v2.flac", asCueSheet: true)
        #expect(cue.path == "out.d/feet.v2.cue")
        #expect(cue.text.contains("FILE \"feet.v2.flac\" WAVE"))
        let vtt = timeline.chapterFile(audioPath: "/music/feet.mp3", asCueSheet: false)
        #expect(vtt.path == "/music/feet.vtt")
        #expect(vtt.text.hasPrefix("WEBVTT\n\n1\n00:00:00.000 --> "))
        // The CUE index of every step is its start in 1/75 s, rounded down.
        let indexLines = cue.text.split(separator: "\n").filter { $0.contains("INDEX 01") }
        #expect(indexLines.count == timeline.steps.count)
        for (line, step) in zip(indexLines, timeline.steps) {
            let parts = line.split(separator: " ").last!.split(separator: ":").compactMap { Int64($0) }
            let cueFrames = (parts[0] * 60 + parts[1]) * 75 + parts[2]
            #expect(cueFrames == step.startTime.microseconds * 75 / 1_000_000)
        }
    }
}
