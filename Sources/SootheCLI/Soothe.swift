import ArgumentParser
import Foundation
import Sequencer
import Speech
import Termination

@main
struct Soothe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soothe",
        abstract: "Audio-guided self-massage: a calm voice, soft chimes and a breathing bed of tones.",
        discussion: """
            Self-massage is not medical advice. Skip broken skin, numbness or a recent injury, and ask \
            a clinician first if you have neuropathy or diabetes.
            """,
        version: "0.1.0",
        subcommands: [
            Play.self, ExportCommand.self, Show.self, Routines.self, Voices.self, Init.self, Record.self, Devices.self,
        ],
        defaultSubcommand: Play.self
    )
}

extension Soothe {
    /// Parses and runs a command like ArgumentParser's own `main`, with two differences: an error
    /// from the library exits with the status the README gives its cause (64 a bad option or
    /// value, 65 a bad routine file), and no message reaches the terminal with its control
    /// characters raw.
    ///
    /// Every termination signal is handled from the start, and a failed write to standard output
    /// (a full disk, a closed pipe) is an error rather than a silent success.
    static func main() {
        TerminationSignals.installForProcess()
        // At exit, so that it also covers the paths where the argument parser exits by itself
        // (--help, --version, errors).
        atexit { StandardOutput.finish() }
        let command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(reporting: error)
        }
        do {
            var running = command
            try running.run()
        } catch {
            exit(reporting: error, from: command)
        }
    }

    private static func exit(reporting error: any Error, from command: (any ParsableCommand)? = nil) -> Never {
        let status: Int32
        let message: String
        switch error {
        case let error as RoutineError:
            status = exitStatus(for: error)
            message = "Error: \(error)"
        case let error as SpeechError:
            status = exitStatus(
                for: error, customizesSession: (command as? any SessionCommand)?.customizesSession ?? true)
            message = "Error: \(error)"
        case let error as CommandError:
            status = error.exitStatus
            message = "Error: \(error)"
        case let error as ValidationError where command != nil:
            // Found while running: the command's own problem, not a reason to show the root's usage.
            status = ExitCode.validationFailure.rawValue
            message = "Error: \(error.message)"
        default:
            status = exitCode(for: error).rawValue
            message = fullMessage(for: error)
        }
        if status == ExitCode.success.rawValue {
            StandardOutput.print(message)
        } else if !message.isEmpty {
            FileHandle.standardError.write(Data((message.escapingControlCharactersByLine + "\n").utf8))
        }
        Foundation.exit(status)
    }

    /// 64 for a bad option or argument, 65 for a routine file that cannot be read or is wrong.
    static func exitStatus(for error: RoutineError) -> Int32 {
        let badOption: Int32 = 64
        let badFile: Int32 = 65
        switch error.kind {
        case .unknownRoutine, .unknownStepID, .invalidOverride, .totalTooShort:
            return badOption
        case .fileNotFound, .unreadableFile, .syntax, .missingField, .wrongType, .unknownField, .duplicateStepID,
            .emptyRoutine:
            return badFile
        case .invalidValue, .invalidDuration, .invalidSide, .sessionTooLong, .stepTooShort:
            // What the file causes has a place in it (the decoder's, or the file itself for lengths
            // the timeline finds too long); what the options cause has none.
            return error.location == nil ? badOption : badFile
        }
    }

    /// 64 for a voice or rate that cannot be used, or a prompt the user's lengths leave no room
    /// for; 65 for a prompt that does not fit its step as the routine file has it, a bad voice file
    /// or recording; 73 for a voice that cannot be added.
    static func exitStatus(for error: SpeechError, customizesSession: Bool) -> Int32 {
        switch error.kind {
        case .unknownVoice, .invalidRate, .engineUnavailable: 64
        case .promptTooLong: customizesSession ? 64 : 65
        case .badVoiceFile, .unknownPhoneme, .badRecording: 65
        case .voiceExists, .cannotWriteVoice: 73
        case .synthesisFailed, .resamplingFailed: 70
        }
    }
}

/// A command that lays out a session, for telling whether the user's options shaped it.
protocol SessionCommand {
    var session: SessionOptions { get }
    var speech: SpeechOptions { get }
}

extension SessionCommand {
    /// Whether the user set a step's length or the total on the command line.
    private var setsStepLengths: Bool {
        !session.customization.stepOverrides.isEmpty || session.customization.totalDuration != nil
    }

    /// Whether the user set any length or the pace of speech, so that a prompt that does not fit
    /// is theirs to fix with options.
    var customizesSession: Bool { setsStepLengths || speech.speechRatePerMinute != nil }
}

extension Play: SessionCommand {}
extension ExportCommand: SessionCommand {}
extension Show: SessionCommand {}
