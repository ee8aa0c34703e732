public import Sequencer

/// Chapter lists for other players: a CUE sheet and WebVTT chapters, one entry per step.
extension SessionTimeline {
    /// A CUE sheet with one track per step, for an audio file named `audioFileName`.
    ///
    /// `fileType` is the CUE `FILE` type: `WAVE` for WAV and FLAC, `MP3` for MP3. Index times are
    /// in CUE frames (75 per second), rounded down so that a track never starts after its step.
    /// A sheet holds at most 99 tracks; later steps are left out.
    public func cueSheetText(audioFileName: String, fileType: String = "WAVE") -> String {
        var lines = [
            "REM COMMENT \"Soothe\"",
            "PERFORMER \"Soothe\"",
            "TITLE \(Self.cueQuoted(routineTitle))",
            "FILE \(Self.cueQuoted(audioFileName)) \(fileType)",
        ]
        var chapters = steps.indices.map { (steps[$0].startTime, chapterTitle(ofStep: $0)) }
        if hasSleepTail { chapters.append((stepsDuration, Self.sleepTailChapterTitle)) }
        for (index, (startTime, title)) in chapters.enumerated().prefix(99) {
            let cueFrames = startTime.microseconds * 75 / 1_000_000
            let minutes = cueFrames / (75 * 60)
            let seconds = (cueFrames / 75) % 60
            let frames = cueFrames % 75
            lines.append("  TRACK \(Self.twoDigits(Int64(index + 1))) AUDIO")
            lines.append("    TITLE \(Self.cueQuoted(title))")
            lines.append("    PERFORMER \"Soothe\"")
            lines.append("    INDEX 01 \(Self.twoDigits(minutes)):\(Self.twoDigits(seconds)):\(Self.twoDigits(frames))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The chapter sidecar for an audio file at `audioPath`: its path and text, a CUE sheet
    /// (`.cue`) or WebVTT chapters (`.vtt`) beside it with the audio file's extension replaced.
    public func chapterFile(audioPath: String, asCueSheet: Bool) -> (path: String, text: String) {
        let name = audioPath.split(separator: "/").last.map(String.init) ?? audioPath
        let extensionLength = name.lastIndex(of: ".").map { name.distance(from: $0, to: name.endIndex) } ?? 0
        let base = String(audioPath.dropLast(extensionLength == name.count ? 0 : extensionLength))
        return asCueSheet
            ? (base + ".cue", cueSheetText(audioFileName: name, fileType: "WAVE"))
            : (base + ".vtt", webVTTChaptersText())
    }

    /// WebVTT chapters: one cue per step from its start to its end, titled like the step.
    public func webVTTChaptersText() -> String {
        var lines = ["WEBVTT", ""]
        for index in steps.indices {
            let step = steps[index]
            lines.append(String(index + 1))
            lines.append(
                "\(Self.vttTime(step.startTime.microseconds)) --> "
                    + "\(Self.vttTime((step.startTime + step.duration).microseconds))")
            lines.append(Self.vttCueText(chapterTitle(ofStep: index)))
            lines.append("")
        }
        if hasSleepTail {
            lines += [
                String(steps.count + 1),
                "\(Self.vttTime(stepsDuration.microseconds)) --> \(Self.vttTime(totalDuration.microseconds))",
                Self.sleepTailChapterTitle, "",
            ]
        }
        return lines.joined(separator: "\n")
    }

    /// WebVTT captions: one cue per spoken prompt, every prompt of a `say:` list and the automatic
    /// ones included, from the moment it starts to the moment it ends, with its words (a
    /// recording's transcript, or `[recorded]` without one).
    public func webVTTCaptionsText(prompts: [PromptReport]) -> String {
        var lines = ["WEBVTT", ""]
        for (index, prompt) in prompts.sorted(by: { $0.startSeconds < $1.startSeconds }).enumerated() {
            let start = SessionDuration(seconds: prompt.startSeconds)
            let end = SessionDuration(seconds: prompt.startSeconds + prompt.spokenSeconds)
            let words = prompt.text.isEmpty ? "[recorded]" : prompt.text
            lines += [
                String(index + 1), "\(Self.vttTime(start.microseconds)) --> \(Self.vttTime(end.microseconds))",
                Self.vttCueText(words), "",
            ]
        }
        return lines.joined(separator: "\n")
    }

    /// Text as a WebVTT cue shows it: `&`, `<` and `>` escaped, so a title or prompt such as
    /// "<b>Rest</b>" or "heel --> toe" reads as written rather than as markup or a timing line.
    /// (Routine text holds no line breaks, and a cue's text ends only at a blank line.)
    static func vttCueText(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    private static func twoDigits(_ value: Int64) -> String {
        value < 10 ? "0\(value)" : String(value)
    }

    /// `HH:MM:SS.mmm`, rounded to the nearest millisecond.
    private static func vttTime(_ microseconds: Int64) -> String {
        let milliseconds = (microseconds + 500) / 1000
        let hours = milliseconds / 3_600_000
        let minutes = (milliseconds / 60_000) % 60
        let seconds = (milliseconds / 1000) % 60
        let fraction = milliseconds % 1000
        let fractionText = fraction < 10 ? "00\(fraction)" : fraction < 100 ? "0\(fraction)" : String(fraction)
        return "\(twoDigits(hours)):\(twoDigits(minutes)):\(twoDigits(seconds)).\(fractionText)"
    }

    /// A CUE string in double quotes; CUE has no escape, so inner quotes become single quotes.
    private static func cueQuoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\"", with: "'") + "\""
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
