import ArgumentParser
import Sequencer

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a session's timeline: each step's start, length, side, title and prompt.")

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case table, json, cue, vtt
    }

    @OptionGroup var session: SessionOptions

    @Option(help: ArgumentHelp("How to print the timeline.", valueName: "format"))
    var format: OutputFormat = .table

    func run() throws {
        let timeline = try session.makeTimeline()
        switch format {
        case .table: print(timeline.tableText())
        case .json: print(timeline.jsonText())
        case .cue: print(timeline.cueSheetText(audioFileName: "\(timeline.routineName).wav"), terminator: "")
        case .vtt: print(timeline.webVTTChaptersText(), terminator: "")
        }
    }
}
