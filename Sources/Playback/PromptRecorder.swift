import Sequencer
import Termination

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One prompt to record, as the recorder shows it.
public struct RecordingPrompt: Equatable, Sendable {
    /// What the prompt belongs to, such as "Thumb circles (right and left)".
    public var heading: String
    /// The words to read.
    public var text: String

    public init(heading: String, text: String) {
        self.heading = heading
        self.text = text
    }
}

/// What a finished take is worth, as the caller judges it.
public enum TakeReview: Equatable, Sendable {
    /// Worth keeping: the samples to play back and keep (trimmed, say).
    case usable([Float])
    /// Not worth keeping, with a message that says why and what to do.
    case refused(String)
}

/// How a recording session ended.
public enum RecordingOutcome: Equatable, Sendable {
    /// Every prompt was kept or skipped.
    case finished
    /// The user quit with `q`, or the keys ran out (standard input ended).
    case quit
    /// A termination signal (Ctrl-C, SIGTERM, SIGHUP …) stopped it; the value is the signal number.
    case interrupted(signal: Int32)
}

/// Walks a person through recording prompts in their own voice: shows each prompt, records from
/// an input device until Enter, and lets them play the take back, record it again or skip it.
/// Keys come from the terminal (or from a pipe, a line at a time); the terminal is restored on
/// every path.
///
/// Keys: Enter starts and stops a take and keeps a good one, `p` plays the take back, `r` records
/// it again, `s` skips the prompt, `q` (or Ctrl-C) quits. A take that is kept is handed to `keep`
/// at once, so that what was kept stays kept whatever happens next.
public struct PromptRecorder {
    /// The longest take: a prompt is at most about two minutes of speech.
    public static let maximumTakeSeconds = 180.0
    static let keyPollMilliseconds: Int32 = 40
    static let levelIntervalSeconds = 0.1

    public var input: InputDevice
    /// Where takes are played back; `nil` when there is no output device.
    public var output: OutputDevice?
    public var sampleRate: Int
    /// Read keys from standard input (a terminal in key mode, or a pipe).
    public var readsKeys: Bool
    /// Redraw a level meter while recording (only sensible when standard output is a terminal).
    public var drawsLevel: Bool

    public init(input: InputDevice, output: OutputDevice?, sampleRate: Int, readsKeys: Bool, drawsLevel: Bool) {
        self.input = input
        self.output = output
        self.sampleRate = sampleRate
        self.readsKeys = readsKeys
        self.drawsLevel = drawsLevel
    }

    /// Whether standard output is a terminal, for `drawsLevel`.
    public static var standardOutputIsTerminal: Bool { TerminalSession.isTerminal(STDOUT_FILENO) }

    private enum State {
        case ready
        case recording(InputCapture)
        case reviewing([Float])
    }

