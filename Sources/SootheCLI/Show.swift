import ArgumentParser
import Foundation
import Reports
import Sequencer
import Speech
import Termination

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a session's timeline: each step's start, length, side, title, prompt and its spoken length.")

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case table, json, cue, vtt, captions
    }

    @OptionGroup var session: SessionOptions
    @OptionGroup var speech: SpeechOptions

    @Option(
        help: ArgumentHelp(
            "How to print the timeline (default: table); vtt gives chapters, captions every prompt's words.",
            valueName: "format"))
    var format: OutputFormat?

    @Option(
        name: .customLong("svg"),
        help: ArgumentHelp(
            "Draw the timeline as an SVG picture into this file instead (an earlier picture is replaced); "
                + "- prints it.",
            valueName: "file"))
    var svgPath: String?

    func validate() throws {
        if svgPath != nil, let format {
            throw ValidationError(
                "--svg draws a picture and --format \(format.rawValue) prints the timeline; give one of them")
        }
        if format == .captions && speech.isVoiceOff {
            throw ValidationError("--format captions prints what the voice says and when; drop --no-voice")
        }
    }

    func run() throws {
        let timeline = try session.makeTimeline()
        // Speaking the prompts measures them and checks that each fits its step.
        let spoken = try speech.prepare(for: timeline)
        if let svgPath {
            let windows = (spoken ?? []).map {
                PromptWindow(stepIndex: $0.stepIndex, startFrame: $0.startFrame, frameCount: $0.frameCount)
            }
            let picture = TimelinePicture(
                timeline: timeline, promptWindows: windows, trailingBlock: .sleepTail(of: timeline))
            if svgPath == "-" {
                StandardOutput.print(picture.svgText, terminator: "")
                return
            }
            try OutputFile.write(
                Data(picture.svgText.utf8), toPath: svgPath, example: "timeline.svg", replacing: .svg)
            let steps = timeline.steps.count == 1 ? "1 step" : "\(timeline.steps.count) steps"
            let tail = timeline.hasSleepTail ? " and a \(timeline.sleepTailDuration) sleep tail" : ""
            StandardOutput.print(
                "Wrote \(svgPath): \(timeline.routineTitle), \(timeline.totalDuration), \(steps)\(tail)")
            return
        }
        let prompts = spoken?.map(\.report)
        switch format ?? .table {
        case .table: StandardOutput.print(timeline.tableText(prompts: prompts))
        case .json: StandardOutput.print(timeline.jsonText(prompts: prompts))
        case .cue:
            StandardOutput.print(timeline.cueSheetText(audioFileName: "\(timeline.routineName).wav"), terminator: "")
        case .vtt: StandardOutput.print(timeline.webVTTChaptersText(), terminator: "")
        case .captions: StandardOutput.print(timeline.webVTTCaptionsText(prompts: prompts ?? []), terminator: "")
        }
    }
}
