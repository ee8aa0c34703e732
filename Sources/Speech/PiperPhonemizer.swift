import Foundation

/// Text to the IPA phonemes a Piper voice takes, the way Piper's own phonemizer makes them.
enum PiperPhonemizer {
    /// Characters that end a clause and are kept in the phonemes, as Piper keeps them.
    private static let clauseEnds: Set<Character> = [",", ";", ":"]
    private static let sentenceEnds: Set<Character> = [".", "!", "?"]
    /// Dashes end a clause too, spoken as a comma.
    private static let dashes: Set<Character> = ["—", "–"]

    /// The sentences of `text`, each as the code points of its phonemes (with its punctuation); an
    /// error names a phoneme the voice does not know.
    static func sentences(of text: String, voice: PiperVoiceFile) throws(SpeechError) -> [[Int32]] {
        try clauses(of: text, voice: voice).map { Array($0.joined(separator: [Int32(UnicodeScalar(" ").value)])) }
    }

    /// The sentences of `text`, each as its clauses' phonemes, every clause ending with its
    /// punctuation.
    static func clauses(of text: String, voice: PiperVoiceFile) throws(SpeechError) -> [[[Int32]]] {
        var result: [[[Int32]]] = []
        for sentence in split(text) {
            var clauses: [[Int32]] = []
            for (clause, punctuation) in sentence {
                let spoken = try EspeakEngine.phonemes(of: clause, voice: voice.config.espeakVoice)
                guard !spoken.isEmpty else { continue }
                clauses.append(
                    try codes(spoken + (punctuation.map(String.init) ?? ""), sentence: sentence, voice: voice))
            }
            if !clauses.isEmpty { result.append(clauses) }
        }
        return result
    }

    /// The code points of `phonemes`, each checked against the voice's phonemes.
    private static func codes(
        _ phonemes: String, sentence: [(text: String, punctuation: Character?)], voice: PiperVoiceFile
    ) throws(SpeechError) -> [Int32] {
        var codes: [Int32] = []
        for scalar in phonemes.unicodeScalars {
            guard voice.config.phonemeIDs[scalar] != nil else {
                throw SpeechError(
                    .unknownPhoneme,
                    "the Piper voice '\(voice.name)' ('\(voice.modelPath)') has no phoneme '\(scalar)' "
                        + "(U+\(String(scalar.value, radix: 16, uppercase: true))), which espeak-ng gives for "
                        + "\"\(sentence.map(\.text).joined(separator: " "))\"; reword the prompt or choose another voice"
                )
            }
            codes.append(Int32(scalar.value))
        }
        return codes
    }

    /// `text` as sentences of clauses, each clause with the punctuation that ended it.
    static func split(_ text: String) -> [[(text: String, punctuation: Character?)]] {
        var sentences: [[(text: String, punctuation: Character?)]] = []
        var clauses: [(text: String, punctuation: Character?)] = []
        var current = ""
        let characters = Array(text)
        func endClause(_ punctuation: Character?) {
            let trimmed = current.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty {
                clauses.append((trimmed, punctuation))
            } else if let punctuation, let last = clauses.indices.last, clauses[last].punctuation == nil {
                clauses[last].punctuation = punctuation
            }
            current = ""
        }
        func endSentence() {
            if !clauses.isEmpty { sentences.append(clauses) }
            clauses = []
        }
        for (index, character) in characters.enumerated() {
            let before = index > 0 ? characters[index - 1] : " "
            let after = index + 1 < characters.count ? characters[index + 1] : " "
            // A point or comma between digits belongs to the number (1.5, 10,000).
            let insideNumber = before.isNumber && after.isNumber
            if sentenceEnds.contains(character) && !insideNumber {
                endClause(character)
                // "..." and "?!" end one sentence.
                if !sentenceEnds.contains(after) { endSentence() }
            } else if clauseEnds.contains(character) && !insideNumber {
                endClause(character)
            } else if dashes.contains(character) {
                endClause(",")
            } else if character == "…" {
                endClause(".")
                endSentence()
            } else {
                current.append(character)
            }
        }
        endClause(nil)
        endSentence()
        return sentences
    }
}
