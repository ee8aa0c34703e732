// swift-format-ignore-file: AlwaysUseLowerCamelCase
// (each wrapper is named system_foo after the C function foo it calls, as swift-system does)
internal import CFlite

#if canImport(Glibc)
    internal import Glibc
#endif

/// Every call into flite, each a thin function named after the C function it wraps.
///
/// flite keeps its voices and lexicon in process-wide tables that are filled on first use, so
/// `flite_init` and the register functions run once, under `FliteEngine`'s lock. Synthesis then
/// only reads the voices: each utterance owns its features, and the speaking rate is set on the
/// utterance, not the shared voice, so utterances can be synthesised on several threads at once.
enum FliteCalls {
    typealias VoiceHandle = UnsafeMutablePointer<cst_voice>

    /// `flite_init` wraps `flite_init`.
    static func flite_init() {
        _ = CFlite.flite_init()
    }

    /// Wraps `register_cmu_us_slt`, `register_cmu_us_rms`, `register_cmu_us_awb` and
    /// `register_cmu_us_kal`, by the voice's short name.
    ///
    /// Each voice library takes about 2 MB once loaded and a session speaks with one voice at
    /// most, so the voices are not linked: the one asked for is loaded here, with `dlopen`.
    static func register_cmu_us_voice(_ name: String) -> VoiceHandle? {
        guard ["slt", "rms", "awb", "kal"].contains(name) else { return nil }
        let library = "libflite_cmu_us_\(name)"
        guard let handle = dlopen("\(library).so.1", RTLD_NOW) ?? dlopen("\(library).so", RTLD_NOW),
            let register = dlsym(handle, "register_cmu_us_\(name)")
        else { return nil }
        typealias Register = @convention(c) (UnsafePointer<CChar>?) -> VoiceHandle?
        return unsafeBitCast(register, to: Register.self)(nil)
    }

    /// Synthesises `text` with `voice`, its durations stretched by `durationStretch` (above 1 is
    /// slower), and returns mono samples from -1 to 1 at the voice's own rate.
    ///
    /// Wraps `new_utterance`, `utt_set_input_text`, `flite_feat_set_float`, `flite_do_synth`
    /// (with `utt_synth`), `utt_wave` and `delete_utterance`; this is `flite_synth_text` with the
    /// rate set on the utterance.
    static func flite_synth_text(_ text: String, voice: VoiceHandle, durationStretch: Float) -> (
        samples: [Float], sampleRate: Int
    )? {
        guard let utterance = new_utterance() else { return nil }
        _ = utt_set_input_text(utterance, text)
        flite_feat_set_float(utterance.pointee.features, "duration_stretch", durationStretch)
        // flite_do_synth deletes the utterance itself when synthesis fails.
        guard let synthesized = flite_do_synth(utterance, voice, utt_synth) else { return nil }
        defer { delete_utterance(synthesized) }
        guard let wave = utt_wave(synthesized) else { return nil }
        let count = Int(wave.pointee.num_samples) * Int(max(1, wave.pointee.num_channels))
        let channels = Int(max(1, wave.pointee.num_channels))
        guard count > 0, let pcm = wave.pointee.samples else { return ([], Int(wave.pointee.sample_rate)) }
        var samples = [Float](repeating: 0, count: count / channels)
        for index in samples.indices {
            samples[index] = Float(pcm[index * channels]) / 32768
        }
        return (samples, Int(wave.pointee.sample_rate))
    }
}
