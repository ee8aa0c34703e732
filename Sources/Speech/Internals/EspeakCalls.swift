// swift-format-ignore-file: AlwaysUseLowerCamelCase

// (each wrapper is named system_foo after the C function foo it calls, as swift-system does)
internal import CEspeakNG

/// Every call into espeak-ng, each a thin function named after the C function it wraps.
///
/// espeak-ng keeps all its state in globals and is not thread-safe: these are only called with
/// `EspeakEngine`'s lock held.
enum EspeakCalls {
    /// An entry of espeak-ng's voice list.
    struct VoiceEntry {
        var name: String
        /// The languages the voice speaks, most suitable first, such as `en-gb` then `en`.
        var languages: [String]
        /// The voice file, such as `gmw/en` or `!v/f3` for a variant.
        var identifier: String
        /// 1 male, 2 female, 0 not given.
        var gender: Int
    }

    /// Loads espeak-ng's data and returns its sample rate, or its message when the data directory
    /// cannot be loaded. Enough for phonemes; speaking needs `espeak_ng_InitializeOutput()` too.
    ///
    /// `espeak_Initialize` with `espeakINITIALIZE_DONT_EXIT` does not end the process on a broken
    /// data directory, but it does not report the failure either: it prints to stderr and carries
    /// on. So this makes the calls it makes, and keeps the status they return. Wraps
    /// `espeak_ng_InitializePath`, `espeak_ng_Initialize` and `espeak_ng_GetSampleRate`.
    static func espeak_ng_Initialize(dataPath: String?) -> Result<Int, EspeakFailure> {
        espeak_ng_InitializePath(dataPath: dataPath)
        var context: espeak_ng_ERROR_CONTEXT? = nil
        let status = CEspeakNG.espeak_ng_Initialize(&context)
        espeak_ng_ClearErrorContext(&context)
        guard status == ENS_OK else { return .failure(EspeakFailure(status: status)) }
        return .success(Int(espeak_ng_GetSampleRate()))
    }

    /// Wraps `espeak_ng_InitializePath` alone: points espeak-ng at its data directory, loading
    /// nothing. With `nil`, or a path that is not a directory, espeak-ng takes `ESPEAK_DATA_PATH`,
    /// `$HOME/espeak-ng-data` or its own, the first that is a directory.
    static func espeak_ng_InitializePath(dataPath: String?) {
        if let dataPath {
            CEspeakNG.espeak_ng_InitializePath(dataPath)
        } else {
            CEspeakNG.espeak_ng_InitializePath(nil)
        }
    }

    /// Wraps `espeak_Info`: espeak-ng's version, and the data directory `espeak_ng_InitializePath`
    /// chose (empty before it). Needs nothing loaded.
    static func espeak_Info() -> (version: String, dataPath: String) {
        var path: UnsafePointer<CChar>? = nil
        let version = CEspeakNG.espeak_Info(&path).map { String(cString: $0) } ?? "unknown"
        return (version, path.map { String(cString: $0) } ?? "")
    }

