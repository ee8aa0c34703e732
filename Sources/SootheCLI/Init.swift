import ArgumentParser
import Foundation
import Sequencer
import Termination

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write an editable copy of a built-in routine to a file.")

    @Argument(help: ArgumentHelp("The routine file to create.", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("The built-in routine to copy.", valueName: "routine"))
    var from: String = RoutineLibrary.defaultRoutineName

    func run() throws {
        let source = try RoutineLibrary.builtInSource(named: from)
        // A routine file is never replaced: it may hold the user's own edits.
        try OutputFile.write(Data(source.utf8), toPath: file, example: "my-routine.yaml")
        StandardOutput.print("Wrote \(file), a copy of \(from). Edit it, then run: soothe show \(file)")
    }
}
