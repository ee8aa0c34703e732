import Foundation
import Testing

@testable import Reports
@testable import Sequencer

/// `show` lists every prompt of a `say:` list with its start, and the bells that ring.
struct TimedPromptReportTests {
    private func timeline() throws -> SessionTimeline {
        let text = """
            title: Timed
            steps:
              - id: settle
                title: Settle in
                duration: 1m
                say: Sit back.
              - id: circles
                title: Circles
                duration: 1m30s
                bells: [20s, 1m]
                say:
                  - {at: 0s, text: Press small circles.}
                  - {at: 45s, text: Now toward the heel.}
              - id: rest
                title: Rest
                duration: 1m
                say: Rest.
            """
        let routine = try RoutineFileDecoder(fileName: "timed.yaml").decode(text, defaultName: "timed", isJSON: false)
        return try SessionTimeline(routine: routine)
    }

    @Test func theTableListsEachLaterPromptWithItsStart() throws {
        let table = try timeline().tableText()
        let lines = table.split(separator: "\n").map(String.init)
        let circlesRow = try #require(lines.firstIndex { $0.contains("Circles") })
        // Under its step: starts 1:00 + 45 s into the session, with its position and words.
        let later = lines[circlesRow + 1]
        #expect(
            later.contains("1:45") && later.contains("at 45s") && later.contains("\"Now toward the heel.\""), "\(table)"
        )
        #expect(lines[circlesRow + 2].contains("bells at 20s, 1m"), "\(table)")
    }

    @Test func spokenPromptsGiveTheirOwnLengthsAndLeaveOutABellOnAPrompt() throws {
        let timeline = try timeline()
        // The second prompt said from 1:45 for 16 s covers the bell at 2:00.
        let prompts = [
            PromptReport(stepIndex: 0, kind: .step, text: "Sit back.", startSeconds: 2.55, spokenSeconds: 1.5),
            PromptReport(stepIndex: 1, kind: .step, text: "Press small circles.", startSeconds: 60.8, spokenSeconds: 2),
            PromptReport(
                stepIndex: 1, kind: .step, text: "Now toward the heel.", startSeconds: 105, spokenSeconds: 16,
                laterPromptIndex: 0),
        ]
        let table = timeline.tableText(prompts: prompts)
        let lines = table.split(separator: "\n").map(String.init)
        let circlesRow = try #require(lines.firstIndex { $0.contains("Circles") })
        #expect(lines[circlesRow].contains("2.0 s"), "\(table)")
        #expect(lines[circlesRow + 1].contains("16.0 s"), "\(table)")
        #expect(lines[circlesRow + 2].contains("bells at 20s (1 left out: it falls on a prompt)"), "\(table)")

        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(timeline.jsonText(prompts: prompts).utf8)) as? [String: Any])
        let steps = try #require(object["steps"] as? [[String: Any]])
        let later = try #require(steps[1]["laterPrompts"] as? [[String: Any]])
        #expect(later.count == 1)
        #expect(later.first?["at"] as? String == "45s")
        #expect(later.first?["startSeconds"] as? Double == 105)
        #expect(later.first?["say"] as? String == "Now toward the heel.")
        #expect(steps[1]["bellSeconds"] as? [Double] == [80])
        #expect(steps[0]["laterPrompts"] == nil && steps[0]["bellSeconds"] == nil)
        #expect((object["prompts"] as? [Any])?.count == 3)
    }

    @Test func captionsHaveACueForEveryPromptFromItsStartToItsEnd() throws {
        let prompts = [
            PromptReport(
                stepIndex: 1, kind: .step, text: "", startSeconds: 105, spokenSeconds: 2.25,
                recordingPath: "/takes/heel.flac", laterPromptIndex: 0),
            PromptReport(
                stepIndex: 0, kind: .step, text: "Sit back --> <b>now</b> & rest.", startSeconds: 2.55,
                spokenSeconds: 1.5),
        ]
        let captions = try timeline().webVTTCaptionsText(prompts: prompts)
        #expect(
            captions
                == "WEBVTT\n\n1\n00:00:02.550 --> 00:00:04.050\nSit back --&gt; &lt;b&gt;now&lt;/b&gt; &amp; rest.\n\n"
                + "2\n00:01:45.000 --> 00:01:47.250\n[recorded]\n")
    }
}
