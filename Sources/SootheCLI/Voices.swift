import ArgumentParser
import Foundation
import Speech

struct Voices: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the voices that can speak the prompts: Piper voices, flite's and espeak-ng's.",
        discussion: """
            Piper voices are found in $XDG_DATA_HOME/soothe/voices (~/.local/share/soothe/voices), in the \
            install prefix's share/soothe/voices and in the folders of SOOTHE_VOICE_PATH.
            """,
        subcommands: [List.self, Add.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the voices and say which is the default.")

        func run() throws {
            print(VoiceCatalog.listText())
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a Piper voice (NAME.onnx with NAME.onnx.json beside it) and copy it into your voices.")

        @Argument(help: ArgumentHelp("The voice's .onnx file.", valueName: "file.onnx"))
        var model: String

        @Flag(help: "Replace an installed voice of the same name.")
        var force = false

        func run() throws {
            let target = try SpeechFailure.exiting {
                try VoiceCatalog.addPiperVoice(at: model, replacing: force)
            }
            print("Added piper:\((target as NSString).lastPathComponent.dropLast(5)) at \(target)")
        }
    }
}

/// Speech errors as exit statuses: a bad voice file or recording is a bad input file (65).
enum SpeechFailure {
    static func exiting<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SpeechError {
            let status: Int32
            switch error.kind {
            case .badVoiceFile, .unknownPhoneme, .badRecording: status = 65
            case .unknownVoice, .invalidRate: status = 64
            case .voiceExists, .cannotWriteVoice: status = 73
            case .engineUnavailable, .synthesisFailed, .resamplingFailed, .promptTooLong: throw error
            }
            throw exit(status, error.message)
        }
    }

    /// Prints `message` as an error and gives the exit status to throw.
    static func exit(_ status: Int32, _ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
        return ExitCode(status)
    }
}
