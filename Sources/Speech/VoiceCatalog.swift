/// The voices `soothe voices` lists.
public enum VoiceCatalog {
    /// flite's four voices, the default first.
    public static var fliteVoices: [VoiceListing] {
        FliteVoice.all.map {
            VoiceListing(name: $0.name, summary: $0.summary + ($0.name == Voice.default.name ? " (default)" : ""))
        }
    }

    /// espeak-ng's voices, one per language, as `espeak:LANGUAGE`, and its variant names.
    public static func espeakVoices() throws(SpeechError) -> (voices: [VoiceListing], variants: [String]) {
        try EspeakEngine.listings()
    }

    /// The text `soothe voices` prints; espeak-ng's part is replaced by its error when it cannot start.
    public static func listText() -> String {
        var lines = ["flite (English, natural):"]
        let flite = fliteVoices
        let width = max(flite.map(\.name.count).max() ?? 0, 4)
        lines += flite.map { "  " + $0.name.padded(to: width) + "  " + $0.summary }
        lines.append("")
        do {
            let espeak = try espeakVoices()
            lines.append("espeak-ng (many languages; add +VARIANT for another voice, e.g. espeak:en-gb+f3):")
            let espeakWidth = espeak.voices.map(\.name.count).max() ?? 0
            lines += espeak.voices.map { "  " + $0.name.padded(to: espeakWidth) + "  " + $0.summary }
            lines.append("")
            lines.append("espeak-ng variants: " + espeak.variants.joined(separator: " "))
        } catch {
            lines.append("espeak-ng: \(error)")
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    fileprivate func padded(to width: Int) -> String {
        self + String(repeating: " ", count: max(0, width - count))
    }
}
