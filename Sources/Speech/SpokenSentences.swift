import Sequencer

/// A prompt spoken sentence by sentence, with a calm pause between sentences.
///
/// Left to themselves the engines pause 0.1-0.5 s between sentences (flite least, espeak-ng
/// most), which sounds hurried at bedtime. So each sentence is spoken on its own, trimmed of its
/// own silence before and after, and the sentences are joined by silence that puts
/// `gapSeconds(wordsPerMinute:)` between the last sound of one and the first sound of the next.
/// Pauses inside a sentence, at its commas, are the engine's own.
enum SpokenSentences {
    /// The silence between the end of one sentence's sound and the start of the next, at the
    /// default pace: the middle of the 0.8-1.2 s a bedtime voice leaves.
    static let defaultGapSeconds = 1.0

    /// The silence between sentences at `wordsPerMinute`. It stretches with the pace, so that a
    /// routine's own `speech-rate:` slows or hurries the pauses as much as the words.
    static func gapSeconds(wordsPerMinute: Double) -> Double {
        defaultGapSeconds * SpeechRate.defaultWordsPerMinute / wordsPerMinute
    }

    /// Characters that end a sentence; a run of them ("...", "?!") ends one.
    private static let sentenceEnds: Set<Character> = [".", "!", "?", "…"]
    /// Closing quotes and brackets just after a sentence's end belong to that sentence.
    private static let closers: Set<Character> = ["\"", "'", "”", "’", ")", "]", "»"]

    /// The sentences of `text`, trimmed, in order; a point between digits (1.5) does not end one,
    /// and a piece without a letter or digit is no sentence of its own but joins the one before.
    static func sentences(of text: String) -> [String] {
        var sentences: [String] = []
        var current = ""
        let characters = Array(text)
        var index = 0
        func end() {
            let trimmed = current.trimmingWhitespace()
            current = ""
            guard !trimmed.isEmpty else { return }
            if trimmed.contains(where: { $0.isLetter || $0.isNumber }) || sentences.isEmpty {
                sentences.append(trimmed)
            } else {
                sentences[sentences.count - 1] += trimmed
            }
        }
        while index < characters.count {
            let character = characters[index]
            current.append(character)
            index += 1
            guard sentenceEnds.contains(character) else { continue }
            let before = index >= 2 ? characters[index - 2] : " "
            let after = index < characters.count ? characters[index] : " "
            if character == ".", before.isNumber, after.isNumber { continue }
            while index < characters.count,
                sentenceEnds.contains(characters[index]) || closers.contains(characters[index])
            {
                current.append(characters[index])
                index += 1
            }
            end()
        }
        end()
        return sentences
    }

    /// `text` spoken by `speakSentence` one sentence at a time, each trimmed of its silence and
    /// joined to the next by the pause for `wordsPerMinute`.
    static func speak(
        _ text: String, wordsPerMinute: Double,
        sentence speakSentence: (String) throws(SpeechError) -> EngineAudio
    ) throws(SpeechError) -> EngineAudio {
        let sentences = sentences(of: text)
        guard sentences.count > 1 else {
            let spoken = try speakSentence(sentences.first ?? text)
            return EngineAudio(samples: trimmed(spoken), sampleRate: spoken.sampleRate)
        }
        var samples: [Float] = []
        var sampleRate = 0
        for (index, sentence) in sentences.enumerated() {
            let spoken = try speakSentence(sentence)
            sampleRate = spoken.sampleRate
            if index > 0 {
                samples += repeatElement(
                    0, count: silenceFrameCount(wordsPerMinute: wordsPerMinute, sampleRate: sampleRate))
            }
            samples += trimmed(spoken)
        }
        return EngineAudio(samples: samples, sampleRate: sampleRate)
    }

    /// The sentence without the silence before and after its sound; one the engine left silent (only
    /// symbols, say) is kept as it came.
    private static func trimmed(_ spoken: EngineAudio) -> [Float] {
        (try? RecordedPrompt.trimmingSilence(spoken.samples, sampleRate: spoken.sampleRate)) ?? spoken.samples
    }

    /// The zeros between two trimmed sentences: the gap less the quiet edges the trimming keeps
    /// (a little before the first loud sample and after the last, for soft onsets and decays).
    static func silenceFrameCount(wordsPerMinute: Double, sampleRate: Int) -> Int {
        let keptEdgeSeconds = RecordedPrompt.onsetMarginSeconds + RecordedPrompt.releaseMarginSeconds
        let silenceSeconds = max(0, gapSeconds(wordsPerMinute: wordsPerMinute) - keptEdgeSeconds)
        return Int((silenceSeconds * Double(sampleRate)).rounded())
    }
}
