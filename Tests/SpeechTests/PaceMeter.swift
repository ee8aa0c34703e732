import Foundation

/// Measures the pace of a spoken clip from its samples alone.
///
/// The clip is cut into 10 ms frames; a frame is sound when its RMS is within 40 dB of the clip's
/// loudest frame. The silences between sentences are the `sentenceCount - 1` longest silent runs
/// between the first and the last sound. The pace is the number of words over the speaking time:
/// the time from the first to the last sound, less those sentence gaps. Pauses inside a sentence
/// (at a comma) count as speaking time.
struct PaceMeasurement: CustomStringConvertible {
    var wordsPerMinute: Double
    /// The silences between sentences, in order, in seconds.
    var sentenceGapSeconds: [Double]
    /// From the first to the last sound, gaps included.
    var soundSpanSeconds: Double
    /// The longest silence inside a sentence (at a comma, say), in seconds.
    var longestPauseInSentenceSeconds: Double

    static let frameSeconds = 0.01
    static let thresholdBelowLoudestDecibels = 40.0

    init(samples: [Float], sampleRate: Int, text: String) {
        let sentenceCount = PaceMeasurement.sentenceCount(of: text)
        let frameLength = Int(Self.frameSeconds * Double(sampleRate))
        let levels = stride(from: 0, to: samples.count - frameLength + 1, by: frameLength).map { start in
            rootMeanSquare(Array(samples[start..<start + frameLength]))
        }
        let loudest = levels.max() ?? 0
        let threshold = loudest * pow(10, -Self.thresholdBelowLoudestDecibels / 20)
        let sound = levels.map { $0 > threshold }
        let first = sound.firstIndex(of: true) ?? 0
        let last = sound.lastIndex(of: true) ?? 0
        // The silent runs between the first and the last sound, as (start, length) in frames.
        var runs: [(start: Int, length: Int)] = []
        var index = first
        while index <= last {
            if sound[index] {
                index += 1
                continue
            }
            let start = index
            while index <= last && !sound[index] { index += 1 }
            runs.append((start, index - start))
        }
        let byLength = runs.sorted { $0.length > $1.length }
        let gaps = byLength.prefix(max(0, sentenceCount - 1)).sorted { $0.start < $1.start }
        longestPauseInSentenceSeconds = Double(byLength.dropFirst(gaps.count).first?.length ?? 0) * Self.frameSeconds
        soundSpanSeconds = Double(last + 1 - first) * Self.frameSeconds
        sentenceGapSeconds = gaps.map { Double($0.length) * Self.frameSeconds }
        let speakingSeconds = soundSpanSeconds - sentenceGapSeconds.reduce(0, +)
        wordsPerMinute = Double(PaceMeasurement.wordCount(of: text)) / speakingSeconds * 60
    }

    /// Words are runs of letters, digits and apostrophes between spaces or punctuation.
    static func wordCount(of text: String) -> Int {
        text.split { !($0.isLetter || $0.isNumber || $0 == "'" || $0 == "’") }.count
    }

    /// Sentences end at `.`, `!`, `?` or `…`; a run of them ends one.
    static func sentenceCount(of text: String) -> Int {
        let pieces = text.split { ".!?…".contains($0) }
        return max(1, pieces.filter { $0.contains { $0.isLetter || $0.isNumber } }.count)
    }

    var description: String {
        String(
            format: "%.1f wpm, gaps %@ s", wordsPerMinute,
            sentenceGapSeconds.map { String(format: "%.2f", $0) }.joined(separator: ", "))
    }
}
