import AudioFiles
import Foundation
import Sequencer
import SootheTestSupport
import Testing

@testable import Export

/// The folder `soothe record` writes: takes as FLAC, the routine's copy, and nothing replaced that
/// was not asked for.
struct RecordingFolderTests {
    static let routine = Routine(
        name: "mine", title: "Mine",
        items: [
            .step(RoutineStep(id: "settle", title: "Settle", duration: SessionDuration(seconds: 20), say: "Settle.")),
            .step(RoutineStep(id: "rest", title: "Rest", duration: SessionDuration(seconds: 20), say: "Rest.")),
        ])

    @Test func aTakeIsWrittenAsLosslessFLACAndTheCopyPointsAtIt() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("new/takes")
        var folder = try RecordingFolder(
            path: path, routineName: "mine", takeNames: ["01-settle.flac", "02-rest.flac"], overwrites: false)
        // Created, with the folders above it.
        #expect(FileManager.default.fileExists(atPath: path))
        let take = (0..<24000).map { 0.5 * sin(2 * Float.pi * 440 * Float($0) / 48000) }
        let summary = try folder.writeTake(take, sampleRate: 48000, named: "01-settle.flac")
        #expect(summary.frameCount == 24000)
        let decoded = try AudioFileReader.read(folder.filePath("01-settle.flac"))
        #expect(decoded.sampleRate == 48000 && decoded.channelCount == 1)
        let largestError = zip(decoded.samples, take).map { abs($0 - $1) }.max() ?? 1
        #expect(largestError < 1e-6, "24-bit FLAC holds the take to within \(largestError)")

        let recorded = Self.routine.withRecordings([PromptSlot.Key(stepID: "settle"): "01-settle.flac"])
        try folder.writeRoutine(recorded)
        // Written again as more takes are kept: the copy is this folder's own to replace.
        try folder.writeRoutine(recorded)
        let copy = try RoutineLibrary.loadFile(atPath: folder.filePath("mine.yaml"))
        guard case .step(let settle) = copy.items.first else { throw CocoaError(.fileReadCorruptFile) }
        #expect(settle.sayAudio == folder.filePath("01-settle.flac"))
        #expect(scratch.contents() == ["new"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: path).sorted() == ["01-settle.flac", "mine.yaml"])
    }

    @Test func aFileInThePlaceOfTheFolderIsRefused() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("takes")
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            try RecordingFolder(path: path, routineName: "mine", takeNames: [], overwrites: true)
        } throws: { error in
            let error = error as? ExportError
            return error?.kind == .cannotCreate && error?.message.contains("is a file, not a folder") == true
        }
    }

    @Test func anExistingTakeOrRoutineIsKeptWithoutForce() throws {
        let scratch = try ScratchDirectory()
        for name in ["02-rest.flac", "mine.yaml"] {
            let path = scratch.file(name)
            try Data("the user's".utf8).write(to: URL(fileURLWithPath: path))
            #expect {
                try RecordingFolder(
                    path: scratch.path, routineName: "mine", takeNames: ["01-settle.flac", "02-rest.flac"],
                    overwrites: false)
            } throws: { error in
                (error as? ExportError)?.kind == .targetExists
                    && (error as? ExportError)?.message.contains("pass --force") == true
            }
            _ = try RecordingFolder(
                path: scratch.path, routineName: "mine", takeNames: ["01-settle.flac", "02-rest.flac"], overwrites: true
            )
            try FileManager.default.removeItem(atPath: path)
        }
    }
}
