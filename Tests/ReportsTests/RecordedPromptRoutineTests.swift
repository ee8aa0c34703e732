import Foundation
import Reports
import Testing

@testable import Sequencer

struct RecordedPromptRoutineTests {
    @Test func sayAudioIsRelativeToTheRoutineFileAndMarkedInShow() throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "soothe-say-audio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appending(path: "mine.yaml")
        try Data(
            """
            title: Mine
            speech-rate: 120
            steps:
              - id: settle
                title: Settle
                duration: 30s
                say: Breathe out.
                say-audio: takes/settle.flac
              - id: rest
                title: Rest
                duration: 30s
                say-audio: /elsewhere/rest.wav
            """.utf8
        ).write(to: file)
        let routine = try RoutineLibrary.load(file.path)
        #expect(routine.speechRatePerMinute == 120)
        let timeline = try SessionTimeline(routine: routine, sampleRate: 48000)
        #expect(timeline.speechRatePerMinute == 120)
        #expect(timeline.steps.map(\.sayAudio) == [folder.path + "/takes/settle.flac", "/elsewhere/rest.wav"])
        let prompts = timeline.plannedPrompts
        // The recording replaces the step's prompt, the last step's lead-in too; the close stays spoken.
        #expect(prompts.map(\.recordingPath) == [folder.path + "/takes/settle.flac", "/elsewhere/rest.wav", nil])
        #expect(prompts.map(\.kind) == [.step, .lastStep, .close])
        #expect(prompts[0].text == "Breathe out.")
        let table = timeline.tableText()
        #expect(table.contains("[recorded: settle.flac] \"Breathe out.\""), "\(table)")
        #expect(table.contains("[recorded: rest.wav]"), "\(table)")
        let json = timeline.jsonText()
        #expect(json.contains("\"sayAudio\" : \"\(folder.path)/takes/settle.flac\""), "\(json)")
    }
}
