import ArgumentParser
import Reports
import Sequencer
import Termination

struct Routines: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the built-in routines with their length, number of steps and purpose.")

    func run() throws {
        StandardOutput.print(try RoutineLibrary.listText())
    }
}
