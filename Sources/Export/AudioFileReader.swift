/// A whole audio file decoded by libsndfile: what checks and analyses read back.
public struct DecodedAudio: Sendable {
    public var sampleRate: Int
    public var channelCount: Int
    /// The frame count the file's header or codec reports.
    public var frameCount: Int64
    /// Interleaved samples, full scale ±1.
    public var samples: [Float]
    public var tags: AudioTags
    /// The WAV cue point positions, in order.
    public var cueFrames: [Int64]
}

/// Reads audio files through libsndfile.
public enum AudioFileReader {
    /// Decodes `path`, reading at most `maximumFrameCount` frames of samples.
    public static func read(_ path: String, maximumFrameCount: Int = .max) throws(ExportError) -> DecodedAudio {
        guard let (file, sampleRate, channelCount, frameCount) = system_sf_open(reading: path) else {
            throw ExportError(.io, "could not read '\(path)': \(system_sf_strerror(nil))")
        }
        defer { _ = system_sf_close(file) }
        var samples: [Float] = []
        let blockFrameCount = 16384
        let block = UnsafeMutablePointer<Float>.allocate(capacity: blockFrameCount * channelCount)
        defer { block.deallocate() }
        while samples.count / channelCount < maximumFrameCount {
            let wanted = min(blockFrameCount, maximumFrameCount - samples.count / channelCount)
            let frames = system_sf_readf_float(file, block, wanted)
            guard frames > 0 else { break }
            samples.append(contentsOf: UnsafeBufferPointer(start: block, count: frames * channelCount))
        }
        let tags = AudioTags(
            title: system_sf_get_string(file, .title) ?? "", artist: system_sf_get_string(file, .artist) ?? "",
            comment: system_sf_get_string(file, .comment) ?? "", software: system_sf_get_string(file, .software) ?? "",
            date: system_sf_get_string(file, .date) ?? "")
        return DecodedAudio(
            sampleRate: sampleRate, channelCount: channelCount, frameCount: frameCount,
            samples: samples, tags: tags, cueFrames: system_soothe_get_cues(file).map(Int64.init))
    }
}
