import Foundation

/// A whole audio file as mono samples at its own rate.
public struct MonoAudio: Equatable, Sendable {
    public var sampleRate: Int
    /// Full scale ±1; a file of several channels is their average.
    public var samples: [Float]

    public init(sampleRate: Int, samples: [Float]) {
        self.sampleRate = sampleRate
        self.samples = samples
    }

    public var seconds: Double { Double(samples.count) / Double(sampleRate) }
}

/// Reads audio files of any format, rate and channel count that libsndfile knows.
public enum MonoAudioReader {
    /// Files are read whole, so their length is bounded: an hour of audio.
    public static let maximumSeconds: Double = 3600

    /// Reads `path` whole and mixes its channels down to one.
    public static func read(_ path: String) throws(AudioFileError) -> MonoAudio {
        if let problem = ReadableFile.problem(path) { throw AudioFileError(.unreadable, "'\(path)' \(problem)") }
        let reader: AudioFileReader
        do { reader = try AudioFileReader(path: path) } catch {
            throw AudioFileError(
                .unreadable,
                "cannot read '\(path)' as audio: \(error.message) (WAV, FLAC, Ogg, Opus, MP3 and the other "
                    + "formats libsndfile reads are fine)")
        }
        let channelCount = reader.channelCount
        let sampleRate = reader.sampleRate
        let maximumFrameCount = Int(maximumSeconds * Double(sampleRate))
        guard reader.frameCount <= maximumFrameCount else {
            throw AudioFileError(
                .tooLong,
                "'\(path)' lasts \(Int(Double(reader.frameCount) / Double(sampleRate))) s; the limit is "
                    + "\(Int(maximumSeconds)) s")
        }
        var samples: [Float] = []
        samples.reserveCapacity(Int(reader.frameCount))
        let blockFrameCount = 8192
        var block = [Float](repeating: 0, count: blockFrameCount * channelCount)
        while samples.count <= maximumFrameCount {
            let frames: Int
            do {
                frames = try block.withUnsafeMutableBufferPointer { buffer throws(AudioFileError) in
                    try reader.read(into: buffer.baseAddress!, frameCount: blockFrameCount)
                }
            } catch {
                throw AudioFileError(.unreadable, "cannot read '\(path)' to its end: \(error.message)")
            }
            guard frames > 0 else { break }
            for frame in 0..<frames {
                var sum: Float = 0
                for channel in 0..<channelCount { sum += block[frame * channelCount + channel] }
                samples.append(sum / Float(channelCount))
            }
        }
        // A file cut short often decodes without an error, just fewer frames than its header says.
        if reader.frameCount > 0, Int64(samples.count) < reader.frameCount {
            throw AudioFileError(
                .unreadable,
                "cannot read '\(path)' to its end: it is cut short (its header gives \(reader.frameCount) frames, "
                    + "it holds \(samples.count))")
        }
        return MonoAudio(sampleRate: sampleRate, samples: samples)
    }
}
