import Glibc

/// Ctrl-Z and `fg` (SIGTSTP and SIGCONT) do not end the process, but their handlers are installed
/// through the same calls as the termination handlers, so that every signal disposition Soothe
/// sets is set here. The terminal's handlers use these; each is safe inside a signal handler.
public enum JobControlSignals {
    /// Routes `signalNumber` to `handler`.
    public static func install(_ handler: @convention(c) (Int32) -> Void, for signalNumber: Int32) {
        system_sigaction(signalNumber, handler: handler)
    }

    /// Gives `signalNumber` its default action back.
    public static func restoreDefault(for signalNumber: Int32) {
        system_sigaction(signalNumber, disposition: SIG_DFL)
    }

    /// Sends `signalNumber` to the process itself (from a handler, it arrives once that returns).
    public static func raise(_ signalNumber: Int32) {
        system_raise(signalNumber)
    }

    /// Unblocks `signalNumbers` on the calling thread: a parent may hand down a mask that blocks
    /// them.
    public static func unblock(_ signalNumbers: [Int32]) {
        system_pthread_sigmask_unblock(signalNumbers)
    }
}
