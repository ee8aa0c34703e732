/// How a file stores its samples: the container and the codec inside it.
///
/// Each case maps to one `SF_FORMAT_*` constant inside `AudioFiles`.
public struct AudioFileEncoding: Equatable, Sendable {
    public enum Container: Equatable, Sendable {
        /// RIFF WAV (`SF_FORMAT_WAV`), at most 4 GiB.
        case wav
        /// RF64, the WAV of more than 4 GiB (`SF_FORMAT_RF64`).
        case rf64
        /// FLAC (`SF_FORMAT_FLAC`).
        case flac
        /// Ogg (`SF_FORMAT_OGG`), for Vorbis and Opus.
        case ogg
        /// MPEG audio (`SF_FORMAT_MPEG`).
        case mpeg
    }

    public enum Codec: Equatable, Sendable {
        /// 16-bit PCM (`SF_FORMAT_PCM_16`).
        case pcm16
        /// 24-bit PCM (`SF_FORMAT_PCM_24`).
        case pcm24
        /// 32-bit float (`SF_FORMAT_FLOAT`).
        case float
        /// Vorbis (`SF_FORMAT_VORBIS`).
        case vorbis
        /// Opus (`SF_FORMAT_OPUS`).
        case opus
        /// MPEG-1 Layer III through LAME (`SF_FORMAT_MPEG_LAYER_III`).
        case mp3
    }

    public var container: Container
    public var codec: Codec

    public init(_ container: Container, _ codec: Codec) {
        self.container = container
        self.codec = codec
    }
}

/// Where a writer's bytes go, seen as libsndfile sees a file. libsndfile reaches the file only
/// through these calls (its virtual I/O), so the owner of the stream sees every failed system call
/// (some codecs ignore short writes), can send the bytes down a pipe, or put bytes of its own before
/// them. Each call returns -1 on failure.
public protocol AudioByteStream: AnyObject {
    /// The length of the file in bytes.
    func fileLength() -> Int64
    /// Moves the position to `offset` from `origin`; the new position.
    func seek(to offset: Int64, from origin: AudioByteStreamOrigin) -> Int64
    /// Reads up to `count` bytes at the position; the bytes read, 0 at the end.
    func read(into buffer: UnsafeMutableRawPointer, count: Int64) -> Int64
    /// Writes `count` bytes at the position; the bytes written.
    func write(_ buffer: UnsafeRawPointer, count: Int64) -> Int64
    /// The position, in bytes from the start.
    func position() -> Int64
}

/// What a seek's offset counts from.
public enum AudioByteStreamOrigin: Sendable {
    case start, current, end
}

/// Encodes audio into a byte stream with libsndfile, and owns the open file while it does: it is
/// closed exactly once, by `close()` or, on an error path, by `deinit`.
///
/// libsndfile's ordering rules hold here: the tags, the encoder settings and the cue points go in
/// before the first write (later, libsndfile ignores them or fails), so each of those calls must
/// come before the first `write`. Float to integer conversion saturates instead of wrapping around,
/// and a float WAV gets no PEAK chunk, whose timestamp would make identical audio give different
/// files.
public struct AudioFileWriter: ~Copyable {
    private var file: OpaquePointer?
    /// Keeps the stream alive while libsndfile holds a pointer to it.
    private let box: ByteStreamBox
    public let encoding: AudioFileEncoding
    public let channelCount: Int
    private var hasWritten = false

    /// Whether libsndfile can write `encoding` at `sampleRate` with `channelCount` channels.
    public static func canWrite(_ encoding: AudioFileEncoding, sampleRate: Int, channelCount: Int) -> Bool {
        system_sf_format_check(encoding, sampleRate: sampleRate, channelCount: channelCount)
    }

    /// Starts a file of `encoding` in `stream`, which receives every byte from its current
    /// position on. Throws `.encodingFailed` with libsndfile's message when it cannot start.
    public init(
        writingTo stream: any AudioByteStream, encoding: AudioFileEncoding, sampleRate: Int, channelCount: Int
    ) throws(AudioFileError) {
        let box = ByteStreamBox(stream)
        guard
            let file = system_sf_open_virtual(
                writingTo: box, encoding, sampleRate: sampleRate, channelCount: channelCount)
        else {
            throw AudioFileError(.encodingFailed, system_sf_strerror(nil))
        }
        self.box = box
        self.file = file
        self.encoding = encoding
        self.channelCount = channelCount
        system_sf_command_setClipping(file, true)
        if encoding.container == .wav && encoding.codec == .float {
            system_sf_command_setAddPeakChunk(file, false)
        }
    }

    deinit {
        if let file { system_sf_close(file) }
    }

    /// The open file, for a setting that libsndfile takes only before the first write.
    private func fileBeforeFirstWrite(_ setting: String) -> OpaquePointer {
        guard let file else { preconditionFailure("\(setting) after close") }
        precondition(!hasWritten, "\(setting) after the first write")
        return file
    }

    /// Sets one text tag. Throws `.encodingFailed` with libsndfile's message.
    public func setTag(_ field: AudioTags.Field, _ text: String) throws(AudioFileError) {
        let file = fileBeforeFirstWrite("setTag")
        guard system_sf_set_string(file, field, text) == 0 else {
            throw AudioFileError(.encodingFailed, system_sf_strerror(file))
        }
    }

