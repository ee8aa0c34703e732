import Foundation
public import Sequencer

/// Text forms of a timeline and of the routine list, for `soothe show` and `soothe routines`.
extension SessionTimeline {
    /// A table for people: index, start, length, side, title and prompt of every step; under a
    /// step, a line for each later prompt of its `say:` list (its start and position) and one for
    /// its bells.
    ///
    /// With `prompts` (once speech is known), a `spoken` column gives the seconds each step's
    /// prompts last, and the automatic prompts (last step, close) are listed below the table.
    public func tableText(prompts: [PromptReport]? = nil) -> String {
        let stepCount = steps.count == 1 ? "1 step" : "\(steps.count) steps"
        let tailText = hasSleepTail ? " and a \(sleepTailDuration) sleep tail" : ""
        var lines = ["\(routineTitle) (\(routineName)): \(totalDuration), \(stepCount)\(tailText)", ""]
        let titleWidth = max(5, hasSleepTail ? Self.sleepTailTitle.count : 0, steps.map(\.title.count).max() ?? 0)
        let spoken = prompts.map { spokenSecondsByStep($0) }
        let ringingBellFrames = Set(ringingBells(avoiding: promptSpans(prompts ?? [])).map(\.frame))
        var laterReports: [[Int]: PromptReport] = [:]
        for prompt in prompts ?? [] {
            if let laterIndex = prompt.laterPromptIndex { laterReports[[prompt.stepIndex, laterIndex]] = prompt }
        }
        lines.append(
            "  #  " + "start".leftPadded(to: 7) + "  " + "length".leftPadded(to: 7) + "  side   "
                + "title".rightPadded(to: titleWidth) + (spoken == nil ? "" : "  " + "spoken".leftPadded(to: 7))
                + "  prompt")
        for (index, step) in steps.enumerated() {
            let said = step.say.map { "\"\($0)\"" }
            let prompt =
                step.sayAudio.map {
                    "[recorded: \(($0 as NSString).lastPathComponent)]" + (said.map { " " + $0 } ?? "")
                }
                ?? said ?? "-"
            let spokenColumn = spoken.map { "  " + ($0[index].map(\.secondsText) ?? "-").leftPadded(to: 7) } ?? ""
            lines.append(
                String(index + 1).leftPadded(to: 3) + "  " + step.startTime.description.leftPadded(to: 7) + "  "
                    + step.duration.description.leftPadded(to: 7) + "  "
                    + (step.side?.rawValue ?? "").rightPadded(to: 5) + "  " + step.title.rightPadded(to: titleWidth)
                    + spokenColumn + "  " + prompt)
            // Each later prompt on a line of its own, under its step: where it starts and what it says.
            for (laterIndex, later) in step.laterPrompts.enumerated() {
                let report = laterReports[[index, laterIndex]]
                let start = report.map { SessionDuration(seconds: $0.startSeconds) } ?? step.startTime + later.offset
                let said = later.text.map { "\"\($0)\"" }
                let text =
                    later.sayAudio.map {
                        "[recorded: \(($0 as NSString).lastPathComponent)]" + (said.map { " " + $0 } ?? "")
                    } ?? said ?? "-"
                let laterSpoken =
                    spoken == nil ? "" : "  " + (report.map(\.spokenSeconds.secondsText) ?? "-").leftPadded(to: 7)
                lines.append(
                    "     " + start.description.leftPadded(to: 7) + "  " + "".leftPadded(to: 7) + "  "
                        + "".rightPadded(to: 5) + "  " + "  at \(later.position)".rightPadded(to: titleWidth)
                        + laterSpoken + "  " + text)
            }
            if !step.bellFrames.isEmpty {
                let ringing = step.bellFrames.filter(ringingBellFrames.contains)
                let bellTimes = ringing.map {
                    SessionDuration(seconds: Double($0 - step.startFrame) / Double(sampleRate)).writtenForm
                }
                let leftOut = step.bellFrames.count - ringing.count
                let leftOutText =
                    leftOut == 0 ? "" : " (\(leftOut) left out: \(leftOut == 1 ? "it falls" : "they fall") on a prompt)"
                lines.append(
                    "     " + "".leftPadded(to: 7) + "  " + "".leftPadded(to: 7) + "  " + "".rightPadded(to: 5) + "  "
                        + (ringing.isEmpty ? "  no bells" : "  bells at \(bellTimes.joined(separator: ", "))")
                        + leftOutText)
            }
        }
        if hasSleepTail {
            // The tail is not a step: no number, no side, no prompt.
            lines.append(
                "     " + stepsDuration.description.leftPadded(to: 7) + "  "
                    + sleepTailDuration.description.leftPadded(to: 7) + "         "
                    + Self.sleepTailTitle.rightPadded(to: titleWidth)
                    + (spoken == nil ? "" : "  " + "-".leftPadded(to: 7))
                    + "  the bed slows, darkens and fades to silence")
        }
        if let prompts {
            let automatic = prompts.filter { $0.kind == .lastStep || $0.kind == .close }
            if !automatic.isEmpty { lines += ["", "Automatic prompts:"] }
            for prompt in automatic {
                lines.append(
                    "  step \(prompt.stepIndex + 1) at \(SessionDuration(seconds: prompt.startSeconds)), "
                        + "\(prompt.spokenSeconds.secondsText): "
                        + (prompt.recordingPath.map { "[recorded: \(($0 as NSString).lastPathComponent)]" }
                            ?? "\"\(prompt.text)\""))
            }
        }
        return lines.map { $0.trailingSpacesRemoved() }.joined(separator: "\n")
    }

