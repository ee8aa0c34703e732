import Foundation

/// A sound file to loop under a session (rain, the sea, music), checked and measured before
/// anything plays.
///
/// Checking reads little: the header, the start of the file up to its first sample above
/// `silenceThresholdDecibels`, and `loudnessWindowCount` windows of `loudnessWindowDuration`
/// spread over the file for the loudness. An hour-long file is never decoded whole at start-up.
public struct BackgroundAudioFile: Equatable, Sendable {
    /// The path as given (absolute, or relative to the current folder).
    public let path: String
    /// The file's own rate and channels.
    public let sampleRate: Int
    public let channelCount: Int
    public let frameCount: Int64
    /// The integrated loudness of the file as played (mono on both channels, stereo as is), in
    /// LUFS, from the sampled windows.
    public let loudnessLUFS: Double

    /// A sample above this level, in dBFS, means the file is not silent.
    public static let silenceThresholdDecibels = -70.0
    /// How many windows the loudness is measured on, and how long each is, in seconds.
    public static let loudnessWindowCount = 8
    public static let loudnessWindowDuration = 3.0

    public var seconds: Double { Double(frameCount) / Double(sampleRate) }

    /// libsndfile reports a length this large when a header gives none.
    static let unknownLengthFrameCount: Int64 = 1 << 40

    /// What a valid file is, for every message.
    static let validText =
        "give an audio file libsndfile reads (WAV, FLAC, Ogg Vorbis, Opus, MP3 …) that holds sound"

    /// Checks `path` and measures its loudness; refuses a missing, unreadable, empty, silent or
    /// undecodable file with a message that names it and says what is wrong.
    public static func inspect(_ path: String) throws(AudioFileError) -> BackgroundAudioFile {
        let name = "the background file '\(path)'"
        if let problem = ReadableFile.problem(path) {
            throw AudioFileError(.unreadable, "\(name) \(problem); \(validText)")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
        guard size != 0 else {
            throw AudioFileError(.empty, "\(name) is empty (0 bytes); \(validText)")
        }
        let reader: AudioFileReader
        do {
            reader = try AudioFileReader(path: path)
        } catch {
            // libsndfile's own message after a failed open is often about a missing file, which
            // was ruled out above, so only a message of its own is passed on.
            let detail = error.message.contains("does not exist") ? "" : " (\(error.message))"
            throw AudioFileError(
                .unreadable, "\(name) is not audio libsndfile can read, or it is damaged\(detail); \(validText)")
        }
        let emptyMessage = "\(name) holds no audio (0 frames); \(validText)"
        guard reader.frameCount > 0 else { throw AudioFileError(.empty, emptyMessage) }
        let loudness: Double
        do throws(AudioFileError) {
            try reader.checkNotSilent(name: name, emptyMessage: emptyMessage)
            // A header that gives no length (a stream cut off while it was written) reads as a
            // huge count; the file cannot then be looped, since its end is not known.
            guard reader.frameCount < Self.unknownLengthFrameCount else {
                throw AudioFileError(
                    .unreadable, "\(name) does not give its length in its header; \(validText), saved whole")
            }
            loudness = try reader.sampledLoudnessLUFS(name: name)
        } catch  where error.kind == .unreadable && !error.message.hasPrefix(name) {
            throw AudioFileError(.unreadable, "\(name) is damaged: \(error.message); \(validText)")
        }
        guard loudness.isFinite else {
            throw AudioFileError(
                .silent, "\(name) is too quiet to measure (below -70 LUFS); \(validText) at an audible level")
        }
        return BackgroundAudioFile(
            path: path, sampleRate: reader.sampleRate, channelCount: reader.channelCount,
            frameCount: reader.frameCount, loudnessLUFS: loudness)
    }

    init(path: String, sampleRate: Int, channelCount: Int, frameCount: Int64, loudnessLUFS: Double) {
        self.path = path
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.frameCount = frameCount
        self.loudnessLUFS = loudnessLUFS
    }
}

extension AudioFileReader {
    /// Reads from the start until the first sample above the silence threshold.
    /// Called on a file just opened, so it reads from the start without a seek.
    fileprivate func checkNotSilent(name: String, emptyMessage: String) throws(AudioFileError) {
        let threshold = Float(decibelsToAmplitude(BackgroundAudioFile.silenceThresholdDecibels))
        var block = [Float](repeating: 0, count: Self.blockFrameCount * 2)
        var framesRead = 0
        while true {
            let frames = try block.withUnsafeMutableBufferPointer { buffer throws(AudioFileError) in
                try readStereo(into: buffer.baseAddress!, frameCount: Self.blockFrameCount)
            }
            if frames == 0 {
                if framesRead == 0 { throw AudioFileError(.empty, emptyMessage) }
                break
            }
            framesRead += frames
            for index in 0..<(frames * 2) where abs(block[index]) > threshold { return }
        }
        throw AudioFileError(
            .silent,
            "\(name) is silent (no sample above \(Int(BackgroundAudioFile.silenceThresholdDecibels)) dBFS); "
                + BackgroundAudioFile.validText)
    }

    /// The integrated loudness of windows spread over the file, measured together by libebur128;
    /// a file shorter than the windows is measured whole. Also finds a file cut short.
    fileprivate func sampledLoudnessLUFS(name: String) throws(AudioFileError) -> Double {
        let meter = try LoudnessMeter(
            channelCount: 2, sampleRate: sampleRate, measuresTruePeak: false, measuresLoudnessRange: false)
        let windowFrames = Int64(BackgroundAudioFile.loudnessWindowDuration * Double(sampleRate))
        let count = BackgroundAudioFile.loudnessWindowCount
        var windows: [(start: Int64, frames: Int64)]
        if frameCount <= windowFrames * Int64(count) {
            windows = [(0, frameCount)]
        } else {
            windows = (0..<count).map { index in
                ((frameCount - windowFrames) * Int64(index) / Int64(count - 1), windowFrames)
            }
        }
        var block = [Float](repeating: 0, count: Self.blockFrameCount * 2)
        for window in windows {
            try seek(toFrame: window.start)
            var left = window.frames
            while left > 0 {
                let asked = Int(min(left, Int64(Self.blockFrameCount)))
                let frames = try block.withUnsafeMutableBufferPointer { buffer throws(AudioFileError) in
                    let frames = try readStereo(into: buffer.baseAddress!, frameCount: asked)
                    meter.add(buffer.baseAddress!, frameCount: frames)
                    return frames
                }
                guard frames > 0 else {
                    throw AudioFileError(
                        .unreadable,
                        "\(name) is cut short: its header gives \(frameCount) frames, but reading stops at frame "
                            + "\(window.start + window.frames - left); \(BackgroundAudioFile.validText)")
                }
                left -= Int64(frames)
            }
        }
        return meter.integratedLoudnessLUFS
    }
}

func decibelsToAmplitude(_ decibels: Double) -> Double { pow(10, decibels / 20) }
