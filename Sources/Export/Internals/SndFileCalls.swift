internal import CExportSupport
internal import CSndFile

// Every call into libsndfile and the export's C support code, in one place. Each function wraps
// the C function it is named after and does nothing else.

/// Wraps `sf_open_virtual`.
func system_sf_open_virtual(
    _ io: inout SF_VIRTUAL_IO, _ mode: Int32, _ info: inout SF_INFO, _ userData: UnsafeMutableRawPointer
) -> OpaquePointer? {
    sf_open_virtual(&io, mode, &info, userData)
}

/// Wraps `sf_open`.
func system_sf_open(_ path: String, _ mode: Int32, _ info: inout SF_INFO) -> OpaquePointer? {
    sf_open(path, mode, &info)
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

/// Wraps `sf_format_check`.
func system_sf_format_check(_ info: inout SF_INFO) -> Bool {
    sf_format_check(&info) == SF_TRUE
}

/// Wraps `sf_command` for commands that take a Boolean in `datasize` (such as `SFC_SET_CLIPPING`).
func system_sf_command(_ file: OpaquePointer, _ command: Int32, flag: Bool) -> Int32 {
    sf_command(file, command, nil, Int32(flag ? SF_TRUE : SF_FALSE))
}

/// Wraps `sf_command` for commands that take a `double` (such as `SFC_SET_COMPRESSION_LEVEL`).
func system_sf_command(_ file: OpaquePointer, _ command: Int32, double value: Double) -> Int32 {
    var value = value
    return sf_command(file, command, &value, Int32(MemoryLayout<Double>.size))
}

/// Wraps `sf_command` for commands that take an `int` (such as `SFC_SET_BITRATE_MODE`).
func system_sf_command(_ file: OpaquePointer, _ command: Int32, int value: Int32) -> Int32 {
    var value = value
    return sf_command(file, command, &value, Int32(MemoryLayout<Int32>.size))
}

/// Wraps `sf_set_string`.
func system_sf_set_string(_ file: OpaquePointer, _ type: Int32, _ text: String) -> Int32 {
    sf_set_string(file, type, text)
}

/// Wraps `sf_get_string`.
func system_sf_get_string(_ file: OpaquePointer, _ type: Int32) -> String? {
    sf_get_string(file, type).map { String(cString: $0) }
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
