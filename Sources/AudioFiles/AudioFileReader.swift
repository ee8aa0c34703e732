import Foundation

/// An open audio file of any format, rate and channel count libsndfile knows, read a block of
/// frames at a time: as the file's own interleaved frames, or folded to stereo (a mono file on both
/// channels, a stereo one kept, and a file of more channels folded down, even channels to the left
/// and odd to the right, each side their average).
///
/// Not thread-safe; one thread at a time.
public final class AudioFileReader {
    public let path: String
    public let sampleRate: Int
    public let channelCount: Int
    /// The frame count the file's header or codec reports.
    public let frameCount: Int64
    private let file: OpaquePointer
    /// The file's own interleaved frames before they are folded to stereo; none for a stereo file,
    /// which is read straight into the output.
    private let scratch: SampleStorage?

    /// The most frames `readStereo` reads at once.
    public static let blockFrameCount = 4096

    /// Opens `path`. Throws `.unreadable` with libsndfile's message when it cannot, or when the
    /// header gives no channels or no rate.
    public init(path: String) throws(AudioFileError) {
        guard let (file, info) = system_sf_open(reading: path) else {
            throw AudioFileError(.unreadable, system_sf_strerror(nil))
        }
        guard info.channelCount > 0, info.sampleRate > 0 else {
            system_sf_close(file)
            throw AudioFileError(.unreadable, "it reports \(info.channelCount) channels at \(info.sampleRate) Hz")
        }
        self.file = file
        self.path = path
        sampleRate = info.sampleRate
        channelCount = info.channelCount
        frameCount = max(0, info.frameCount)
        if channelCount == 2 {
            scratch = nil
        } else {
            scratch = .zeroed(count: Self.blockFrameCount * channelCount)
        }
    }

    deinit {
        system_sf_close(file)
    }

    /// Moves reading to `frame` of the file.
    public func seek(toFrame frame: Int64) throws(AudioFileError) {
        guard system_sf_seek(file, toFrame: frame) != nil else {
            throw AudioFileError(
                .unreadable,
                "libsndfile cannot seek to frame \(frame) (\(system_sf_error(file) ?? "no reason given"))")
        }
    }

    /// Reads up to `frameCount` of the file's own interleaved frames; the frames read, 0 at the
    /// end of the file. A decoding error is thrown with libsndfile's message.
    public func read(into output: UnsafeMutablePointer<Float>, frameCount: Int) throws(AudioFileError) -> Int {
        let frames = system_sf_readf_float(file, output, frameCount)
        if frames < frameCount, let message = system_sf_error(file) { throw AudioFileError(.unreadable, message) }
        return max(frames, 0)
    }

    /// Reads up to `frameCount` (at most `blockFrameCount`) frames as interleaved stereo; the
    /// frames read, 0 at the end of the file. A decoding error is thrown.
    public func readStereo(into output: UnsafeMutablePointer<Float>, frameCount: Int) throws(AudioFileError) -> Int {
        let asked = min(frameCount, Self.blockFrameCount)
        do {
            guard let scratch else { return try read(into: output, frameCount: asked) }
            return try scratch.withUnsafeMutablePointerToElements { scratch throws(AudioFileError) in
                let frames = try read(into: scratch, frameCount: asked)
                foldToStereo(scratch, channelCount: channelCount, into: output, frameCount: frames)
                return frames
            }
        } catch {
            throw AudioFileError(
                .unreadable, "libsndfile cannot decode it (\(error.message.trimmingCharacters(in: .whitespaces)))")
        }
    }

    /// The file's text tags; a tag it does not have is empty.
    public var tags: AudioTags {
        var tags = AudioTags()
        for field in AudioTags.Field.allCases { tags[field] = system_sf_get_string(file, field) ?? "" }
        return tags
    }

    /// The positions of the file's WAV cue points, in order.
    public var cueFrames: [Int64] {
        system_soothe_get_cues(file).map(Int64.init)
    }

    /// Decodes `path` whole, reading at most `maximumFrameCount` frames of samples: what checks and
    /// analyses read back.
    public static func read(_ path: String, maximumFrameCount: Int = .max) throws(AudioFileError) -> DecodedAudio {
        do {
            let reader = try AudioFileReader(path: path)
            let channelCount = reader.channelCount
            let blockFrameCount = 16384
            var samples: [Float] = []
            var block = [Float](repeating: 0, count: blockFrameCount * channelCount)
            while samples.count / channelCount < maximumFrameCount {
                let wanted = min(blockFrameCount, maximumFrameCount - samples.count / channelCount)
                let frames = try block.withUnsafeMutableBufferPointer { block throws(AudioFileError) in
                    try reader.read(into: block.baseAddress!, frameCount: wanted)
                }
                guard frames > 0 else { break }
                samples.append(contentsOf: block.prefix(frames * channelCount))
            }
            return DecodedAudio(
                sampleRate: reader.sampleRate, channelCount: channelCount, frameCount: reader.frameCount,
                samples: samples, tags: reader.tags, cueFrames: reader.cueFrames)
        } catch {
            throw AudioFileError(.unreadable, "could not read '\(path)': \(error.message)")
        }
    }
}

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

/// Folds interleaved frames of any channel count to stereo: mono to both sides, stereo as is,
/// more channels even to the left and odd to the right, each side their average.
func foldToStereo(
    _ input: UnsafePointer<Float>, channelCount: Int, into output: UnsafeMutablePointer<Float>, frameCount: Int
) {
    switch channelCount {
    case 1:
        for frame in 0..<frameCount {
            output[frame * 2] = input[frame]
            output[frame * 2 + 1] = input[frame]
        }
    case 2:
        output.update(from: input, count: frameCount * 2)
    default:
        let leftCount = Float((channelCount + 1) / 2)
        let rightCount = Float(channelCount / 2)
        for frame in 0..<frameCount {
            var left: Float = 0
            var right: Float = 0
            for channel in 0..<channelCount {
                let value = input[frame * channelCount + channel]
                if channel % 2 == 0 { left += value } else { right += value }
            }
            output[frame * 2] = left / leftCount
            output[frame * 2 + 1] = right / rightCount
        }
    }
}
