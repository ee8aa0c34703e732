// swift-format-ignore-file: AlwaysUseLowerCamelCase
// (each wrapper is named system_foo after the C function foo it calls, as swift-system does)
internal import CSpeechRandom
import Sequencer

/// The call into Soothe's own `rand()` (see `CSpeechRandom`).
enum RandomCalls {
    /// Wraps `soothe_seed_random`: restarts this thread's `rand()` sequence at a seed made from
    /// `text`, so an utterance's noise depends on nothing but its text.
    static func soothe_seed_random(for text: String) {
        CSpeechRandom.soothe_seed_random(FNV1a.hash(text))
    }
}
