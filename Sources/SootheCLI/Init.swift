import ArgumentParser
import Foundation
import Sequencer

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write an editable copy of a built-in routine to a file.")

    @Argument(help: ArgumentHelp("The routine file to create.", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("The built-in routine to copy.", valueName: "routine"))
    var from: String = RoutineLibrary.defaultRoutineName

    func run() throws {
        let source = try RoutineLibrary.builtInSource(named: from)
        let url = URL(fileURLWithPath: file)
        guard !FileManager.default.fileExists(atPath: file) else {
            throw ValidationError("'\(file)' already exists; choose another name or remove it first")
        }
        do {
            try Data(source.utf8).write(to: url, options: [.withoutOverwriting])
        } catch {
            let parent = url.deletingLastPathComponent().path
            throw ValidationError("could not write '\(file)'; check that '\(parent)' exists and is writable")
        }
        print("Wrote \(file), a copy of \(from). Edit it, then run: soothe show \(file)")
    }
}
