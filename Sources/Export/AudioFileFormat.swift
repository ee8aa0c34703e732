import AudioFiles
import Sequencer

/// An audio file format Soothe writes, each through libsndfile.
///
/// Each case maps to one `AudioFileEncoding`, a container and a codec, which `AudioFiles` maps to
/// libsndfile's `SF_FORMAT_*` constants.
public enum AudioFileFormat: String, CaseIterable, Sendable {
    /// WAV, 16-bit PCM, dithered (`SF_FORMAT_WAV | SF_FORMAT_PCM_16`).
    case wav16
    /// WAV, 24-bit PCM (`SF_FORMAT_WAV | SF_FORMAT_PCM_24`).
    case wav24
    /// WAV, 32-bit float (`SF_FORMAT_WAV | SF_FORMAT_FLOAT`).
    case wavFloat
    /// FLAC, 16-bit, dithered (`SF_FORMAT_FLAC | SF_FORMAT_PCM_16`).
    case flac16
    /// FLAC, 24-bit (`SF_FORMAT_FLAC | SF_FORMAT_PCM_24`).
    case flac24
    /// Ogg Vorbis (`SF_FORMAT_OGG | SF_FORMAT_VORBIS`).
    case oggVorbis
    /// Ogg Opus, 48 kHz only (`SF_FORMAT_OGG | SF_FORMAT_OPUS`).
    case opus
    /// MPEG-1 Layer III through LAME (`SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III`).
    case mp3

    /// The container and codec libsndfile writes, as RF64 instead of RIFF WAV when `isRF64`.
    func encoding(isRF64: Bool) -> AudioFileEncoding {
        switch self {
        case .wav16: AudioFileEncoding(isRF64 ? .rf64 : .wav, .pcm16)
        case .wav24: AudioFileEncoding(isRF64 ? .rf64 : .wav, .pcm24)
        case .wavFloat: AudioFileEncoding(isRF64 ? .rf64 : .wav, .float)
        case .flac16: AudioFileEncoding(.flac, .pcm16)
        case .flac24: AudioFileEncoding(.flac, .pcm24)
        case .oggVorbis: AudioFileEncoding(.ogg, .vorbis)
        case .opus: AudioFileEncoding(.ogg, .opus)
        case .mp3: AudioFileEncoding(.mpeg, .mp3)
        }
    }

    /// The file family as the user names it and as file extensions spell it.
    public var container: AudioContainer {
        switch self {
        case .wav16, .wav24, .wavFloat: .wav
        case .flac16, .flac24: .flac
        case .oggVorbis: .ogg
        case .opus: .opus
        case .mp3: .mp3
        }
    }

    /// The sample resolution, for the formats that store PCM; `nil` for lossy ones.
    public var bitDepth: BitDepth? {
        switch self {
        case .wav16, .flac16: .sixteen
        case .wav24, .flac24: .twentyFour
        case .wavFloat: .float
        case .oggVorbis, .opus, .mp3: nil
        }
    }

    /// Whether decoding gives back the written samples exactly.
    public var isLossless: Bool { bitDepth != nil }

    /// Whether the writer dithers and quantises to 16 bits itself before libsndfile sees the
    /// samples (libsndfile's own dither is not implemented for these codecs).
    var isDithered: Bool { bitDepth == .sixteen }

    /// The format for a container and an optional bit depth, or an error naming what is valid.
    public init(container: AudioContainer, bitDepth: BitDepth?) throws(ExportError) {
        switch (container, bitDepth) {
        case (.wav, nil), (.wav, .sixteen): self = .wav16
        case (.wav, .twentyFour): self = .wav24
        case (.wav, .float): self = .wavFloat
        case (.flac, nil), (.flac, .sixteen): self = .flac16
        case (.flac, .twentyFour): self = .flac24
        case (.flac, .float):
            throw ExportError(.invalidOption, "FLAC stores 16 or 24 bits, not float; use --bit-depth 16 or 24")
        case (.ogg, nil): self = .oggVorbis
        case (.opus, nil): self = .opus
        case (.mp3, nil): self = .mp3
        case (.ogg, _?), (.opus, _?), (.mp3, _?):
            throw ExportError(
                .invalidOption,
                "--bit-depth applies to WAV and FLAC only; \(container.rawValue) is a lossy format without one")
        }
    }

    /// The format named by `--format`, or else by the output file's extension.
    public init(formatName: String?, path: String, bitDepth: BitDepth?) throws(ExportError) {
        let container: AudioContainer
        if let formatName {
            guard let named = AudioContainer(rawValue: formatName.lowercased()) else {
                throw ExportError(
                    .invalidOption,
                    "unknown format '\(formatName)'; the formats are \(AudioContainer.allNames)")
            }
            container = named
            // A file named for one format but holding another misleads every player.
            if let fileExtension = AudioContainer.fileExtension(of: path),
                (try? AudioContainer(path: path)) != named
            {
                throw ExportError(
                    .invalidOption,
                    "--format \(named.rawValue) does not match the extension '.\(fileExtension)' of '\(path)'; "
                        + "name the file .\(named.fileExtension) or drop --format")
            }
        } else {
            container = try AudioContainer(path: path)
        }
        try self.init(container: container, bitDepth: bitDepth)
    }
}

/// A file family as users name it: the `--format` values and the file extensions.
public enum AudioContainer: String, CaseIterable, Sendable {
    case wav, flac, ogg, opus, mp3

    /// `wav, flac, ogg, opus and mp3`.
    public static var allNames: String {
        allCases.map(\.rawValue).joinedAsList()
    }

    /// The extension used for new files of this family.
    public var fileExtension: String { rawValue }

    /// Whether players take this family's chapters from a CUE sheet beside the file (WAV and
    /// FLAC), rather than from WebVTT chapters.
    public var takesCueSheet: Bool {
        switch self {
        case .wav, .flac: true
        case .ogg, .opus, .mp3: false
        }
    }

    /// The extension of a path's last component, if it has one (a leading dot does not count).
    static func fileExtension(of path: String) -> String? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        return String(name[name.index(after: dot)...])
    }

    /// The family a path's extension names.
    public init(path: String) throws(ExportError) {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else {
            throw ExportError(
                .invalidOption,
                "cannot tell the format of '\(path)' without an extension; add one of "
                    + "\(Self.allNames) or pass --format")
        }
        let fileExtension = name[name.index(after: dot)...].lowercased()
        let aliases: [String: AudioContainer] = ["wave": .wav, "oga": .ogg]
        guard let container = AudioContainer(rawValue: fileExtension) ?? aliases[fileExtension] else {
            throw ExportError(
                .invalidOption,
                "unknown format '.\(fileExtension)' of '\(path)'; the formats are \(Self.allNames) "
                    + "(or pass --format)")
        }
        self = container
    }
}

/// The sample resolution of a PCM file.
public enum BitDepth: String, CaseIterable, Sendable {
    case sixteen = "16"
    case twentyFour = "24"
    case float

    /// Parses `16`, `24` or `float` (also `32f`/`f32`), with a message naming the valid ones.
    public init(parsing text: String) throws(ExportError) {
        switch text.lowercased() {
        case "16": self = .sixteen
        case "24": self = .twentyFour
        case "float", "32f", "f32", "32-float": self = .float
        default:
            throw ExportError(.invalidOption, "unknown bit depth '\(text)'; the bit depths are 16, 24 and float")
        }
    }
}
