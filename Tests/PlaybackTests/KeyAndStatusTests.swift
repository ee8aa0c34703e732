import Sequencer
import Testing

@testable import Playback

struct KeyDecoderTests {
    @Test(arguments: [
        (" ", KeyAction.command(.togglePause)), ("n", .command(.nextStep)), ("b", .command(.previousStep)),
        ("+", .lengthenStep), ("-", .shortenStep), ("q", .command(.stop)), ("\u{1B}[A", .command(.volumeUp)),
        ("\u{1B}[B", .command(.volumeDown)), ("\u{1B}[C", .command(.nextStep)), ("\u{1B}[D", .command(.previousStep)),
        ("\u{1B}OC", .command(.nextStep)),
    ])
    func eachKeyMapsToItsAction(text: String, action: KeyAction) {
        var decoder = KeyDecoder()
        #expect(decoder.decode(Array(text.utf8)) == [action])
    }

    @Test func anArrowSplitAcrossReadsIsStillOneKey() {
        var decoder = KeyDecoder()
        #expect(decoder.decode([0x1B]) == [])
        #expect(decoder.decode([UInt8(ascii: "[")]) == [])
        #expect(
            decoder.decode([UInt8(ascii: "C"), UInt8(ascii: " ")]) == [.command(.nextStep), .command(.togglePause)])
    }

    @Test func otherKeysAreIgnored() {
        var decoder = KeyDecoder()
        #expect(decoder.decode(Array("xyz\u{1B}[Z".utf8)) == [])
    }
}

struct StatusLineTests {
    static let status = TransportStatus(
        stepIndex: 2, stepCount: 9, stepTitle: "Thumb circles", side: .right, positionFrame: 48000 * 60,
        stepStartFrame: 48000 * 50, stepEndFrame: 48000 * 102, totalFrames: 48000 * 240, sampleRate: 48000,
        isPaused: false, isWaitingForHold: false, isStopping: false, isFinished: false, volumeDecibels: 0)

    @Test func showsStepTitleSideTimesAndProgress() {
        #expect(
            StatusLine.text(Self.status, columns: 120)
                == "Step 3 of 9: Thumb circles (right) · 0:42 left, session 3:00 [#####---------------]")
    }

    @Test func putsThePauseFirstAndFitsTheTerminal() {
        var status = Self.status
        status.isPaused = true
        let text = StatusLine.text(status, columns: 30)
        #expect(text.hasPrefix("Paused · Step 3 of 9"))
        #expect(text.count == 29)
    }

    @Test func aTitleCannotDriveTheTerminal() {
        var status = Self.status
        status.stepTitle = "\u{1B}]0;owned\u{7}\u{1B}[2J\u{9B}H"
        let text = StatusLine.text(status, columns: 200)
        #expect(!text.unicodeScalars.contains { $0.properties.generalCategory == .control }, "\(text)")
        #expect(text.hasPrefix("Step 3 of 9: \\u{1B}]0;owned\\u{7}\\u{1B}[2J\\u{9B}H (right)"), "\(text)")
    }

    @Test(arguments: [
        (12.0, "Volume +12 dB, the most"), (8, "Volume +8 dB"), (0, "Volume 0 dB"), (-6.5, "Volume -6.5 dB"),
        (-40, "Volume -40 dB, the least"),
    ])
    func aVolumeKeySaysWhereTheVolumeIs(decibels: Double, note: String) {
        #expect(StatusLine.volumeNote(decibels) == note)
    }
}
