/// The voices `soothe voices` lists.
public enum VoiceCatalog {
    /// flite's four voices; slt is the default where no Piper voice is installed.
    public static func fliteVoices(defaultVoice: Voice = .default) -> [VoiceListing] {
        FliteVoice.all.map {
            VoiceListing(
                name: $0.name,
                summary: $0.summary + (defaultVoice == Voice(engine: .flite, name: $0.name) ? " (default)" : ""))
        }
    }

    /// espeak-ng's voices, one per language, as `espeak:LANGUAGE`, and its variant names.
    public static func espeakVoices() throws(SpeechError) -> (voices: [VoiceListing], variants: [String]) {
        try EspeakEngine.listings()
    }

    /// The text `soothe voices` prints; espeak-ng's part is replaced by its error when it cannot start.
    public static func listText(locations: PiperLocations = .standard()) -> String {
        let chosen = defaultVoice(locations: locations)
        var lines = piperListText(locations: locations)
        lines.append("")
        lines.append("flite (English, clear):")
        let flite = fliteVoices(defaultVoice: chosen.voice)
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
        lines.append("")
        lines.append("Default voice: \(chosen.voice), \(chosen.reason).")
        return lines.joined(separator: "\n")
    }
}
