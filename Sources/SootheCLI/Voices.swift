import ArgumentParser
import Foundation
import Speech
import Termination

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
            StandardOutput.print(VoiceCatalog.listText())
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
            let target = try VoiceCatalog.addPiperVoice(at: model, replacing: force)
            StandardOutput.print("Added piper:\((target as NSString).lastPathComponent.dropLast(5)) at \(target)")
        }
    }
}