    /// Prepares espeak-ng for synchronous synthesis into `collectSamples`. espeak-ng 1.51 also
    /// opens (and closes) a sound device here, whatever the mode: a PulseAudio connection, so it is
    /// made only when espeak-ng is to speak, never for a Piper voice's phonemes. Wraps
    /// `espeak_ng_InitializeOutput` and `espeak_SetSynthCallback`.
    static func espeak_ng_InitializeOutput() -> Result<Void, EspeakFailure> {
        let status = CEspeakNG.espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 0, nil)
        guard status == ENS_OK else { return .failure(EspeakFailure(status: status)) }
        espeak_SetSynthCallback(collectSamples)
        return .success(())
    }

    /// Wraps `espeak_ListVoices`: the voices, or with `variants` the variants (`!v/...`).
    static func espeak_ListVoices(variants: Bool) -> [VoiceEntry] {
        var entries: [VoiceEntry] = []
        var list: UnsafeMutablePointer<UnsafePointer<espeak_VOICE>?>?
        if variants {
            var spec = espeak_VOICE()
            list = "variant".withCString { language in
                spec.languages = language
                return CEspeakNG.espeak_ListVoices(&spec)
            }
        } else {
            list = CEspeakNG.espeak_ListVoices(nil)
        }
        guard var cursor = list else { return [] }
        while let voice = cursor.pointee {
            entries.append(
                VoiceEntry(
                    name: voice.pointee.name.map { String(cString: $0) } ?? "",
                    languages: languages(voice.pointee.languages),
                    identifier: voice.pointee.identifier.map { String(cString: $0) } ?? "",
                    gender: Int(voice.pointee.gender)))
            cursor += 1
        }
        return entries
    }

    /// `languages` is a run of entries, each a priority byte and a NUL-terminated name, ended by a
    /// zero priority byte.
    private static func languages(_ pointer: UnsafePointer<CChar>?) -> [String] {
        guard var cursor = pointer else { return [] }
        var names: [String] = []
        while cursor.pointee != 0 {
            let name = String(cString: cursor + 1)
            names.append(name)
            cursor += name.utf8.count + 2
        }
        return names
    }

    /// Wraps `espeak_SetVoiceByName`; true when espeak-ng found the voice.
    static func espeak_SetVoiceByName(_ name: String) -> Bool {
        CEspeakNG.espeak_SetVoiceByName(name) == EE_OK
    }

    /// Wraps `espeak_SetParameter(espeakRATE, ...)`.
    static func espeak_SetRate(wordsPerMinute: Int) -> Bool {
        espeak_SetParameter(espeakRATE, Int32(wordsPerMinute), 0) == EE_OK
    }

    /// Wraps `espeak_Synth` in synchronous mode: returns once the whole text is spoken, its
    /// samples (from -1 to 1, at the rate `espeak_ng_Initialize` returned) gathered by the callback.
    static func espeak_Synth(_ text: String) -> [Float]? {
        let collector = SampleCollector()
        let context = Unmanaged.passRetained(collector)
        defer { context.release() }
        let bytes = Array(text.utf8CString)
        let status = bytes.withUnsafeBufferPointer { buffer in
            CEspeakNG.espeak_Synth(
                buffer.baseAddress, buffer.count, 0, POS_CHARACTER, 0, UInt32(espeakCHARS_UTF8), nil,
                context.toOpaque())
        }
        guard status == EE_OK else { return nil }
        return collector.samples
    }

    /// Wraps `espeak_TextToPhonemes` in IPA mode: the phonemes of `text`, clause by clause as
    /// espeak-ng returns them, joined by spaces. espeak-ng leaves out clause punctuation, so the
    /// caller gives it one clause at a time and keeps the punctuation itself.
    static func espeak_TextToPhonemes(_ text: String) -> String {
        var clauses: [String] = []
        let bytes = Array(text.utf8CString)
        bytes.withUnsafeBufferPointer { buffer in
            var cursor: UnsafeRawPointer? = UnsafeRawPointer(buffer.baseAddress)
            // espeak-ng sets the cursor to NULL after the last clause; the bound keeps a library
            // that does not from looping.
            var remaining = bytes.count + 1
            while let position = cursor, remaining > 0 {
                remaining -= 1
                var pointer: UnsafeRawPointer? = position
                guard let phonemes = CEspeakNG.espeak_TextToPhonemes(&pointer, espeakCHARS_UTF8, espeakPHONEMES_IPA)
                else { break }
                let clause = String(cString: phonemes)
                if !clause.isEmpty { clauses.append(clause) }
                cursor = pointer
            }
        }
        return clauses.joined(separator: " ")
    }

    /// Receives the samples of one `espeak_Synth` call.
    private final class SampleCollector {
        var samples: [Float] = []
    }

    /// The synthesis callback: espeak-ng hands over blocks of 16-bit samples, and the events that
    /// carry the `user_data` pointer given to `espeak_Synth`.
    private static let collectSamples:
        @convention(c) (
            UnsafeMutablePointer<Int16>?, Int32, UnsafeMutablePointer<espeak_EVENT>?
        ) -> Int32 = { samples, count, events in
            guard let events, let userData = events.pointee.user_data else { return 0 }
            let collector = Unmanaged<SampleCollector>.fromOpaque(userData).takeUnretainedValue()
            if let samples, count > 0 {
                collector.samples.reserveCapacity(collector.samples.count + Int(count))
                for index in 0..<Int(count) {
                    collector.samples.append(Float(samples[index]) / 32768)
                }
            }
            return 0
        }

    /// espeak-ng's own words for a status, from `espeak_ng_GetStatusCodeMessage`.
    struct EspeakFailure: Error {
        var message: String

        init(status: espeak_ng_STATUS) {
            var buffer = [CChar](repeating: 0, count: 512)
            espeak_ng_GetStatusCodeMessage(status, &buffer, buffer.count)
            message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }
}
