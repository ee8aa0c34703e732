import Sequencer
import Synchronization
import Termination

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// How a session ended.
public enum PlaybackOutcome: Equatable, Sendable {
    /// It played to its end.
    case finished
    /// The user stopped it with `q`.
    case stopped
    /// A termination signal (Ctrl-C, SIGTERM, SIGHUP …) stopped it after a gentle fade; the value
    /// is the signal number.
    case interrupted(signal: Int32)
}

/// Plays a session on a device: the audio thread, keys from the terminal, the status line, and a
/// clean end on every path.
public struct Player {
    /// How long the device may take a single block before it is declared stuck, beyond its latency.
    public static let stallTimeoutSeconds = 4.0
    static let keyPollMilliseconds: Int32 = 40
    static let statusIntervalSeconds = 0.25

    public var device: OutputDevice
    public var volumeDecibels: Double
    /// Draw the one-line status on stderr (only sensible when stderr is a terminal).
    public var showsStatus: Bool
    /// Read keys from stdin (only when stdin is a terminal).
    public var readsKeys: Bool

    public init(device: OutputDevice, volumeDecibels: Double = 0, showsStatus: Bool, readsKeys: Bool) {
        self.device = device
        self.volumeDecibels = volumeDecibels
        self.showsStatus = showsStatus
        self.readsKeys = readsKeys
    }

    /// Whether stdin and stderr are terminals, for `readsKeys` and `showsStatus`.
    public static var standardInputIsTerminal: Bool { TerminalSession.isTerminal(STDIN_FILENO) }
    public static var standardErrorIsTerminal: Bool { TerminalSession.isTerminal(STDERR_FILENO) }

    /// Plays `session` until it ends, the user stops it, or a signal arrives; returns how it
    /// ended. Throws when the device cannot be opened or fails while playing.
    ///
    /// A second signal while the stop fades out leaves at once, with the terminal restored and
    /// `TerminationSignals.exitStatus`.
    ///
    /// `hasFailed` is asked while playing: once it is true (a prompt could not be prepared), the
    /// session stops with the same gentle fade as `q`.
    public func play(
        _ session: PlayableSession, on system: AudioSystem, makeSession: @escaping SessionFactory,
        hasFailed: () -> Bool = { false }
    ) throws(PlaybackError) -> PlaybackOutcome {
        let transport = Transport(session: session, volumeDecibels: volumeDecibels, makeSession: makeSession)
        let writer = try AudioWriter(system: system, device: device, transport: transport)
        let terminal = TerminalSession(readsKeys: readsKeys)
        var status = StatusLine(isEnabled: showsStatus, descriptor: system.statusDescriptor)
        defer {
            status.clear()
            terminal.restore()
        }
        try writer.start()

        var decoder = KeyDecoder()
        var isStoppedByUser = false
        var handledSignals = 0
        var lastStatusTime = 0.0
        var note: String?
        // What the volume keys have made of the volume, for the note each press shows.
        var volume = Transport.volumeRange.clamp(volumeDecibels)
        let stallLimit = Self.stallTimeoutSeconds + writer.outputLatencySeconds
        while !writer.hasFinished {
            for action in decoder.decode(terminal.readBytes(timeoutMilliseconds: Self.keyPollMilliseconds)) {
                switch action {
                case .command(let command):
                    if command == .stop { isStoppedByUser = true }
                    if command == .nextStep, transport.status.nextStepStops {
                        isStoppedByUser = true
                    }
                    transport.send(command)
                    if command == .volumeUp || command == .volumeDown {
                        let change = command == .volumeUp ? Transport.volumeStepDecibels : -Transport.volumeStepDecibels
                        volume = Transport.volumeRange.clamp(volume + change)
                        note = StatusLine.volumeNote(volume)
                    }
                case .lengthenStep, .shortenStep:
                    let change =
                        action == .lengthenStep
                        ? Transport.stepLengthChange : SessionDuration.zero - Transport.stepLengthChange
                    do {
                        try transport.changeCurrentStepLength(by: change)
                    } catch {
                        note = "could not change the step's length: \(error)"
                    }
                }
                lastStatusTime = 0
            }
            if !isStoppedByUser && hasFailed() {
                isStoppedByUser = true
                transport.send(.stop)
            }
            let signals = TerminationSignals.receivedSignalCount
            if signals > handledSignals {
                if handledSignals > 0 || transport.status.isPaused {
                    // Asked twice, or nothing is playing: leave now. The audio thread may be inside
                    // PortAudio, so PortAudio cannot be shut down under it; the process ends here.
                    status.clear()
                    terminal.restore()
                    _exit(TerminationSignals.exitStatus)
                }
                handledSignals = signals
                transport.send(.stop)
            }
            if continuedSignal.exchange(false, ordering: .acquiring) { lastStatusTime = 0 }
            transport.collectRetiredSessions()
            let now = Double(AudioWriter.now()) / 1e9
            if now - lastStatusTime >= Self.statusIntervalSeconds {
                status.draw(transport.status, note: note)
                note = nil
                lastStatusTime = now
            }
            if writer.secondsSinceLastWrite > stallLimit {
                // The device stopped taking audio and the audio thread is stuck inside it: it can
                // be neither joined nor have PortAudio shut down under it, so the process ends here.
                status.clear()
                terminal.restore()
                let error = PlaybackError.deviceFailed(
                    device: device.name, reason: "it took no audio for \(Int(stallLimit)) seconds")
                status.writeLine("Error: \(error)")
                _exit(74)
            }
        }
        if let error = writer.error { throw error }
        if handledSignals > 0 { return .interrupted(signal: terminal.terminationWatch.receivedSignal) }
        return isStoppedByUser ? .stopped : .finished
    }
}

