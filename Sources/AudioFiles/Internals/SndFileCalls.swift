// swift-format-ignore-file: AlwaysUseLowerCamelCase

// (each wrapper is named system_foo after the C function foo it calls, as swift-system does)
internal import CSndFile
internal import CSndFileSupport
import Glibc

// Every call into libsndfile and its C support code, and every libsndfile type and constant, in
// one place: no other file of Soothe imports CSndFile. Each function wraps the C function it is
// named after and does nothing else.

/// The `SF_FORMAT_*` container and codec of each encoding Soothe writes.
extension AudioFileEncoding {
    fileprivate var sndfileFormat: Int32 {
        let container: Int =
            switch self.container {
            case .wav: SF_FORMAT_WAV
            case .rf64: SF_FORMAT_RF64
            case .flac: SF_FORMAT_FLAC
            case .ogg: SF_FORMAT_OGG
            case .mpeg: SF_FORMAT_MPEG
            }
        let codec: Int =
            switch self.codec {
            case .pcm16: SF_FORMAT_PCM_16
            case .pcm24: SF_FORMAT_PCM_24
            case .float: SF_FORMAT_FLOAT
            case .vorbis: SF_FORMAT_VORBIS
            case .opus: SF_FORMAT_OPUS
            case .mp3: SF_FORMAT_MPEG_LAYER_III
            }
        return Int32(container | codec)
    }

    /// The `SF_INFO` for writing this encoding.
    fileprivate func sndfileInfo(sampleRate: Int, channelCount: Int) -> SF_INFO {
        var info = SF_INFO()
        info.samplerate = Int32(sampleRate)
        info.channels = Int32(channelCount)
        info.format = sndfileFormat
        return info
    }
}

/// The `SF_STR_*` code of each tag.
extension AudioTags.Field {
    fileprivate var sndfileCode: Int32 {
        switch self {
        case .title: Int32(SF_STR_TITLE)
        case .artist: Int32(SF_STR_ARTIST)
        case .comment: Int32(SF_STR_COMMENT)
        case .software: Int32(SF_STR_SOFTWARE)
        case .date: Int32(SF_STR_DATE)
        }
    }
}

/// What a file's header says (`SF_INFO`).
struct SoundFileInfo {
    var sampleRate: Int
    var channelCount: Int
    var frameCount: Int64
}

/// Wraps `sf_open` for reading: the open file and what its header says, or `nil` (then
/// `system_sf_strerror(nil)` says why).
func system_sf_open(reading path: String) -> (file: OpaquePointer, info: SoundFileInfo)? {
    var info = SF_INFO()
    guard let file = sf_open(path, Int32(SFM_READ), &info) else { return nil }
    return (
        file, SoundFileInfo(sampleRate: Int(info.samplerate), channelCount: Int(info.channels), frameCount: info.frames)
    )
}

/// Wraps `sf_format_check` for writing `encoding`.
func system_sf_format_check(_ encoding: AudioFileEncoding, sampleRate: Int, channelCount: Int) -> Bool {
    var info = encoding.sndfileInfo(sampleRate: sampleRate, channelCount: channelCount)
    return sf_format_check(&info) == SF_TRUE
}

/// The byte stream a writer's file goes to, passed to libsndfile as user data.
final class ByteStreamBox {
    let stream: any AudioByteStream

    init(_ stream: any AudioByteStream) {
        self.stream = stream
    }

    static func from(_ userData: UnsafeMutableRawPointer?) -> any AudioByteStream {
        Unmanaged<ByteStreamBox>.fromOpaque(userData!).takeUnretainedValue().stream
    }
}

extension AudioByteStreamOrigin {
    /// The origin of a `whence` of libsndfile's virtual I/O (`SEEK_SET`, `SEEK_CUR`, `SEEK_END`).
    fileprivate init(whence: Int32) {
        switch whence {
        case SEEK_SET: self = .start
        case SEEK_CUR: self = .current
        default: self = .end
        }
    }
}

/// libsndfile's virtual I/O, each call handed to the stream in the `ByteStreamBox` passed as user
/// data.
private let byteStreamIO = SF_VIRTUAL_IO(
    get_filelen: { ByteStreamBox.from($0).fileLength() },
    seek: { offset, whence, userData in
        ByteStreamBox.from(userData).seek(to: offset, from: AudioByteStreamOrigin(whence: whence))
    },
    read: { buffer, count, userData in ByteStreamBox.from(userData).read(into: buffer!, count: count) },
    write: { buffer, count, userData in ByteStreamBox.from(userData).write(buffer!, count: count) },
    tell: { ByteStreamBox.from($0).position() })

/// Wraps `sf_open_virtual` for writing `encoding` into `box`'s stream; `box` must outlive the file.
func system_sf_open_virtual(
    writingTo box: ByteStreamBox, _ encoding: AudioFileEncoding, sampleRate: Int, channelCount: Int
) -> OpaquePointer? {
    var io = byteStreamIO
    var info = encoding.sndfileInfo(sampleRate: sampleRate, channelCount: channelCount)
    return sf_open_virtual(&io, Int32(SFM_WRITE), &info, Unmanaged.passUnretained(box).toOpaque())
}

/// Wraps `sf_close`.
@discardableResult
func system_sf_close(_ file: OpaquePointer) -> Int32 {
    sf_close(file)
}

/// Wraps `sf_strerror`; `nil` asks for the error of the last failed open.
///
/// libsndfile's Ogg writer leaves a file's error at -1 after a failed write, and
/// libsndfile answers a negative number with a `printf` to standard output, which is where an
/// export to `-o -` sends the audio: such a number is never handed to it.
func system_sf_strerror(_ file: OpaquePointer?) -> String {
    if let file, case let code = sf_error(file), code < 0 { return "unknown libsndfile error \(code)" }
    guard let text = sf_strerror(file) else { return "unknown libsndfile error" }
    return String(cString: text)
}

