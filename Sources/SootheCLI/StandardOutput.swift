// C's `stdout` is a global that Swift 6 cannot prove safe to touch; only the main thread prints.
@preconcurrency import Glibc
import Sequencer
import Termination

/// What the commands print on standard output goes through C's buffered `stdout`.
enum StandardOutput {
    /// Why the first failed write of `print` failed (an `errno`), or 0.
    nonisolated(unsafe) private static var failedWriteErrorNumber: Int32 = 0

    /// Prints as `Swift.print` does, with every control character but the line breaks escaped
    /// (names from the file system reach here), noting why a write failed: text longer than the
    /// buffer is written past it, so nothing of it is left for the flush at exit to fail on.
    static func print(_ text: String, terminator: String = "\n") {
        let watch = TerminationSignals.watch()
        Swift.print(text.escapingControlCharactersByLine, terminator: terminator)
        if failedWriteErrorNumber == 0 && ferror(stdout) != 0 { failedWriteErrorNumber = errno }
        stopIfSignalled(watch)
    }

    /// Ends the process as any termination signal does, unless the signal was the SIGPIPE of a
    /// write to a reader that went away: that is a failed write, reported as one (74), as a full
    /// disk is. (Unwatched, SIGPIPE would end the process at once, with 130 and no word.)
    private static func stopIfSignalled(_ watch: TerminationWatch) {
        let signal = watch.receivedSignal
        guard signal != 0, signal != SIGPIPE || ferror(stdout) == 0 else { return }
        _exit(TerminationSignals.exitStatus)
    }

    /// Flushes standard output and ends the process with 74 (EX_IOERR) and a message if anything
    /// written to it was lost. Runs as an exit handler, so it leaves with `_exit`.
    static func finish() {
        // fflush(NULL) flushes every output stream and fails when a write fails; what a full disk
        // or a closed pipe refused earlier is still in the buffer, so it fails again here. A write
        // that failed past the buffer left only the stream's error flag.
        let watch = TerminationSignals.watch()
        let flushFailed = fflush(nil) != 0
        let errorNumber = flushFailed ? errno : failedWriteErrorNumber
        stopIfSignalled(watch)
        guard flushFailed || ferror(stdout) != 0 else { return }
        let reason = errorNumber != 0 ? String(cString: strerror(errorNumber)) : "a write failed"
        fputs("Error: could not write to standard output: \(reason)\n", stderr)
        _exit(74)
    }
}

extension String {
    /// The text with its control characters escaped line by line, its line breaks kept.
    var escapingControlCharactersByLine: String {
        split(separator: "\n", omittingEmptySubsequences: false).map { String($0).escapingControlCharacters }
            .joined(separator: "\n")
    }
}
