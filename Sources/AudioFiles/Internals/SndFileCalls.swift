// swift-format-ignore-file: AlwaysUseLowerCamelCase

// (each wrapper is named system_foo after the C function foo it calls, as swift-system does)
internal import CSndFile

/// Every call into libsndfile that reading takes, each a thin function named after the C function
/// it wraps.
enum SndFileCalls {
    /// What a file's header says (`SF_INFO`).
    struct FileInfo {
        var sampleRate: Int
        var channelCount: Int
        var frameCount: Int64
    }

    /// Wraps `sf_open` for reading: the open file and what its header says, or libsndfile's message.
    static func sf_open(_ path: String) -> Result<(OpaquePointer, FileInfo), SndFileFailure> {
        var info = SF_INFO()
        guard let file = CSndFile.sf_open(path, Int32(SFM_READ), &info) else {
            return .failure(SndFileFailure(message: String(cString: sf_strerror(nil))))
        }
        return .success(
            (
                file,
                FileInfo(sampleRate: Int(info.samplerate), channelCount: Int(info.channels), frameCount: info.frames)
            ))
    }

    /// Wraps `sf_close`.
    static func sf_close(_ file: OpaquePointer) {
        _ = CSndFile.sf_close(file)
    }

    /// Wraps `sf_readf_float`: up to `frameCount` frames into `buffer`; the frames read.
    static func sf_readf_float(_ file: OpaquePointer, _ buffer: UnsafeMutablePointer<Float>, _ frameCount: Int) -> Int {
        Int(CSndFile.sf_readf_float(file, buffer, sf_count_t(frameCount)))
    }

    /// Wraps `sf_seek` from the start of the file: the frame now read next, or `nil` when the file
    /// cannot seek there.
    static func sf_seek(_ file: OpaquePointer, toFrame frame: Int64) -> Int64? {
        let position = CSndFile.sf_seek(file, sf_count_t(frame), SEEK_SET)
        return position < 0 ? nil : Int64(position)
    }

    /// Wraps `sf_error` and `sf_strerror`: libsndfile's message for the file's last error, or
    /// `nil` when there was none.
    static func sf_error(_ file: OpaquePointer) -> String? {
        guard CSndFile.sf_error(file) != 0 else { return nil }
        return String(cString: sf_strerror(file))
    }

    struct SndFileFailure: Error {
        var message: String
    }
}