    /// Sets Vorbis or Opus quality from 0 (smallest) to 1 (best). Throws `.refusedSetting` when
    /// libsndfile refuses it.
    public func setQuality(_ quality: Double) throws(AudioFileError) {
        try setCompressionLevel(1 - quality)
    }

    /// Makes an MP3 constant bitrate at `kilobitsPerSecond`. Throws `.refusedSetting` when
    /// libsndfile refuses it.
    public func setConstantBitrate(kilobitsPerSecond: Int) throws(AudioFileError) {
        // libsndfile maps the level to `320 - level × 288` kbps and truncates; aiming half a
        // kilobit above makes the truncation land on the exact rate. At 320 that aim lies below
        // 0, which libsndfile refuses, and 0 gives 320 exactly.
        try setCompressionLevel(max(0, (320 - (Double(kilobitsPerSecond) + 0.5)) / 288))
        try setBitrateMode(isVariable: false)
    }

    /// Makes an MP3 variable bitrate at a LAME quality from 0 (best) to 9. Throws
    /// `.refusedSetting` when libsndfile refuses it.
    public func setVariableBitrate(quality: Int) throws(AudioFileError) {
        // libsndfile hands LAME `level × 10` as its VBR quality.
        try setCompressionLevel(Double(quality) / 10)
        try setBitrateMode(isVariable: true)
    }

    /// libsndfile re-reads the compression level when the bitrate mode changes, so the level
    /// must come first; the two calls above keep that order.
    private func setCompressionLevel(_ level: Double) throws(AudioFileError) {
        guard system_sf_command_setCompressionLevel(fileBeforeFirstWrite("setCompressionLevel"), level) else {
            throw AudioFileError(.refusedSetting, "libsndfile refused the compression level \(level)")
        }
    }

    private func setBitrateMode(isVariable: Bool) throws(AudioFileError) {
        guard system_sf_command_setBitrateMode(fileBeforeFirstWrite("setBitrateMode"), isVariable: isVariable) else {
            throw AudioFileError(
                .refusedSetting, "libsndfile refused the \(isVariable ? "variable" : "constant") bitrate mode")
        }
    }

    /// Sets WAV cue points with ids from 1 at `frames` (`SFC_SET_CUE`). Throws `.encodingFailed`
    /// with libsndfile's message.
    public func setCuePoints(atFrames frames: [Int64]) throws(AudioFileError) {
        let file = fileBeforeFirstWrite("setCuePoints")
        guard system_soothe_set_cues(file, frames.map { UInt32(clamping: $0) }) else {
            throw AudioFileError(.encodingFailed, system_sf_strerror(file))
        }
    }

    /// Names the cue points, in order, in a `LIST`/`adtl` chunk, because libsndfile writes cue
    /// positions but drops their names. Throws `.encodingFailed` with libsndfile's message.
    public func setCueLabels(_ labels: [String]) throws(AudioFileError) {
        let file = fileBeforeFirstWrite("setCueLabels")
        guard system_sf_set_chunk(file, id: "LIST", data: AssociatedDataList.labelChunk(labels: labels)) == 0 else {
            throw AudioFileError(.encodingFailed, system_sf_strerror(file))
        }
    }

    /// Writes interleaved float frames (full scale ±1). Throws `.encodingFailed` with libsndfile's
    /// message when fewer frames were taken. (Some codecs, MP3 among them, report every frame
    /// taken even when the stream failed: the stream's owner checks its own calls as well.)
    public mutating func write(_ samples: UnsafePointer<Float>, frameCount: Int) throws(AudioFileError) {
        guard let file else { preconditionFailure("write after close") }
        hasWritten = true
        guard system_sf_writef_float(file, samples, frameCount) == frameCount else {
            throw AudioFileError(.encodingFailed, system_sf_strerror(file))
        }
    }

    /// Writes interleaved 16-bit frames, as `write(_:frameCount:)` does float ones.
    public mutating func write(_ samples: UnsafePointer<Int16>, frameCount: Int) throws(AudioFileError) {
        guard let file else { preconditionFailure("write after close") }
        hasWritten = true
        guard system_sf_writef_short(file, samples, frameCount) == frameCount else {
            throw AudioFileError(.encodingFailed, system_sf_strerror(file))
        }
    }

    /// Finishes the file (trailing chunks, encoder flush, header sizes) and closes it. Throws
    /// `.encodingFailed` with libsndfile's message.
    public consuming func close() throws(AudioFileError) {
        guard let file else { return }
        self.file = nil
        let result = system_sf_close(file)
        guard result == 0 else { throw AudioFileError(.encodingFailed, system_sf_error_number(result)) }
    }
}

/// The `LIST`/`adtl` chunk that names cue points, as players and editors read it.
enum AssociatedDataList {
    /// `adtl` followed by one `labl` per label, cue ids from 1. Each label is NUL-terminated and
    /// padded with NULs to a multiple of four bytes, because libsndfile pads custom chunks to four
    /// bytes and the padding must stay inside the last sub-chunk.
    static func labelChunk(labels: [String]) -> [UInt8] {
        var bytes = Array("adtl".utf8)
        for (index, label) in labels.enumerated() {
            var text = Array(label.utf8) + [0]
            while (text.count + 4) % 4 != 0 { text.append(0) }
            bytes += Array("labl".utf8)
            bytes += littleEndianBytes(UInt32(4 + text.count))
            bytes += littleEndianBytes(UInt32(index + 1))
            bytes += text
        }
        return bytes
    }

    private static func littleEndianBytes(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
