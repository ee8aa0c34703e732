import Glibc
import Synchronization

// The handler can reach only globals, and may touch nothing but these atomics and async-signal-safe
// calls (`_exit`, `sigaction`, `raise`). Each is touched once before any handler is installed, so
// its lazy initialisation never runs inside a handler.

/// How many watches are open; while any is, a signal is recorded instead of ending the process.
private let openWatchCount = Atomic<Int>(0)
/// The first signal since the first open watch began, or 0.
private let firstReceivedSignal = Atomic<Int32>(0)
/// How many signals arrived since the first open watch began.
private let signalCountSinceFirstWatch = Atomic<Int>(0)
/// Whether a signal that arrives while nothing watches ends the process with `exitStatus` (the
/// `soothe` command) rather than as it would have without Soothe (a library user, such as tests).
private let endsProcessWhenUnwatched = Atomic<Bool>(false)
private let isInstalled = Atomic<Bool>(false)

private func handleTerminationSignal(_ signalNumber: Int32) {
    if openWatchCount.load(ordering: .acquiring) > 0 {
        _ = firstReceivedSignal.compareExchange(expected: 0, desired: signalNumber, ordering: .relaxed)
        signalCountSinceFirstWatch.add(1, ordering: .releasing)
    } else if endsProcessWhenUnwatched.load(ordering: .relaxed) {
        system__exit(TerminationSignals.exitStatus)
    } else {
        system_sigaction(signalNumber, disposition: SIG_DFL)
        system_raise(signalNumber)
    }
}

/// The one place Soothe handles the signals that end a process.
///
/// Every signal whose default action ends the process and that comes from outside it (SIGHUP,
/// SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGUSR1 …) is handled alike. Work that leaves something
/// behind if cut short — an export's temporary file, the terminal in key mode — opens a `watch()`
/// and polls `receivedSignal`; it then stops, cleans up and exits with `exitStatus`. A signal that
/// arrives while nothing watches ends the process at once with `exitStatus`: there is nothing to
/// clean up. SIGQUIT is one of them, so it is a clean stop rather than a runtime crash report.
public enum TerminationSignals {
    /// The exit status after any of these signals: 130, as for Ctrl-C, whichever signal it was.
    /// (Computed, so that the handler reads no lazily initialised global.)
    public static var exitStatus: Int32 { 130 }

    /// The handled signals. Faults (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS) are
    /// left to the runtime: after one, nothing can be trusted to clean up.
    public static let handledSignals: [Int32] = [
        SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGALRM, SIGTERM, SIGUSR1, SIGUSR2, SIGIO, SIGPROF, SIGVTALRM,
        SIGXCPU, SIGPWR, SIGSTKFLT,
    ]

    /// Installs the handlers for the whole process; the `soothe` command calls this first.
    ///
    /// SIGXFSZ is ignored, so that writing past a file-size limit (`ulimit -f`) fails with EFBIG
    /// and the export can say so and clean up. SIGHUP stays ignored when it was ignored on entry:
    /// that is what `nohup` asks for. The others are caught even when ignored on entry (a script's
    /// background job starts with SIGINT ignored): stopping on request and leaving nothing behind is
    /// always safe. A parent may also hand down a mask that blocks them (some process launchers
    /// do); they are unblocked on this thread, so that they arrive rather than stay pending.
    public static func installForProcess() {
        endsProcessWhenUnwatched.store(true, ordering: .relaxed)
        install()
    }

    /// Starts watching: until the watch is dropped, a signal is recorded in `receivedSignal` and
    /// the caller is expected to stop soon. Installs the handlers if `installForProcess()` was not
    /// called, and unblocks the signals on the calling thread.
    public static func watch() -> TerminationWatch {
        install()
        system_pthread_sigmask_unblock(handledSignals + [SIGXFSZ])
        return TerminationWatch()
    }

    /// The first signal that arrived while a watch was open, or 0.
    public static var receivedSignal: Int32 { firstReceivedSignal.load(ordering: .relaxed) }

    /// How many signals arrived while a watch was open.
    public static var receivedSignalCount: Int { signalCountSinceFirstWatch.load(ordering: .acquiring) }

    /// A signal's name, such as `SIGHUP`, for messages.
    public static func name(of signalNumber: Int32) -> String {
        let names: [Int32: String] = [
            SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM",
            SIGTERM: "SIGTERM", SIGUSR1: "SIGUSR1", SIGUSR2: "SIGUSR2", SIGIO: "SIGIO", SIGPROF: "SIGPROF",
            SIGVTALRM: "SIGVTALRM", SIGXCPU: "SIGXCPU", SIGPWR: "SIGPWR", SIGSTKFLT: "SIGSTKFLT",
        ]
        return names[signalNumber] ?? "signal \(signalNumber)"
    }

    private static func install() {
        // Touch every global the handler reads before a handler can run.
        _ = openWatchCount.load(ordering: .relaxed)
        _ = firstReceivedSignal.load(ordering: .relaxed)
        _ = signalCountSinceFirstWatch.load(ordering: .relaxed)
        _ = endsProcessWhenUnwatched.load(ordering: .relaxed)
        guard isInstalled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        for signalNumber in handledSignals {
            if signalNumber == SIGHUP && system_sigaction_isIgnored(SIGHUP) { continue }
            system_sigaction(signalNumber, handler: handleTerminationSignal)
        }
        system_sigaction(SIGXFSZ, disposition: SIG_IGN)
        system_pthread_sigmask_unblock(handledSignals + [SIGXFSZ])
    }

    fileprivate static func beginWatch() {
        if openWatchCount.add(1, ordering: .acquiringAndReleasing).oldValue == 0 {
            firstReceivedSignal.store(0, ordering: .relaxed)
            signalCountSinceFirstWatch.store(0, ordering: .releasing)
        }
    }

    fileprivate static func endWatch() {
        openWatchCount.subtract(1, ordering: .acquiringAndReleasing)
    }
}

/// An open watch for termination signals; see `TerminationSignals.watch()`. Work that runs at the
/// same time (concurrent exports) shares what arrived: one signal stops all of it.
public final class TerminationWatch: Sendable {
    fileprivate init() {
        TerminationSignals.beginWatch()
    }

    deinit {
        TerminationSignals.endWatch()
    }

    /// The first signal that arrived while this or another watch was open, or 0.
    public var receivedSignal: Int32 { TerminationSignals.receivedSignal }

    /// Whether a signal asked the watching work to stop.
    public var isStopRequested: Bool { receivedSignal != 0 }
}
