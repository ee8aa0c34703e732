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
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw AudioFileError(.unreadable, "'\(path)' does not exist")
        }
        guard !isDirectory.boolValue else {
            throw AudioFileError(.unreadable, "'\(path)' is a folder, not an audio file")
        }
        let file: OpaquePointer
        let info: SndFileCalls.FileInfo
        switch SndFileCalls.sf_open(path) {
        case .success(let opened): (file, info) = opened
        case .failure(let failure):
            throw AudioFileError(
                .unreadable,
                "cannot read '\(path)' as audio: \(failure.message) (WAV, FLAC, Ogg, Opus, MP3 and the other "
                    + "formats libsndfile reads are fine)")
        }
        defer { SndFileCalls.sf_close(file) }
        let channelCount = info.channelCount
        let sampleRate = info.sampleRate
        guard channelCount > 0, sampleRate > 0 else {
            throw AudioFileError(.unreadable, "'\(path)' reports \(channelCount) channels at \(sampleRate) Hz")
        }
        let maximumFrameCount = Int(maximumSeconds * Double(sampleRate))
        guard info.frameCount <= maximumFrameCount else {
            throw AudioFileError(
                .tooLong,
                "'\(path)' lasts \(Int(Double(info.frameCount) / Double(sampleRate))) s; the limit is "
                    + "\(Int(maximumSeconds)) s")
        }
        var samples: [Float] = []
        samples.reserveCapacity(max(0, Int(info.frameCount)))
        let blockFrameCount = 8192
        var block = [Float](repeating: 0, count: blockFrameCount * channelCount)
        while samples.count <= maximumFrameCount {
            let frames = block.withUnsafeMutableBufferPointer {
                SndFileCalls.sf_readf_float(file, $0.baseAddress!, blockFrameCount)
            }
            guard frames > 0 else { break }
            for frame in 0..<frames {
                var sum: Float = 0
                for channel in 0..<channelCount { sum += block[frame * channelCount + channel] }
                samples.append(sum / Float(channelCount))
            }
        }
        if let message = SndFileCalls.sf_error(file) {
            throw AudioFileError(.unreadable, "cannot read '\(path)' to its end: \(message)")
        }
        // A file cut short often decodes without an error, just fewer frames than its header says.
        if info.frameCount > 0, Int64(samples.count) < info.frameCount {
            throw AudioFileError(
                .unreadable,
                "cannot read '\(path)' to its end: it is cut short (its header gives \(info.frameCount) frames, it "
                    + "holds \(samples.count))")
        }
        return MonoAudio(sampleRate: sampleRate, samples: samples)
    }
}
