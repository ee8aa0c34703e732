import Synchronization
import Termination

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

// Termination signals (Ctrl-C, SIGTERM, SIGHUP …) are Termination's: a session watches for them
// and ends with a fade. Job control is the terminal's own business, installed through
// Termination's `JobControlSignals`: its handlers can only reach globals, and touch nothing but
// these atomics, the two saved terminal modes, and async-signal-safe calls (tcsetattr,
// sigaction, raise).

/// Set when the process comes back from Ctrl-Z, so the status line is drawn again.
let continuedSignal = Atomic<Bool>(false)
private let isRawModeActive = Atomic<Bool>(false)
nonisolated(unsafe) private var savedTerminalMode = termios()
nonisolated(unsafe) private var rawTerminalMode = termios()

private func isForegroundOnTerminal() -> Bool {
    tcgetpgrp(STDIN_FILENO) == getpgrp()
}

/// Ctrl-Z: give the shell its terminal back as it was, then stop the way SIGTSTP does by default.
private func handleStop(_ signalNumber: Int32) {
    if isRawModeActive.load(ordering: .acquiring) {
        _ = tcsetattr(STDIN_FILENO, TCSANOW, &savedTerminalMode)
    }
    JobControlSignals.restoreDefault(for: SIGTSTP)
    // Blocked while this handler runs; it stops the process as soon as the handler returns.
    JobControlSignals.raise(SIGTSTP)
}

/// `fg`: take the keys again.
private func handleContinue(_ signalNumber: Int32) {
    JobControlSignals.install(handleStop, for: SIGTSTP)
    if isRawModeActive.load(ordering: .acquiring) && isForegroundOnTerminal() {
        _ = tcsetattr(STDIN_FILENO, TCSANOW, &rawTerminalMode)
    }
    continuedSignal.store(true, ordering: .releasing)
}

/// The terminal in key-at-a-time mode for the length of a session, a watch for termination
/// signals, and the job-control handlers that put the terminal back whatever happens: a normal
/// end, any termination signal, Ctrl-Z and `fg`.
final class TerminalSession {
    let readsKeys: Bool
    /// Open for the length of the session: a termination signal is recorded for the session to
    /// end with a fade, rather than ending the process with the terminal in key mode.
    let terminationWatch = TerminationSignals.watch()

    /// Enters raw key mode when `readsKeys` (stdin is a terminal); installs the job-control handlers.
    init(readsKeys: Bool) {
        self.readsKeys = readsKeys
        // A parent may have started us with these blocked (signal masks are inherited); Ctrl-Z and
        // `fg` must reach the handlers below.
        JobControlSignals.unblock([SIGTSTP, SIGCONT])
        guard readsKeys, tcgetattr(STDIN_FILENO, &savedTerminalMode) == 0 else { return }
        rawTerminalMode = savedTerminalMode
        // Keys arrive one at a time and are not echoed; ISIG stays on so Ctrl-C and Ctrl-Z still
        // raise their signals, and output processing stays on so the status line behaves.
        rawTerminalMode.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &rawTerminalMode.c_cc) { controlCharacters in
            controlCharacters[Int(VMIN)] = 1
            controlCharacters[Int(VTIME)] = 0
        }
        isRawModeActive.store(true, ordering: .releasing)
        _ = tcsetattr(STDIN_FILENO, TCSANOW, &rawTerminalMode)
        JobControlSignals.install(handleStop, for: SIGTSTP)
        JobControlSignals.install(handleContinue, for: SIGCONT)
    }

    /// Puts the terminal back as it was and job control to its defaults. Safe to call twice.
    func restore() {
        if isRawModeActive.exchange(false, ordering: .acquiringAndReleasing) {
            _ = tcsetattr(STDIN_FILENO, TCSANOW, &savedTerminalMode)
            JobControlSignals.restoreDefault(for: SIGTSTP)
            JobControlSignals.restoreDefault(for: SIGCONT)
        }
    }

    deinit { restore() }

    /// Whether standard input has ended (a closed pipe, a hung-up terminal): no more keys will come.
    private(set) var isAtEndOfInput = false

    /// Waits up to `timeoutMilliseconds` for input and returns the bytes read (empty on timeout).
    func readBytes(timeoutMilliseconds: Int32) -> [UInt8] {
        guard readsKeys, !isAtEndOfInput else {
            _ = poll(nil, 0, timeoutMilliseconds)
            return []
        }
        var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, timeoutMilliseconds) > 0,
            descriptor.revents & Int16(POLLIN | POLLHUP | POLLERR | POLLNVAL) != 0
        else {
            return []
        }
        var bytes = [UInt8](repeating: 0, count: 64)
        let count = bytes.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
        // At the end, poll reports the descriptor ready for ever; it is not polled again.
        if count == 0 || (count < 0 && errno != EINTR && errno != EAGAIN) { isAtEndOfInput = true }
        return count > 0 ? Array(bytes.prefix(count)) : []
    }

    /// The width in columns of the terminal `descriptor` writes to, 80 when unknown.
    static func columns(of descriptor: Int32) -> Int {
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }
}
