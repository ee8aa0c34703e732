// swift-format-ignore-file: AlwaysUseLowerCamelCase
// (each wrapper is named system_foo after the C function foo it calls, as swift-system does)
internal import CExportSupport
internal import CSndFile

// Every call into libsndfile and the export's C support code, and every libsndfile type and
// constant, in one place: no other file of Export imports CSndFile. Each function wraps the C
// function it is named after and does nothing else.

/// The `SF_FORMAT_*` container and codec of each format Soothe writes.
extension AudioFileFormat {
    fileprivate var sndfileFormat: Int32 {
        let (container, codec): (Int, Int) =
            switch self {
            case .wav16: (SF_FORMAT_WAV, SF_FORMAT_PCM_16)
            case .wav24: (SF_FORMAT_WAV, SF_FORMAT_PCM_24)
            case .wavFloat: (SF_FORMAT_WAV, SF_FORMAT_FLOAT)
            case .flac16: (SF_FORMAT_FLAC, SF_FORMAT_PCM_16)
            case .flac24: (SF_FORMAT_FLAC, SF_FORMAT_PCM_24)
            case .oggVorbis: (SF_FORMAT_OGG, SF_FORMAT_VORBIS)
            case .opus: (SF_FORMAT_OGG, SF_FORMAT_OPUS)
            case .mp3: (SF_FORMAT_MPEG, SF_FORMAT_MPEG_LAYER_III)
            }
        return Int32(container | codec)
    }

    /// The `SF_INFO` for writing this format, as RF64 instead of RIFF WAV when `isRF64`.
    fileprivate func sndfileInfo(isRF64: Bool, sampleRate: Int, channelCount: Int) -> SF_INFO {
        var info = SF_INFO()
        info.samplerate = Int32(sampleRate)
        info.channels = Int32(channelCount)
        info.format =
            isRF64 ? (sndfileFormat & ~Int32(SF_FORMAT_TYPEMASK)) | Int32(SF_FORMAT_RF64) : sndfileFormat
        return info
    }
}

/// The text fields libsndfile stores (`SF_STR_*`).
enum SoundFileString: CaseIterable {
    case title, artist, comment, software, date

    fileprivate var code: Int32 {
        switch self {
        case .title: Int32(SF_STR_TITLE)
        case .artist: Int32(SF_STR_ARTIST)
        case .comment: Int32(SF_STR_COMMENT)
        case .software: Int32(SF_STR_SOFTWARE)
        case .date: Int32(SF_STR_DATE)
        }
    }
}

/// Wraps `sf_format_check` for writing `format`.
func system_sf_format_check(_ format: AudioFileFormat, isRF64: Bool, sampleRate: Int, channelCount: Int) -> Bool {
    var info = format.sndfileInfo(isRF64: isRF64, sampleRate: sampleRate, channelCount: channelCount)
    return sf_format_check(&info) == SF_TRUE
}

/// libsndfile's virtual I/O, each call handed to the `FileSink` passed as user data.
private let fileSinkIO = SF_VIRTUAL_IO(
    get_filelen: { FileSink.from($0).fileLength() },
    seek: { offset, whence, userData in FileSink.from(userData).seek(offset, whence) },
    read: { buffer, count, userData in FileSink.from(userData).read(into: buffer!, count: count) },
    write: { buffer, count, userData in FileSink.from(userData).write(buffer!, count: count) },
    tell: { FileSink.from($0).tell() })

/// Wraps `sf_open_virtual` for writing `format` into `sink`, which must outlive the file.
func system_sf_open_virtual(
    writingTo sink: FileSink, _ format: AudioFileFormat, isRF64: Bool, sampleRate: Int, channelCount: Int
) -> OpaquePointer? {
    var io = fileSinkIO
    var info = format.sndfileInfo(isRF64: isRF64, sampleRate: sampleRate, channelCount: channelCount)
    return sf_open_virtual(&io, Int32(SFM_WRITE), &info, Unmanaged.passUnretained(sink).toOpaque())
}

/// Wraps `sf_open` for reading: the file with its rate, channel count and frame count.
func system_sf_open(
    reading path: String
) -> (file: OpaquePointer, sampleRate: Int, channelCount: Int, frameCount: Int64)? {
    var info = SF_INFO()
    guard let file = sf_open(path, Int32(SFM_READ), &info) else { return nil }
    return (file, Int(info.samplerate), Int(info.channels), Int64(info.frames))
}

/// Wraps `sf_close`.
func system_sf_close(_ file: OpaquePointer) -> Int32 {
    sf_close(file)
}

/// Wraps `sf_strerror`; `nil` asks for the error of the last failed open.
func system_sf_strerror(_ file: OpaquePointer?) -> String {
    guard let text = sf_strerror(file) else { return "unknown libsndfile error" }
    return String(cString: text)
}

/// Wraps `sf_error_number`.
func system_sf_error_number(_ code: Int32) -> String {
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
func system_sf_set_string(_ file: OpaquePointer, _ field: SoundFileString, _ text: String) -> Int32 {
    sf_set_string(file, field.code, text)
}

/// Wraps `sf_get_string`.
func system_sf_get_string(_ file: OpaquePointer, _ field: SoundFileString) -> String? {
    sf_get_string(file, field.code).map { String(cString: $0) }
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

/// Wraps `sf_readf_float`.
func system_sf_readf_float(_ file: OpaquePointer, _ samples: UnsafeMutablePointer<Float>, _ frames: Int) -> Int {
    Int(sf_readf_float(file, samples, sf_count_t(frames)))
}

/// Wraps `sf_readf_short`.
func system_sf_readf_short(_ file: OpaquePointer, _ samples: UnsafeMutablePointer<Int16>, _ frames: Int) -> Int {
    Int(sf_readf_short(file, samples, sf_count_t(frames)))
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

/// Wraps `soothe_start_writeback` (`sync_file_range` with `SYNC_FILE_RANGE_WRITE`).
func system_soothe_start_writeback(_ fileDescriptor: Int32, offset: Int64, length: Int64) {
    _ = soothe_start_writeback(fileDescriptor, offset, length)
}
