import Foundation

/// An open audio file read a block at a time as stereo, at its own rate: libsndfile decodes, and
/// a mono file is put on both channels, a stereo one kept, and a file of more channels folded
/// down (even channels to the left, odd to the right, each side their average).
///
/// Not thread-safe; one thread at a time.
final class StreamingAudioReader {
    let path: String
    let sampleRate: Int
    let channelCount: Int
    let frameCount: Int64
    private let file: OpaquePointer
    /// The file's own interleaved frames, before folding to stereo.
    private let scratch: UnsafeMutablePointer<Float>

    /// Frames per libsndfile read.
    static let blockFrameCount = 4096

    init(path: String) throws(AudioFileError) {
        switch SndFileCalls.sf_open(path) {
        case .success(let (file, info)):
            guard info.channelCount > 0, info.sampleRate > 0 else {
                SndFileCalls.sf_close(file)
                throw AudioFileError(
                    .unreadable, "it reports \(info.channelCount) channels at \(info.sampleRate) Hz")
            }
            self.file = file
            self.path = path
            sampleRate = info.sampleRate
            channelCount = info.channelCount
            frameCount = max(0, info.frameCount)
            scratch = .allocate(capacity: Self.blockFrameCount * info.channelCount)
        case .failure(let failure):
            throw AudioFileError(.unreadable, failure.message)
        }
    }

    deinit {
        SndFileCalls.sf_close(file)
        scratch.deallocate()
    }

    /// Moves reading to `frame` of the file.
    func seek(toFrame frame: Int64) throws(AudioFileError) {
        guard SndFileCalls.sf_seek(file, toFrame: frame) != nil else {
            throw AudioFileError(
                .unreadable,
                "libsndfile cannot seek to frame \(frame) (\(SndFileCalls.sf_error(file) ?? "no reason given"))")
        }
    }

    /// Reads up to `frameCount` (at most `blockFrameCount`) frames as interleaved stereo; the
    /// frames read, 0 at the end of the file. A decoding error is thrown.
    func readStereo(into output: UnsafeMutablePointer<Float>, frameCount: Int) throws(AudioFileError) -> Int {
        let asked = min(frameCount, Self.blockFrameCount)
        let frames = SndFileCalls.sf_readf_float(file, scratch, asked)
        if frames < asked, let message = SndFileCalls.sf_error(file) {
            throw AudioFileError(
                .unreadable, "libsndfile cannot decode it (\(message.trimmingCharacters(in: .whitespaces)))")
        }
        foldToStereo(scratch, channelCount: channelCount, into: output, frameCount: max(frames, 0))
        return max(frames, 0)
    }
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
