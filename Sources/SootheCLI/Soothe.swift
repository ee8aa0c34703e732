import ArgumentParser
import Foundation
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
            Play.self, ExportCommand.self, Show.self, Routines.self, Voices.self, Init.self, Devices.self,
        ],
        defaultSubcommand: Play.self
    )

    /// Handles every termination signal from the start, runs the command, and makes a failed
    /// write to standard output (a full disk, a closed pipe) an error rather than a silent success.
    static func main() {
        TerminationSignals.installForProcess()
        // At exit, so that it also covers the paths where the argument parser exits by itself
        // (--help, --version, errors).
        atexit { StandardOutput.finish() }
        main(nil)
    }
}

/// What the commands print on standard output goes through C's buffered `stdout`.
enum StandardOutput {
    /// Flushes standard output and ends the process with 74 (EX_IOERR) and a message if anything
    /// written to it was lost. Runs as an exit handler, so it leaves with `_exit`.
    static func finish() {
        // fflush(NULL) flushes every output stream and fails when a write fails; what a full disk
        // or a closed pipe refused earlier is still in the buffer, so it fails again here.
        guard fflush(nil) != 0 else { return }
        let reason = String(cString: strerror(errno))
        FileHandle.standardError.write(Data("Error: could not write to standard output: \(reason)\n".utf8))
        _exit(74)
    }
}
