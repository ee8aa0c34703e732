import Foundation
import Testing

@testable import Reports
@testable import Sequencer

/// The table, the JSON form and the routine list that `show` and `routines` print.
struct TimelineReportTests {
    /// quick-reset (5:40, 9 steps) followed by a 10-minute sleep tail.
    private func quickResetWithTail() throws -> SessionTimeline {
        try SessionTimeline(
            routine: try RoutineLibrary.builtIn(named: "quick-reset"),
            customization: SessionCustomization(sleepTail: SessionDuration(seconds: 600)))
    }

    @Test func tableAndJSONShowTheTail() throws {
        let timeline = try quickResetWithTail()
        let table = timeline.tableText()
        #expect(table.hasPrefix("Quick foot reset (quick-reset): 15:40, 9 steps and a 10:00 sleep tail"), "\(table)")
        let lastLine = try #require(table.split(separator: "\n").last)
        #expect(lastLine.contains("5:40") && lastLine.contains("10:00") && lastLine.contains("Sleep tail"), "\(table)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(timeline.jsonText().utf8)) as? [String: Any])
        #expect(object["totalSeconds"] as? Double == 940)
        #expect(object["sleepTailSeconds"] as? Double == 600)
        #expect((object["steps"] as? [Any])?.count == 9)
        let plain = try SessionTimeline(routine: try RoutineLibrary.builtIn(named: "quick-reset"))
        let plainObject = try #require(
            try JSONSerialization.jsonObject(with: Data(plain.jsonText().utf8)) as? [String: Any])
        #expect(plainObject["sleepTailSeconds"] as? Double == 0)
        #expect(!plain.tableText().contains("Sleep tail"))
    }

    @Test func thePictureDrawsTheTailAfterTheSteps() throws {
        let timeline = try quickResetWithTail()
        let trailing = try #require(TrailingBlock.sleepTail(of: timeline))
        #expect(trailing.frameCount == timeline.sleepTailFrames)
        #expect(
            TrailingBlock.sleepTail(of: try SessionTimeline(routine: try RoutineLibrary.builtIn(named: "quick-reset")))
                == nil)
        let picture = TimelinePicture(timeline: timeline, trailingBlock: trailing)
        #expect(picture.axisFrameCount == timeline.totalFrames)
        let svg = try TimelinePictureTests.ParsedSVG(picture.svgText)
        let tail = try #require(svg.withClass("trailing").first)
        let width = picture.plotWidth
        let expectedX = picture.plotLeft + Double(timeline.stepsEndFrame) / Double(timeline.totalFrames) * width
        #expect(abs(try #require(tail.number("x")) - expectedX) < 1)
        #expect(
            abs(
                try #require(tail.number("width")) - Double(timeline.sleepTailFrames) / Double(timeline.totalFrames)
                    * width) < 1)
        let end = try #require(svg.withClass("cue").first { $0.attributes["data-kind"] == "session-end" })
        #expect(abs(try #require(end.number("x")) + 4 - expectedX) < 1)
        #expect(svg.elements.contains { $0.name == "text" && $0.text.contains("then sleep tail 10:00") })
    }

    @Test func jsonFormIsStable() throws {
        let timeline = try SessionTimeline(routine: try RoutineLibrary.builtIn(named: "bedtime-foot"))
        let json = timeline.jsonText()
        #expect(json.contains("\"name\" : \"bedtime-foot\""))
        #expect(json.contains("\"totalSeconds\" : 720"))
        #expect(json.contains("\"side\" : null"))
        #expect(json.contains("\"startSeconds\" : 105"))
        for key in ["index", "id", "side", "title", "startSeconds", "durationSeconds", "say"] {
            #expect(json.contains("\"\(key)\""))
        }
    }

    @Test func listNamesEveryRoutineWithItsLength() throws {
        let list = try RoutineLibrary.listText()
        #expect(list.contains("bedtime-foot     12:00     12"))
        for name in RoutineLibrary.builtInNames { #expect(list.contains(name)) }
    }
}
