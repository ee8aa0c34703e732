// swift-format-ignore-file: AlwaysUseLowerCamelCase

// (each wrapper is named system_foo after the C function foo it calls, as swift-system does)
// C's `stdout` and `stderr` are globals that Swift 6 cannot prove safe to touch; only the main
// thread prints.
@preconcurrency import Glibc

// Every C stdio call of Termination, in one place. Each function wraps the call it is named after
// and does nothing else.

/// Wraps `ferror(stdout)`: whether a write to standard output has failed.
func system_ferror_stdout() -> Bool {
    ferror(stdout) != 0
}

/// Wraps `fflush(NULL)`, which flushes every output stream: whether all of it was written.
func system_fflush_all() -> Bool {
    fflush(nil) == 0
}

/// Reads `errno`.
func system_errno() -> Int32 {
    errno
}

/// Wraps `strerror`.
func system_strerror(_ errorNumber: Int32) -> String {
    String(cString: strerror(errorNumber))
}

/// Wraps `fputs(…, stderr)`.
func system_fputs_stderr(_ text: String) {
    fputs(text, stderr)
}
