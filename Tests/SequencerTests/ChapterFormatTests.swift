import Foundation
import Testing

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