    /// The frames each prompt is spoken over.
    private func promptSpans(_ prompts: [PromptReport]) -> [Range<Int64>] {
        prompts.map { prompt in
            let start = SessionDuration(seconds: prompt.startSeconds).frames(atSampleRate: sampleRate)
            return start..<(start + SessionDuration(seconds: prompt.spokenSeconds).frames(atSampleRate: sampleRate))
        }
    }

    /// The seconds of speech in each step's opening prompt and the automatic prompts in it, `nil`
    /// where a step is silent.
    private func spokenSecondsByStep(_ prompts: [PromptReport]) -> [Double?] {
        var seconds = [Double?](repeating: nil, count: steps.count)
        for prompt in prompts where seconds.indices.contains(prompt.stepIndex) && prompt.laterPromptIndex == nil {
            seconds[prompt.stepIndex] = (seconds[prompt.stepIndex] ?? 0) + prompt.spokenSeconds
        }
        return seconds
    }

    /// The stable JSON form other tools read: `name`, `title`, `totalSeconds` (the sleep tail
    /// included), `sleepTailSeconds` (0 when none) and `steps`, each step with `index` (from 1),
    /// `id`, `side` (null when none), `title`, `startSeconds`, `durationSeconds` and `say` (null
    /// when silent); a step with a `say:` list also has `laterPrompts` (each with `at` as written,
    /// `startSeconds` in the session, `say` and `sayAudio`), and one with bells `bellSeconds`, the
    /// times they ring.
    ///
    /// With `prompts` (once speech is known), each step also has `spokenSeconds` (null when
    /// silent), and the document has `prompts`: each with `step` (from 1), `kind`, `text`,
    /// `startSeconds` and `spokenSeconds`.
    public func jsonText(prompts: [PromptReport]? = nil) -> String {
        let spoken = prompts.map { spokenSecondsByStep($0) }
        let ringingBellFrames = Set(ringingBells(avoiding: promptSpans(prompts ?? [])).map(\.frame))
        let document = TimelineDocument(
            name: routineName, title: routineTitle, totalSeconds: totalDuration.seconds,
            sleepTailSeconds: sleepTailDuration.seconds,
            steps: steps.enumerated().map { index, step in
                TimelineDocument.Step(
                    index: index + 1, id: step.id, side: step.side?.rawValue, title: step.title,
                    startSeconds: step.startTime.seconds, durationSeconds: step.duration.seconds, say: step.say,
                    sayAudio: step.sayAudio,
                    hasSpokenSeconds: spoken != nil, spokenSeconds: spoken?[index].map(\.roundedToMilliseconds),
                    laterPrompts: step.laterPrompts.map {
                        TimelineDocument.LaterPrompt(
                            at: $0.position.description,
                            startSeconds: (step.startTime + $0.offset).seconds.roundedToMilliseconds, say: $0.text,
                            sayAudio: $0.sayAudio)
                    },
                    bellSeconds: step.bellFrames.filter(ringingBellFrames.contains).map {
                        (Double($0) / Double(sampleRate)).roundedToMilliseconds
                    })
            },
            prompts: prompts?.map {
                TimelineDocument.Prompt(
                    step: $0.stepIndex + 1, kind: $0.kind.rawValue, text: $0.text, recording: $0.recordingPath,
                    startSeconds: $0.startSeconds.roundedToMilliseconds,
                    spokenSeconds: $0.spokenSeconds.roundedToMilliseconds)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings and numbers cannot fail.
        let data = (try? encoder.encode(document)) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

extension SessionTimeline {
    /// What the table and the picture call the time after the last step.
    static let sleepTailTitle = "Sleep tail"
}

extension RoutineLibrary {
    /// One line per built-in routine: name, length, number of steps and description.
    public static func listText() throws(RoutineError) -> String {
        let routines = try builtIns()
        let nameWidth = max(4, routines.map(\.name.count).max() ?? 0) + 2
        var lines = ["NAME".rightPadded(to: nameWidth) + " LENGTH  STEPS  DESCRIPTION"]
        for routine in routines {
            let timeline = try SessionTimeline(routine: routine)
            let isDefault = routine.name == defaultRoutineName ? " (default)" : ""
            lines.append(
                routine.name.rightPadded(to: nameWidth) + timeline.totalDuration.description.leftPadded(to: 7)
                    + String(timeline.steps.count).leftPadded(to: 7) + "  " + routine.description + isDefault)
        }
        return lines.map { $0.trailingSpacesRemoved() }.joined(separator: "\n")
    }
}

private struct TimelineDocument: Encodable {
    struct Step: Encodable {
        var index: Int
        var id: String
        var side: String?
        var title: String
        var startSeconds: Double
        var durationSeconds: Double
        var say: String?
        /// Only for a step with a recording, so other documents keep their form.
        var sayAudio: String?
        var hasSpokenSeconds = false
        var spokenSeconds: Double?
        /// Only for a step with a `say:` list or bells, so other documents keep their form.
        var laterPrompts: [LaterPrompt] = []
        var bellSeconds: [Double] = []

        enum CodingKeys: String, CodingKey {
            case index, id, side, title, startSeconds, durationSeconds, say, sayAudio, spokenSeconds, laterPrompts
            case bellSeconds
        }

        // Written by hand so that `side` and `say` appear as null rather than being left out.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            try container.encode(id, forKey: .id)
            try container.encode(side, forKey: .side)
            try container.encode(title, forKey: .title)
            try container.encode(startSeconds, forKey: .startSeconds)
            try container.encode(durationSeconds, forKey: .durationSeconds)
            try container.encode(say, forKey: .say)
            try container.encodeIfPresent(sayAudio, forKey: .sayAudio)
            if hasSpokenSeconds { try container.encode(spokenSeconds, forKey: .spokenSeconds) }
            if !laterPrompts.isEmpty { try container.encode(laterPrompts, forKey: .laterPrompts) }
            if !bellSeconds.isEmpty { try container.encode(bellSeconds, forKey: .bellSeconds) }
        }
    }

    /// A later prompt of a step as the routine places it: `at` as written, `startSeconds` from the
    /// start of the session.
    struct LaterPrompt: Encodable {
        var at: String
        var startSeconds: Double
        var say: String?
        var sayAudio: String?
    }

    struct Prompt: Encodable {
        var step: Int
        var kind: String
        var text: String
        /// The recording's path, only for a recorded prompt.
        var recording: String?
        var startSeconds: Double
        var spokenSeconds: Double
    }

    var name: String
    var title: String
    var totalSeconds: Double
    var sleepTailSeconds: Double
    var steps: [Step]
    var prompts: [Prompt]?
}

extension String {
    fileprivate func trailingSpacesRemoved() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}

extension Double {
    fileprivate var roundedToMilliseconds: Double { (self * 1000).rounded() / 1000 }
}