    /// Records `prompts` in order. `review` judges each finished take; `keep` stores a good one the
    /// user keeps and returns the line to show (its error ends the session and is rethrown, with
    /// the terminal restored).
    public func record(
        _ prompts: [RecordingPrompt], review: ([Float]) -> TakeReview,
        keep: (_ promptIndex: Int, _ take: [Float]) throws -> String
    ) throws -> RecordingOutcome {
        let terminal = TerminalSession(readsKeys: readsKeys)
        var screen = RecorderScreen(drawsLevel: drawsLevel)
        var player: TakePlayer?
        defer {
            player?.stop()
            screen.clearLevel()
            terminal.restore()
        }
        var decoder = KeyDecoder()
        // Keys that came after the one that ended a prompt, in the same read, are for the next.
        var carried: [TerminalKey] = []
        for (index, prompt) in prompts.enumerated() {
            screen.say(
                "\nPrompt \(index + 1) of \(prompts.count): \(prompt.heading.escapingControlCharacters)\n  "
                    + "\"\(prompt.text.escapingControlCharacters)\"")
            screen.say("  Enter records, s skips, q quits.")
            var state = State.ready
            var lastLevelTime = 0.0
            promptLoop: while true {
                let keys = decoder.keys(terminal.readBytes(timeoutMilliseconds: Self.keyPollMilliseconds))
                // After the keys, so that a signal wins over keys or an end of input that came with it
                // (the signal may be handled on another thread while this one reads).
                if TerminationSignals.receivedSignalCount > 0 {
                    return .interrupted(signal: terminal.terminationWatch.receivedSignal)
                }
                if let finished = player, finished.hasFinished { player = nil }
                var pending = carried + keys
                carried = []
                if case .recording(let capture) = state {
                    capture.drain()
                    let seconds = Double(capture.samples.count) / Double(sampleRate)
                    let now = Double(AudioWriter.now()) / 1e9
                    if now - lastLevelTime >= Self.levelIntervalSeconds {
                        screen.drawLevel(seconds: seconds, peak: capture.takePeak())
                        lastLevelTime = now
                    }
                    if seconds >= Self.maximumTakeSeconds {
                        screen.say("  The take reached \(Int(Self.maximumTakeSeconds)) s, the longest a take may be.")
                        pending.insert(.enter, at: 0)
                    }
                }
                if pending.isEmpty && terminal.isAtEndOfInput {
                    screen.say("  The keys ended (standard input closed); stopping.")
                    return .quit
                }
                for (position, key) in pending.enumerated() {
                    let command = Command(key)
                    let later = Array(pending[(position + 1)...])
                    // Whatever comes next, a take that is playing stops first.
                    if command != nil { player?.stop() }
                    switch (state, command) {
                    case (_, .quit?):
                        return .quit
                    case (_, .skip?):
                        screen.clearLevel()
                        screen.say("  Skipped: the voice will speak this prompt.")
                        carried = later
                        break promptLoop
                    case (.ready, .enter?), (_, .retake?):
                        // The take before, if any, lets go of the device before it is opened again.
                        state = .ready
                        state = .recording(try InputCapture(device: input, sampleRate: sampleRate))
                        screen.say("  Recording; press Enter to stop.")
                    case (.recording(let capture), .enter?):
                        screen.clearLevel()
                        state = .ready
                        let verdict: TakeReview
                        do { verdict = review(try capture.finish()) } catch { verdict = .refused("\(error).") }
                        switch verdict {
                        case .usable(let take):
                            state = .reviewing(take)
                            screen.say(
                                "  Take: \(Self.secondsText(take.count, sampleRate)) s. Enter keeps it, p plays it, "
                                    + "r records it again, s skips, q quits.")
                        case .refused(let reason):
                            screen.say("  \(reason) Enter records again, s skips, q quits.")
                        }
                    case (.reviewing(let take), .enter?):
                        screen.say("  " + (try keep(index, take)))
                        carried = later
                        break promptLoop
                    case (.reviewing(let take), .play?):
                        if let output {
                            do {
                                player = try TakePlayer(device: output, samples: take, sampleRate: sampleRate)
                                screen.say("  Playing the take.")
                            } catch {
                                screen.say("  The take cannot be played: \(error)")
                            }
                        } else {
                            screen.say("  There is no output device to play the take on.")
                        }
                    default:
                        break
                    }
                }
            }
        }
        return .finished
    }

    /// What a key asks of the recorder.
    private enum Command {
        case enter, play, retake, skip, quit

        init?(_ key: TerminalKey) {
            switch key {
            case .enter: self = .enter
            case .interrupt: self = .quit
            case .character(let character):
                switch character {
                case "p", "P": self = .play
                case "r", "R": self = .retake
                case "s", "S": self = .skip
                case "q", "Q": self = .quit
                default: return nil
                }
            default: return nil
            }
        }
    }

    /// Seconds with one decimal: `3.4`.
    static func secondsText(_ frameCount: Int, _ sampleRate: Int) -> String {
        let tenths = Int((Double(frameCount) / Double(sampleRate) * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}

/// What the recorder shows on standard output: whole lines, and while recording a level meter
/// redrawn in place when standard output is a terminal.
struct RecorderScreen {
    let drawsLevel: Bool
    private var isLevelDrawn = false

    init(drawsLevel: Bool) {
        self.drawsLevel = drawsLevel
    }

    mutating func say(_ line: String) {
        clearLevel()
        write(line + "\n")
    }

    /// `  ● 0:03.2  [#######-------------]`, the bar spanning -60 to 0 dBFS.
    mutating func drawLevel(seconds: Double, peak: Float) {
        guard drawsLevel else { return }
        let decibels = peak > 0 ? 20 * log10(Double(peak)) : -100
        let width = 20
        let filled = min(width, max(0, Int(((decibels + 60) / 60 * Double(width)).rounded())))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let tenths = Int((seconds * 10).rounded(.down))
        let clock = "\(tenths / 600):" + (tenths / 10 % 60 < 10 ? "0" : "") + "\(tenths / 10 % 60).\(tenths % 10)"
        write("\r  * \(clock)  [\(bar)]\u{1B}[K")
        isLevelDrawn = true
    }

    mutating func clearLevel() {
        guard isLevelDrawn else { return }
        write("\r\u{1B}[K")
        isLevelDrawn = false
    }

    private func write(_ text: String) {
        var bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeMutableBytes {
                Glibc.write(STDOUT_FILENO, $0.baseAddress! + done, $0.count - done)
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            done += count
        }
    }
}
