public import AudioFiles
import Sequencer

/// How an export is written: format, encoder settings, tags and markers.
public struct ExportOptions: Sendable {
    /// The file format.
    public var format: AudioFileFormat
    /// Whether an existing target may be replaced (`--force`).
    public var overwrites: Bool
    /// Text tags written into the file.
    public var tags: AudioTags
    /// Step markers: WAV cue points with labels. Other formats carry them in a chapter sidecar.
    public var markers: [StepMarker]
    /// Ogg Vorbis and Opus quality from 0 (smallest) to 1 (best); `nil` keeps libsndfile's default.
    public var quality: Double?
    /// How MP3 spends bits.
    public var mp3Bitrate: MP3Bitrate
    /// The seed of the 16-bit dither, so that the same seed gives the same file.
    public var ditherSeed: UInt64
    /// Frames rendered and written per block; memory use depends on this, not on session length.
    public var blockFrameCount: Int
    /// Whether rendering runs on a second thread while this one encodes.
    public var rendersConcurrently: Bool
    /// Whether the written audio is measured with libebur128 for the summary (integrated
    /// loudness and sample peak); the measurement costs about as much as rendering.
    public var measuresLoudness: Bool

    /// The valid range of `quality`.
    public static let qualityRange: ClosedRange<Double> = 0...1
    /// The default block size: large enough that handing blocks between the render and the
    /// encoding thread costs little next to the work on them (at 4096 frames the wake-ups took
    /// more time than rendering), small enough that the ring stays at a few megabytes.
    public static let defaultBlockFrameCount = 32768

    public init(
        format: AudioFileFormat, overwrites: Bool = false, tags: AudioTags = AudioTags(), markers: [StepMarker] = [],
        quality: Double? = nil, mp3Bitrate: MP3Bitrate = .default, ditherSeed: UInt64 = 0,
        blockFrameCount: Int = ExportOptions.defaultBlockFrameCount, rendersConcurrently: Bool = true,
        measuresLoudness: Bool = true
    ) {
        self.format = format
        self.overwrites = overwrites
        self.tags = tags
        self.markers = markers
        self.quality = quality
        self.mp3Bitrate = mp3Bitrate
        self.ditherSeed = ditherSeed
        self.blockFrameCount = blockFrameCount
        self.rendersConcurrently = rendersConcurrently
        self.measuresLoudness = measuresLoudness
    }

    /// The sample rates Soothe exports at.
    public static let sampleRates = [44100, 48000, 96000]

    /// The message for a rate not in `sampleRates`.
    public static func unsupportedSampleRateMessage(_ sampleRate: Int) -> String {
        "unsupported sample rate \(sampleRate) Hz; the rates are \(sampleRates.map(String.init).joinedAsList())"
    }

    /// Checks the options against a source's rate and channels, naming what is valid when not.
    public func validate(sampleRate: Int, channelCount: Int, totalFrames: Int64) throws(ExportError) {
        guard Self.sampleRates.contains(sampleRate) else {
            throw ExportError(.invalidOption, Self.unsupportedSampleRateMessage(sampleRate))
        }
        guard (1...2).contains(channelCount) else {
            throw ExportError(.invalidOption, "Soothe writes mono or stereo, not \(channelCount) channels")
        }
        guard blockFrameCount > 0 else {
            throw ExportError(.invalidOption, "the block size must be at least one frame")
        }
        if format == .opus && sampleRate != 48000 {
            throw ExportError(
                .invalidOption, "Opus is always 48000 Hz; use --sample-rate 48000 or another format (not \(sampleRate))"
            )
        }
        if format == .mp3 && sampleRate > 48000 {
            throw ExportError(
                .invalidOption, "MP3 holds at most 48000 Hz; use --sample-rate 44100 or 48000 (not \(sampleRate))")
        }
        if let quality {
            guard format == .oggVorbis || format == .opus else {
                throw ExportError(.invalidOption, "--quality applies to ogg and opus only, not \(format.container)")
            }
            guard Self.qualityRange.contains(quality) else {
                throw ExportError(.invalidOption, "quality \(quality) is out of range 0...1")
            }
        }
        if format != .mp3 && mp3Bitrate != .default {
            throw ExportError(.invalidOption, "--bitrate and --vbr apply to mp3 only, not \(format.container)")
        }
        try mp3Bitrate.validate()
    }
}

/// A named position in the file: where a step starts.
public struct StepMarker: Equatable, Sendable {
    public var startFrame: Int64
    public var label: String

    public init(startFrame: Int64, label: String) {
        self.startFrame = startFrame
        self.label = label
    }
}

/// How LAME spends bits on an MP3.
public enum MP3Bitrate: Equatable, Sendable {
    /// Constant bitrate in kilobits per second (one of `validKilobitsPerSecond`).
    case constant(kilobitsPerSecond: Int)
    /// Variable bitrate at a LAME quality from 0 (best, largest) to 9; LAME's `-V 2` is about 190 kbps.
    case variable(quality: Int)

    /// The default constant bitrate: plays everywhere and is transparent for a calm voice and tones.
    public static let defaultKilobitsPerSecond = 192
    public static let `default` = MP3Bitrate.constant(kilobitsPerSecond: defaultKilobitsPerSecond)
    /// The default variable-bitrate quality, LAME's `-V 2`.
    public static let defaultVariable = MP3Bitrate.variable(quality: 2)
    /// The MPEG-1 Layer III bitrates (32 to 48 kHz).
    public static let validKilobitsPerSecond = [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]

    /// Checks the bitrate or quality, naming what is valid when it is not.
    public func validate() throws(ExportError) {
        switch self {
        case .constant(let kilobitsPerSecond):
            guard Self.validKilobitsPerSecond.contains(kilobitsPerSecond) else {
                throw ExportError(
                    .invalidOption,
                    "unsupported MP3 bitrate \(kilobitsPerSecond) kbps; the bitrates are "
                        + Self.validKilobitsPerSecond.map(String.init).joinedAsList())
            }
        case .variable(let quality):
            guard (0...9).contains(quality) else {
                throw ExportError(.invalidOption, "MP3 VBR quality \(quality) is out of range 0...9")
            }
        }
    }
}

extension AudioFileFormat {
    /// Bytes per sample of the PCM formats.
    var pcmBytesPerSample: Int? {
        switch self {
        case .wav16, .flac16: 2
        case .wav24, .flac24: 3
        case .wavFloat: 4
        case .oggVorbis, .opus, .mp3: nil
        }
    }
}
