import ArgumentParser
import Export
import Foundation
import Playback
import Sequencer
import Speech
import Termination

struct Record: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record a routine's prompts in your own voice, with a copy of the routine that plays them.",
        discussion: """
            Each prompt is shown in turn. Keys: Enter starts a take and Enter stops it; then Enter keeps \
            it, p plays it back, r records it again, s skips the prompt (the voice speaks it), q or \
            Ctrl-C quits. Takes are trimmed of silence and saved as FLAC in the folder as they are \
            kept, with FOLDER/NAME.yaml, a copy of the routine whose recorded prompts use them.
            """)

    @Argument(help: ArgumentHelp("A built-in routine's name or a routine file.", valueName: "routine"))
    var routine: String

    @Argument(
        help: ArgumentHelp("The folder for the takes and the routine's copy (created if missing).", valueName: "folder")
    )
    var folder: String

    // Taken whatever it looks like, as `play`'s is.
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("The input device: an index or part of a name.", valueName: "name|index"))
    var device: String?

    @Flag(help: "Replace takes and a routine copy already in the folder.")
    var force = false

    @Flag(help: "Let the audio libraries print their own diagnostics.")
    var verbose = false

    func validate() throws {
        guard !folder.isEmpty else {
            throw ValidationError("the folder name is empty; give the folder for the takes, such as my-voice")
        }
        guard folder != "-" else {
            throw ValidationError(
                "'-' names standard output, not a folder; give the folder for the takes, such as my-voice")
        }
    }

    /// The rate takes are recorded and saved at: the rate sessions are rendered at.
    static let sampleRate = SessionOptions.defaultSampleRate

    func run() throws {
        let source = try RoutineLibrary.load(routine)
        let slots = source.promptSlots
        guard !slots.isEmpty else {
            throw CommandError(
                "the routine '\(source.name)' has no prompt to record: no step has a 'say'", exitStatus: 65)
        }
        let takeNames = slots.enumerated().map { $1.recordingFileName(position: $0 + 1, fileExtension: "flac") }
        // Recordings the routine already had are found from the folder too.
        let base = source.withAbsoluteRecordingPaths(from: FileManager.default.currentDirectoryPath)
        var kept: [PromptSlot.Key: String] = [:]
        let prompts = slots.map { RecordingPrompt(heading: Self.heading($0), text: $0.text) }
        // Made once an input device is found, so that a machine without one is told so first.
        var destination: RecordingFolder?
        let prepare = { () throws in
            destination = try Self.reporting { () throws(ExportError) in
                try RecordingFolder(path: folder, routineName: source.name, takeNames: takeNames, overwrites: force)
            }
            Self.show(
                "Recording \(prompts.count) prompts of \"\(source.title.escapingControlCharacters)\" into \(folder).")
        }
        let outcome = try record(prompts, prepare: prepare) { index, take in
            try Self.reporting { () throws(ExportError) in
                _ = try destination?.writeTake(take, sampleRate: Self.sampleRate, named: takeNames[index])
                kept[slots[index].key] = takeNames[index]
                try destination?.writeRoutine(base.withRecordings(kept))
            }
            return "Saved \(destination?.filePath(takeNames[index]) ?? takeNames[index])."
        }
        guard let destination else { throw PlaybackFailure.reporting(outcome.failure ?? .noInputDevice) }
        let routinePath = destination.filePath(destination.routineFileName)
        let summary =
            kept.isEmpty
            ? "No take was kept, so no routine was written."
            : "Kept \(kept.count) of \(slots.count) prompts in \(routinePath); play it with: soothe play \(routinePath)"
        switch outcome {
        case .failure(let error):
            throw PlaybackFailure.reporting(error)
        case .success(.interrupted(let signal)):
            FileHandle.standardError.write(Data("Stopped by \(TerminationSignals.name(of: signal)). \(summary)\n".utf8))
            throw ExitCode(TerminationSignals.exitStatus)
        case .success:
            Self.show(summary)
        }
    }

    /// Records the prompts. The audio system keeps stderr quiet while it lives, so it lives only
    /// in here, and errors are reported once it is gone.
    private func record(
        _ prompts: [RecordingPrompt], prepare: () throws -> Void, keep: (Int, [Float]) throws -> String
    ) throws -> Result<RecordingOutcome, PlaybackError> {
        let opened = Result { () throws(PlaybackError) in
            let system = try AudioSystem(isVerbose: verbose)
            return (system, try system.inputDevice(named: device))
        }
        guard case .success(let (system, input)) = opened else { return opened.map { _ in .finished } }
        // A failure here is reported once the audio system is gone and stderr is back.
        try prepare()
        let output = try? system.device(named: nil)
        let recorder = PromptRecorder(
            input: input, output: output, sampleRate: Self.sampleRate, readsKeys: true,
            drawsLevel: PromptRecorder.standardOutputIsTerminal)
        do {
            return .success(try recorder.record(prompts, review: Self.review, keep: keep))
        } catch let error as PlaybackError {
            return .failure(error)
        }
    }

    /// A take trimmed of silence the way its prompt will be, or why it cannot be kept.
    static func review(_ take: [Float]) -> TakeReview {
        do throws(RecordedPrompt.EmptinessProblem) {
            return .usable(try RecordedPrompt.trimmingSilence(take, sampleRate: sampleRate))
        } catch .noAudio {
            return .refused("The take is empty: nothing was recorded.")
        } catch .notNumbers {
            return .refused("The take holds samples that are not numbers; the input device may be faulty.")
        } catch {
            return .refused(
                "The take is silent (its peak is below -60 dBFS): check that the microphone is on and not muted.")
        }
    }

    /// A line on standard output, written at once: the recorder writes its own lines unbuffered.
    static func show(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// The step's title, where in the step a later prompt is said, and the sides it is said on.
    static func heading(_ slot: PromptSlot) -> String {
        let title = slot.key.index > 0 ? "\(slot.stepTitle), at \(slot.position)" : slot.stepTitle
        switch slot.sides.count {
        case 0: return title
        case 1: return "\(title) (\(slot.sides[0].rawValue) side)"
        default: return "\(title) (said on each side)"
        }
    }

    /// Runs `body`, turning a failed write into its message and exit status.
    private static func reporting<Value>(_ body: () throws(ExportError) -> Value) throws(CommandError) -> Value {
        do {
            return try body()
        } catch {
            throw CommandError(error.message, exitStatus: ExportCommand.exitStatus(for: error.kind))
        }
    }
}

extension Result {
    /// The error of a failure, `nil` for a success.
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
