#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Points file descriptor 2 at /dev/null until `restore()`, so that C libraries that print on
/// stderr (ALSA, JACK, PortAudio) say nothing; the real stderr stays reachable through
/// `savedDescriptor`.
final class StandardErrorSilencer {
    /// A duplicate of the real stderr, or -1 once restored.
    private(set) var savedDescriptor: Int32

    init() {
        savedDescriptor = dup(STDERR_FILENO)
        let null = open("/dev/null", O_WRONLY)
        if savedDescriptor >= 0, null >= 0 {
            _ = dup2(null, STDERR_FILENO)
        }
        if null >= 0 { close(null) }
    }

    func restore() {
        guard savedDescriptor >= 0 else { return }
        _ = dup2(savedDescriptor, STDERR_FILENO)
        close(savedDescriptor)
        savedDescriptor = -1
    }

    deinit { restore() }
}