/// Wraps `sf_error` and `sf_strerror`: libsndfile's message for the file's last error, or `nil`
/// when there was none.
func system_sf_error(_ file: OpaquePointer) -> String? {
    guard sf_error(file) != 0 else { return nil }
    return system_sf_strerror(file)
}

/// Wraps `sf_error_number` (never with a negative number: see `system_sf_strerror`).
func system_sf_error_number(_ code: Int32) -> String {
    guard code >= 0 else { return "unknown libsndfile error \(code)" }
    guard let text = sf_error_number(code) else { return "unknown libsndfile error \(code)" }
    return String(cString: text)
}

/// Wraps `sf_command(SFC_SET_CLIPPING)`: float to integer conversion saturates.
func system_sf_command_setClipping(_ file: OpaquePointer, _ isOn: Bool) {
    _ = sf_command(file, Int32(SFC_SET_CLIPPING), nil, Int32(isOn ? SF_TRUE : SF_FALSE))
}

/// Wraps `sf_command(SFC_SET_ADD_PEAK_CHUNK)`.
func system_sf_command_setAddPeakChunk(_ file: OpaquePointer, _ isOn: Bool) {
    _ = sf_command(file, Int32(SFC_SET_ADD_PEAK_CHUNK), nil, Int32(isOn ? SF_TRUE : SF_FALSE))
}

/// Wraps `sf_command(SFC_SET_COMPRESSION_LEVEL)`; returns whether libsndfile took the level.
func system_sf_command_setCompressionLevel(_ file: OpaquePointer, _ level: Double) -> Bool {
    var level = level
    return sf_command(file, Int32(SFC_SET_COMPRESSION_LEVEL), &level, Int32(MemoryLayout<Double>.size)) == SF_TRUE
}

/// Wraps `sf_command(SFC_SET_BITRATE_MODE)` with `SF_BITRATE_MODE_VARIABLE` or `_CONSTANT`;
/// returns whether libsndfile took it.
func system_sf_command_setBitrateMode(_ file: OpaquePointer, isVariable: Bool) -> Bool {
    var mode = Int32(isVariable ? SF_BITRATE_MODE_VARIABLE : SF_BITRATE_MODE_CONSTANT)
    return sf_command(file, Int32(SFC_SET_BITRATE_MODE), &mode, Int32(MemoryLayout<Int32>.size)) == SF_TRUE
}

/// Wraps `sf_set_string`.
func system_sf_set_string(_ file: OpaquePointer, _ field: AudioTags.Field, _ text: String) -> Int32 {
    sf_set_string(file, field.sndfileCode, text)
}

/// Wraps `sf_get_string`.
func system_sf_get_string(_ file: OpaquePointer, _ field: AudioTags.Field) -> String? {
    sf_get_string(file, field.sndfileCode).map { String(cString: $0) }
}

/// Wraps `sf_set_chunk`. libsndfile copies the data, so it need not outlive the call here.
func system_sf_set_chunk(_ file: OpaquePointer, id: String, data: [UInt8]) -> Int32 {
    var info = SF_CHUNK_INFO()
    withUnsafeMutableBytes(of: &info.id) { idBytes in
        for (index, byte) in id.utf8.prefix(63).enumerated() { idBytes[index] = byte }
    }
    info.id_size = UInt32(id.utf8.count)
    info.datalen = UInt32(data.count)
    return data.withUnsafeBytes { bytes in
        info.data = UnsafeMutableRawPointer(mutating: bytes.baseAddress)
        return sf_set_chunk(file, &info)
    }
}

/// Wraps `sf_writef_float`.
func system_sf_writef_float(_ file: OpaquePointer, _ samples: UnsafePointer<Float>, _ frames: Int) -> Int {
    Int(sf_writef_float(file, samples, sf_count_t(frames)))
}

/// Wraps `sf_writef_short`.
func system_sf_writef_short(_ file: OpaquePointer, _ samples: UnsafePointer<Int16>, _ frames: Int) -> Int {
    Int(sf_writef_short(file, samples, sf_count_t(frames)))
}

/// Wraps `sf_readf_float`: up to `frames` frames into `samples`; the frames read.
func system_sf_readf_float(_ file: OpaquePointer, _ samples: UnsafeMutablePointer<Float>, _ frames: Int) -> Int {
    Int(sf_readf_float(file, samples, sf_count_t(frames)))
}

/// Wraps `sf_seek` from the start of the file: the frame now read next, or `nil` when the file
/// cannot seek there.
func system_sf_seek(_ file: OpaquePointer, toFrame frame: Int64) -> Int64? {
    let position = sf_seek(file, sf_count_t(frame), SEEK_SET)
    return position < 0 ? nil : Int64(position)
}

/// Wraps `soothe_set_cues` (`SFC_SET_CUE` with an `SF_CUES_VAR`).
func system_soothe_set_cues(_ file: OpaquePointer, _ frames: [UInt32]) -> Bool {
    frames.withUnsafeBufferPointer { soothe_set_cues(file, $0.baseAddress, UInt32($0.count)) } == SF_TRUE
}

/// Wraps `soothe_get_cues` (`SFC_GET_CUE`).
func system_soothe_get_cues(_ file: OpaquePointer) -> [UInt32] {
    var frames = [UInt32](repeating: 0, count: 1024)
    let count = frames.withUnsafeMutableBufferPointer { soothe_get_cues(file, $0.baseAddress, UInt32($0.count)) }
    return Array(frames.prefix(Int(count)))
}
