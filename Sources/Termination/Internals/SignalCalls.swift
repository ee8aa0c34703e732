// swift-format-ignore-file: AlwaysUseLowerCamelCase
// (each wrapper is named system_foo after the C function foo it calls, as swift-system does)
import Glibc

// Every signal system call of Termination, in one place. Each function wraps the call it is named
// after and does nothing else.

/// Wraps `sigaction` for installing a plain handler with `SA_RESTART` and an empty mask.
func system_sigaction(_ signalNumber: Int32, handler: @convention(c) (Int32) -> Void) {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = handler
    sigemptyset(&action.sa_mask)
    action.sa_flags = SA_RESTART
    _ = sigaction(signalNumber, &action, nil)
}

/// Wraps `sigaction` for setting `SIG_IGN` or `SIG_DFL`.
func system_sigaction(_ signalNumber: Int32, disposition: sighandler_t?) {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = disposition
    sigemptyset(&action.sa_mask)
    _ = sigaction(signalNumber, &action, nil)
}

/// Wraps `sigaction` for reading a signal's disposition: whether it is ignored (`SIG_IGN`).
func system_sigaction_isIgnored(_ signalNumber: Int32) -> Bool {
    var current = sigaction()
    guard sigaction(signalNumber, nil, &current) == 0 else { return false }
    let ignore = unsafeBitCast(SIG_IGN, to: Int.self)
    return current.__sigaction_handler.sa_handler.map { unsafeBitCast($0, to: Int.self) == ignore } ?? false
}

/// Wraps `pthread_sigmask(SIG_UNBLOCK, …)` for the calling thread.
func system_pthread_sigmask_unblock(_ signalNumbers: [Int32]) {
    var set = sigset_t()
    sigemptyset(&set)
    for signalNumber in signalNumbers { sigaddset(&set, signalNumber) }
    _ = pthread_sigmask(SIG_UNBLOCK, &set, nil)
}

/// Wraps `raise`.
func system_raise(_ signalNumber: Int32) {
    _ = raise(signalNumber)
}

/// Wraps `_exit`, which ends the process without running exit handlers or flushing stdio, and is
/// safe in a signal handler.
func system__exit(_ status: Int32) -> Never {
    _exit(status)
}