/// The one-line status on stderr: step n of N, title, side, time left in the step and in the
/// session, a progress bar, and what the player is waiting for.
struct StatusLine {
    let isEnabled: Bool
    private let descriptor: Int32
    private var isDrawn = false

    init(isEnabled: Bool, descriptor: Int32) {
        self.isEnabled = isEnabled
        self.descriptor = descriptor
    }

    static func text(_ status: TransportStatus, columns: Int) -> String {
        let side = status.side.map { " (\($0.rawValue))" } ?? ""
        // First, so that a narrow terminal never cuts it off.
        let state =
            status.isWaitingForHold
            ? "Waiting, press space to go on · "
            : status.isStopping
                ? "Stopping · "
                : status.isPaused ? "Paused · " : ""
        let fraction = status.totalFrames > 0 ? Double(status.positionFrame) / Double(status.totalFrames) : 0
        let barWidth = 20
        let filled = min(barWidth, max(0, Int((fraction * Double(barWidth)).rounded())))
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled) + "]"
        let head: String
        let times: String
        if status.isInSleepTail {
            head = "Sleep tail, fading to silence"
            times = "\(clock(status.secondsLeftInSession)) left"
        } else {
            // Titles are checked when a routine is read; escaping here keeps any other source harmless.
            head =
                "Step \(status.stepIndex + 1) of \(status.stepCount): \(status.stepTitle.escapingControlCharacters)\(side)"
            times = "\(clock(status.secondsLeftInStep)) left, session \(clock(status.secondsLeftInSession))"
        }
        let line = "\(state)\(head) · \(times) \(bar)"
        return line.count > columns - 1 ? String(line.prefix(max(0, columns - 1))) : line
    }

    /// What a volume key press shows: the volume now, and whether it is at an end of its range,
    /// so that a press that changes nothing says why.
    static func volumeNote(_ decibels: Double) -> String {
        let number = decibels == decibels.rounded() ? String(Int(decibels)) : String(decibels)
        let level = "Volume \(decibels > 0 ? "+" : "")\(number) dB"
        if decibels >= Transport.volumeRange.upperBound { return level + ", the most" }
        if decibels <= Transport.volumeRange.lowerBound { return level + ", the least" }
        return level
    }

    /// `m:ss`, rounded up so that "0:00" means the step is over.
    static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.up))
        let secondsPart = whole % 60
        return "\(whole / 60):" + (secondsPart < 10 ? "0" : "") + String(secondsPart)
    }

    mutating func draw(_ status: TransportStatus, note: String?) {
        guard isEnabled else { return }
        var text = "\r" + Self.text(status, columns: TerminalSession.columns(of: descriptor)) + "\u{1B}[K"
        if let note { text = "\r\u{1B}[K" + note + "\n" + text }
        write(text)
        isDrawn = true
    }

    mutating func clear() {
        guard isEnabled, isDrawn else { return }
        write("\r\u{1B}[K")
        isDrawn = false
    }

    /// Writes a whole line, status or not.
    func writeLine(_ text: String) {
        write(text + "\n")
    }

    private func write(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
    }
}
