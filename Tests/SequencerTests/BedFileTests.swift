import Foundation
import Sequencer
import Testing

/// A routine's own sound under the session: `bed: {file:, level:, tones:}`.
struct BedFileTests {
    @Test func theFileIsFoundBesideTheRoutineWithItsLevelAndTones() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("mine.yaml")
        try "title: Mine\nbed: {key: F#, file: sounds/rain.flac, level: -6 dB, tones: off}\nsteps:\n"
            .appending("  - {id: rest, title: Rest, duration: 1m}\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let bed = try RoutineLibrary.load(path).bed
        #expect(bed.file == directory.path("sounds/rain.flac"))
        #expect(bed.fileLevelDecibels == -6)
        #expect(bed.playsTones == false)
        #expect(bed.key == .fSharp && bed.keySemitonesAboveC == 6)
    }

    @Test func anAbsolutePathStaysAndTheDefaultsAreTheTones() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("mine.yaml")
        try "title: Mine\nbed: {file: /srv/sea.ogg}\nsteps:\n  - {id: rest, title: Rest, duration: 1m}\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let bed = try RoutineLibrary.load(path).bed
        #expect(bed.file == "/srv/sea.ogg")
        #expect(bed.fileLevelDecibels == BedSettings.defaultFileLevelDecibels && bed.playsTones)
        #expect(BedSettings().file == nil && BedSettings().key == .d)
    }

    @Test(arguments: NoteName.allCases)
    func everyNoteNameIsAKeyWithinTheOctave(note: NoteName) {
        #expect((0..<12).contains(note.semitonesAboveC))
        #expect(BedSettings.keyNames.contains(note.rawValue))
    }
}
