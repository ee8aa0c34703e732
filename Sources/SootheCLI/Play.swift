import ArgumentParser
import Foundation
import Playback
import Sequencer
import Synthesis
import Termination

struct Play: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Play a session through the speakers, with keys to pause, skip, lengthen or stop it.",
        discussion: """
            Keys: space pauses and resumes (and moves on from a step that waits), n or right arrow \
            goes to the next step (from the last step into the sleep tail), b or left arrow restarts \
            the step (or goes back one within its first 3 seconds), + and - make the step 30 seconds \
            longer or shorter, up and down arrows change the volume by 2 dB, q or Ctrl-C stops with a \
            gentle fade.
            """)

    @OptionGroup var session: SessionOptions

    @OptionGroup var speech: SpeechOptions

    @OptionGroup var sound: SoundOptions

    @Option(
        // Taken whatever it looks like, so that `--device -1` is refused as no such device, not
        // as a missing value.
        parsing: .unconditional,
        help: ArgumentHelp(
            "The output device: an index or part of a name from `soothe devices`.", valueName: "name|index"))
    var device: String?

    @Option(
        // Taken whatever it looks like, so that `--volume -6` is a value, not a missing one.
        parsing: .unconditional,
        help: ArgumentHelp(
            "The volume in dB, from \(Play.volumeRangeText); 0 plays the session as rendered.", valueName: "dB"),
        transform: { text in
            guard let volume = Double(text), volume.isFinite, Transport.volumeRange.contains(volume) else {
                throw ValidationError(
                    "'\(text)' is not a level from \(Play.volumeRangeText) dB; 0 plays the session as rendered")
            }
            return volume
        })
    var volume: Double = 0

    /// `-40 to 12`.
    static var volumeRangeText: String {
        "\(Transport.volumeRange.lowerBound.formatted()) to \(Transport.volumeRange.upperBound.formatted())"
    }

    @Flag(help: "Show no status line.")
    var quiet = false

    @Flag(help: "Let the audio libraries print their own diagnostics.")
    var verbose = false

    /// The rate sessions are rendered and played at.
    static let sampleRate = SessionOptions.defaultSampleRate

    func run() throws {
        let routine = try sound.applyingBackground(to: RoutineLibrary.load(session.routine))
        // Asked before the audio system quiets stderr.
        let showsStatus = !quiet && Player.standardErrorIsTerminal
        let readsKeys = Player.standardInputIsTerminal
        switch try play(routine, showsStatus: showsStatus, readsKeys: readsKeys) {
        case .failure(let error):
            throw PlaybackFailure.reporting(error)
        case .success(.interrupted):
            throw ExitCode(TerminationSignals.exitStatus)
        case .success:
            break
        }
    }

    /// Plays `routine`. The audio system keeps stderr quiet while it lives, so it lives only in
    /// here, and errors are reported once it is gone.
    private func play(_ routine: Routine, showsStatus: Bool, readsKeys: Bool) throws
        -> Result<PlaybackOutcome, PlaybackError>
    {
        // The device first, so that a machine without one hears so at once; then the session,
        // whose prompts are spoken while it plays.
        let opened = Result { () throws(PlaybackError) in
            let system = try AudioSystem(isVerbose: verbose)
            return (system, try system.device(named: device))
        }
        guard case .success(let (system, output)) = opened else {
            return opened.map { _ in .finished }
        }
        // The prompts are spoken in the background, in the order they come, while the session plays.
        let builder = try SessionBuilder(
            routine: routine, sampleRate: Self.sampleRate, speech: speech, settings: sound.renderSettings,
            preparesInBackground: true)
        let makeSession: SessionFactory = { customization in
            let (timeline, renderer) = try builder.makeSession(customization)
            return PlayableSession(timeline: timeline, source: renderer)
        }
        let first = try makeSession(session.customization)
        let player = Player(device: output, volumeDecibels: volume, showsStatus: showsStatus, readsKeys: readsKeys)
        let preparation = builder.preparation
        let outcome = Result { () throws(PlaybackError) in
            try player.play(first, on: system, makeSession: makeSession, hasFailed: { preparation.error != nil })
        }
        // A prompt that could not be spoken stopped the session; say why, as an export would.
        if let error = preparation.error { throw error }
        return outcome
    }
}
