import Glibc

/// What the commands print on standard output goes through C's buffered `stdout`; a write that
/// fails (a full disk, a reader that went away) ends the process with 74 (EX_IOERR) and says why,
/// instead of being lost.
public enum StandardOutput {
    /// Why the first failed write failed (an `errno`), or 0.
    nonisolated(unsafe) private static var failedWriteErrorNumber: Int32 = 0

    /// Writes `text` and `terminator` as `Swift.print` does, noting why a write failed: text
    /// longer than the buffer is written past it, so nothing of it is left for the flush at exit
    /// to fail on.
    public static func write(_ text: String, terminator: String = "\n") {
        let watch = TerminationSignals.watch()
        Swift.print(text, terminator: terminator)
        if failedWriteErrorNumber == 0 && system_ferror_stdout() { failedWriteErrorNumber = system_errno() }
        stopIfSignalled(watch)
    }

    /// Ends the process as any termination signal does, unless the signal was the SIGPIPE of a
    /// write to a reader that went away: that is a failed write, reported as one (74), as a full
    /// disk is. (Unwatched, SIGPIPE would end the process at once, with 130 and no word.)
    private static func stopIfSignalled(_ watch: TerminationWatch) {
        let signal = watch.receivedSignal
        guard signal != 0, signal != SIGPIPE || !system_ferror_stdout() else { return }
        system__exit(TerminationSignals.exitStatus)
    }

    /// Flushes standard output and ends the process with 74 (EX_IOERR) and a message if anything
    /// written to it was lost. Runs as an exit handler, so it leaves with `_exit`.
    public static func finish() {
        // fflush(NULL) flushes every output stream and fails when a write fails; what a full disk
        // or a closed pipe refused earlier is still in the buffer, so it fails again here. A write
        // that failed past the buffer left only the stream's error flag.
        let watch = TerminationSignals.watch()
        let flushFailed = !system_fflush_all()
        let errorNumber = flushFailed ? system_errno() : failedWriteErrorNumber
        stopIfSignalled(watch)
        guard flushFailed || system_ferror_stdout() else { return }
        let reason = errorNumber != 0 ? system_strerror(errorNumber) : "a write failed"
        system_fputs_stderr("Error: could not write to standard output: \(reason)\n")
        system__exit(74)
    }
}
