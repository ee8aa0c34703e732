// swift-format-ignore-file: AlwaysUseLowerCamelCase
// (each wrapper is named system_foo after the C function foo it calls, as swift-system does)
internal import CSpeechRandom

/// The call into Soothe's own `rand()` (see `CSpeechRandom`).
enum RandomCalls {
    /// Wraps `soothe_seed_random`: restarts this thread's `rand()` sequence at a seed made from
    /// `text`, so an utterance's noise depends on nothing but its text.
    static func soothe_seed_random(for text: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        CSpeechRandom.soothe_seed_random(hash)
    }
}
