// swift-format-ignore-file: AlwaysUseLowerCamelCase

// (each wrapper is named system_foo after the C function foo it calls, as swift-system does)
#if canImport(Glibc)
    internal import Glibc
#endif

/// Every call into the C library's allocator, each a thin function named after the C function it
/// wraps. A Piper voice's model and ONNX Runtime's working memory are a few hundred megabytes
/// that come and go, so where the allocator keeps freed memory shows in a process's peak.
///
/// `malloc.h` is not part of Swift's Glibc module, so the two functions are looked up in the
/// process (they are glibc's own); where they are missing the calls do nothing.
enum MallocCalls {
    /// `M_ARENA_MAX` and `M_MMAP_THRESHOLD` from `malloc.h`.
    private static let arenaMaxParameter: Int32 = -8
    private static let mmapThresholdParameter: Int32 = -3

    private typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    private typealias MallocTrim = @convention(c) (Int) -> Int32

    private static func symbol<T>(_ name: String, as type: T.Type) -> T? {
        #if canImport(Glibc)
            // A null handle is RTLD_DEFAULT: the process's own symbols.
            guard let address = dlsym(nil, name) else { return nil }
            return unsafeBitCast(address, to: type)
        #else
            return nil
        #endif
    }

    /// Wraps `mallopt(M_ARENA_MAX, count)`: at most `count` heaps for all threads, so memory one
    /// thread frees is reused by the others instead of staying in a heap of its own. Applies to
    /// threads that allocate for the first time after the call.
    static func system_mallopt_arenaMax(_ count: Int) {
        _ = symbol("mallopt", as: Mallopt.self)?(arenaMaxParameter, Int32(count))
    }

    /// Wraps `mallopt(M_MMAP_THRESHOLD, byteCount)`: blocks of at least `byteCount` bytes are
    /// mapped on their own and unmapped when freed. Setting it keeps the threshold where it is
    /// (left alone, glibc raises it to the largest block freed, up to 32 MB, and from then on such
    /// blocks stay in the heap however fragmented).
    static func system_mallopt_mmapThreshold(_ byteCount: Int) {
        _ = symbol("mallopt", as: Mallopt.self)?(mmapThresholdParameter, Int32(byteCount))
    }

    /// Wraps `malloc_trim(0)`: gives the free memory of every heap back to the system.
    static func system_malloc_trim() {
        _ = symbol("malloc_trim", as: MallocTrim.self)?(0)
    }
}
