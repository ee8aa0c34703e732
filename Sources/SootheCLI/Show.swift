import ArgumentParser
import Sequencer
import Speech

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a session's timeline: each step's start, length, side, title, prompt and its spoken length.")

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    @OptionGroup var session: SessionOptions
    @OptionGroup var speech: SpeechOptions

    @Option(help: ArgumentHelp("How to print the timeline.", valueName: "format"))
    var format: OutputFormat = .table

    func run() throws {
        let timeline = try session.makeTimeline()
        // Speaking the prompts measures them and checks that each fits its step.
        let prompts = try speech.prepare(for: timeline)?.map(\.report)
        switch format {
        case .table: print(timeline.tableText(prompts: prompts))
        case .json: print(timeline.jsonText(prompts: prompts))
        }
    }
}
