import Glibc

/// Writes audio to an open file descriptor through libsndfile, and owns the `SNDFILE` while it
/// does: the file is closed exactly once, by `close()` or, on an error path, by `deinit`.
///
/// All the libsndfile ordering rules live here: clipping on, no PEAK chunk, tags, cue points and
/// chunks before the first write, the compression level before the bitrate mode, and every
/// write's count checked. 16-bit formats are dithered here, in float, before libsndfile sees them.
package struct SoundFileWriter: ~Copyable {
    private var file: OpaquePointer?
    private let sink: FileSink
    package let displayPath: String
    private var dither: TriangularDither
    private let shortBuffer: UnsafeMutablePointer<Int16>
    private let shortCapacityFrames: Int
    package let format: AudioFileFormat
    package let channelCount: Int
    package private(set) var framesWritten: Int64 = 0
    /// The bytes sent to a stream so far. (A file has its size; this counts only what went before
    /// libsndfile's bytes there.)
    package var bytesWritten: Int64 { sink.length }

    /// Whether the file is RF64 rather than RIFF WAV: a WAV file holds at most 4 GiB, so longer
    /// WAV exports switch to RF64, which players that read large WAV files understand.
    package let isRF64: Bool

    /// Opens a writer on `fileDescriptor`, which must be open for reading and writing and empty.
    /// The descriptor stays open after `close()`, so the caller can fsync it. `expectedFrameCount`
    /// chooses RF64 for WAV data beyond 4 GiB.
    /// With `streams`, the descriptor is a pipe or the like: bytes go out in order, and what
    /// libsndfile rewrites after the audio (a header's sizes, a summary frame) is left out.
    package init(
        fileDescriptor: Int32, displayPath: String, sampleRate: Int, channelCount: Int, options: ExportOptions,
        expectedFrameCount: Int64 = 0, streams: Bool = false
    ) throws(ExportError) {
        let dataBytes = expectedFrameCount * Int64(channelCount * (options.format.pcmBytesPerSample ?? 0))
        self.isRF64 = !streams && options.format.container == .wav && dataBytes > Int64(UInt32.max) - 1_048_576
        self.format = options.format
        self.channelCount = channelCount
        self.displayPath = displayPath
        self.sink = FileSink(fileDescriptor: fileDescriptor, streams: streams)
        self.dither = TriangularDither(seed: options.ditherSeed)
        self.shortCapacityFrames = max(options.blockFrameCount, 1)
        self.shortBuffer = .allocate(capacity: shortCapacityFrames * channelCount)

        guard
            system_sf_format_check(options.format, isRF64: isRF64, sampleRate: sampleRate, channelCount: channelCount)
        else {
            throw ExportError(
                .invalidOption,
                "libsndfile cannot write \(options.format.rawValue) at \(sampleRate) Hz with \(channelCount) channels")
        }
        if options.format == .mp3 {
            // Before libsndfile writes anything; it sees the file start after the tag.
            let tag = ID3Tag.bytes(for: options.tags)
            guard sink.writePrefix(tag) else {
                throw FileSink.classify(sink.errorNumber, path: displayPath)
                    ?? ExportError(.io, "could not write '\(displayPath)'")
            }
        }
        guard
            let file = system_sf_open_virtual(
                writingTo: sink, options.format, isRF64: isRF64, sampleRate: sampleRate, channelCount: channelCount)
        else {
            throw ExportError(
                .encoding,
                "could not start \(options.format.rawValue) in '\(displayPath)': "
                    + system_sf_strerror(nil))
        }
        self.file = file
        try configure(file, options: options)
    }

    deinit {
        if let file { _ = system_sf_close(file) }
        shortBuffer.deallocate()
    }

    private func configure(_ file: OpaquePointer, options: ExportOptions) throws(ExportError) {
        // Float to integer conversion saturates instead of wrapping around.
        system_sf_command_setClipping(file, true)
        if options.format == .wavFloat {
            // The PEAK chunk carries a timestamp; without it identical audio gives identical files.
            system_sf_command_setAddPeakChunk(file, false)
        }
        // libsndfile's RF64 writer keeps neither tags nor cue points; a chapter file carries them.
        if !isRF64 { try setTags(options.tags, on: file) }
        try setEncoderSettings(options, on: file)
        if options.format.container == .wav && !isRF64 && !options.markers.isEmpty {
            try setMarkers(options.markers, on: file)
        }
    }

    /// Tags must be set before the first write; later libsndfile ignores them or fails. MP3 tags
    /// are not libsndfile's: see `ID3Tag`.
    private func setTags(_ tags: AudioTags, on file: OpaquePointer) throws(ExportError) {
        guard format != .mp3 else { return }
        let supported = format.supportedTags
        let entries: [(SoundFileString, String, String)] = [
            (.title, "title", tags.title), (.artist, "artist", tags.artist), (.comment, "comment", tags.comment),
            (.software, "software", tags.software), (.date, "date", tags.date),
        ]
        for (field, name, text) in entries where !text.isEmpty && supported.contains(name) {
            let result = system_sf_set_string(file, field, text)
            guard result == 0 else {
                throw ExportError(
                    .encoding, "could not set the \(name) tag of '\(displayPath)': \(system_sf_strerror(file))")
            }
        }
    }

    /// libsndfile re-reads the compression level when the bitrate mode changes, so the level
    /// must come first.
    private func setEncoderSettings(_ options: ExportOptions, on file: OpaquePointer) throws(ExportError) {
        var level: Double?
        var isVariableBitrate: Bool?
        switch options.format {
        case .oggVorbis, .opus:
            level = options.quality.map { 1 - $0 }
        case .mp3:
            switch options.mp3Bitrate {
            case .constant(let kilobitsPerSecond):
                // libsndfile maps the level to `320 - level × 288` kbps and truncates; aiming half a
                // kilobit above makes the truncation land on the exact rate. At 320 that aim lies
                // below 0, which libsndfile refuses, and 0 gives 320 exactly.
                level = max(0, (320 - (Double(kilobitsPerSecond) + 0.5)) / 288)
                isVariableBitrate = false
            case .variable(let quality):
                // libsndfile hands LAME `level × 10` as its VBR quality.
                level = Double(quality) / 10
                isVariableBitrate = true
            }
        default:
            break
        }
        if let level {
            // A value libsndfile refuses is a bad option value like any other.
            guard system_sf_command_setCompressionLevel(file, level) else {
                throw ExportError(
                    .invalidOption,
                    "libsndfile refused the compression level \(level) for \(format.container.rawValue) in '\(displayPath)'"
                )
            }
        }
        if let isVariableBitrate {
            guard system_sf_command_setBitrateMode(file, isVariable: isVariableBitrate) else {
                throw ExportError(
                    .invalidOption,
                    "libsndfile refused the \(isVariableBitrate ? "variable" : "constant") bitrate mode for "
                        + "\(format.container.rawValue) in '\(displayPath)'")
            }
        }
    }

    /// Cue points through `SFC_SET_CUE`, and their labels in a `LIST`/`adtl` chunk, because
    /// libsndfile writes cue positions but drops their names.
    private func setMarkers(_ markers: [StepMarker], on file: OpaquePointer) throws(ExportError) {
        let frames = markers.map { UInt32(clamping: $0.startFrame) }
        guard system_soothe_set_cues(file, frames) else {
            throw ExportError(
                .encoding, "could not add step markers to '\(displayPath)': \(system_sf_strerror(file))")
        }
        let chunk = AssociatedDataList.labelChunk(labels: markers.map(\.label))
        guard system_sf_set_chunk(file, id: "LIST", data: chunk) == 0 else {
            throw ExportError(
                .encoding, "could not add step labels to '\(displayPath)': \(system_sf_strerror(file))")
        }
    }

    /// Writes interleaved float frames (full scale ±1), dithering them first for 16-bit formats.
    package mutating func write(_ samples: UnsafePointer<Float>, frameCount: Int) throws(ExportError) {
        guard let file else { preconditionFailure("write after close") }
        var done = 0
        while done < frameCount {
            let count = min(frameCount - done, shortCapacityFrames)
            let start = samples + done * channelCount
            let written: Int
            if format.isDithered {
                dither.quantize(start, into: shortBuffer, count: count * channelCount)
                written = system_sf_writef_short(file, shortBuffer, count)
            } else {
                written = system_sf_writef_float(file, start, count)
            }
            // Some codecs (MP3) report a full count even when the file write failed; the sink
            // remembers every failed system call, so check it as well as the count.
            guard written == count, sink.errorNumber == 0 else { throw writeError(file) }
            done += count
        }
        framesWritten += Int64(frameCount)
    }

    /// Finishes the file (trailing chunks, encoder flush, header sizes) and closes the `SNDFILE`.
    /// The descriptor stays open.
    package consuming func close() throws(ExportError) {
        guard let file else { return }
        self.file = nil
        let result = system_sf_close(file)
        guard result == 0, sink.errorNumber == 0 else {
            if let error = FileSink.classify(sink.errorNumber, path: displayPath) { throw error }
            throw ExportError(
                .encoding, "could not finish '\(displayPath)': \(system_sf_error_number(result))")
        }
    }

    private func writeError(_ file: OpaquePointer) -> ExportError {
        if let error = FileSink.classify(sink.errorNumber, path: displayPath) { return error }
        return ExportError(.encoding, "could not write '\(displayPath)': \(system_sf_strerror(file))")
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

extension AudioFileFormat {
    /// The tags libsndfile can store in this format (MP3's are written as an `ID3Tag`).
    var supportedTags: Set<String> {
        switch self {
        case .mp3: []
        default: ["title", "artist", "comment", "software", "date"]
        }
    }
}

/// The file libsndfile writes into, through its virtual I/O interface, so that every failed
/// system call is seen here with its `errno` — some codecs ignore short writes.
///
/// A streaming sink (standard output) cannot seek: it keeps its own position and length, sends
/// bytes in order, and drops what libsndfile writes over bytes already sent (the summary it
/// rewrites at the end), so that libsndfile never sees a failed seek.
final class FileSink {
    let fileDescriptor: Int32
    let streams: Bool
    /// The `errno` of the first failed call, or 0.
    private(set) var errorNumber: Int32 = 0
    /// A stream's position as libsndfile sees it, and the bytes libsndfile has sent so far.
    private var streamPosition: Int64 = 0
    private var streamLength: Int64 = 0
    /// Bytes written before libsndfile's own (an MP3's ID3 tag). libsndfile sees the file start
    /// after them: every offset it gives or gets is shifted by this much.
    private var prefixLength: Int64 = 0
    /// Every byte handed to the descriptor, the prefix included.
    private(set) var length: Int64 = 0
    /// How far the file has been handed to the disk; see `startWriteback`.
    private var writebackOffset: Int64 = 0
    private var bytesSinceWriteback = 0
    /// Start writing to disk every this many bytes, while the export goes on.
    private static let writebackInterval = 8 << 20

    init(fileDescriptor: Int32, streams: Bool = false) {
        self.fileDescriptor = fileDescriptor
        self.streams = streams
    }

    /// Writes `bytes` at the start, before libsndfile opens the file. Returns whether all were
    /// written.
    func writePrefix(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return true }
        let done = bytes.withUnsafeBytes { system_write(fileDescriptor, $0.baseAddress!, $0.count) }
        guard done == bytes.count else {
            _ = fail()
            return false
        }
        prefixLength = Int64(done)
        length = prefixLength
        return true
    }

    private func fail(_ errorNumber: Int32 = errno) -> Int64 {
        if self.errorNumber == 0 { self.errorNumber = errorNumber }
        return -1
    }

    /// The sink passed to libsndfile as user data.
    static func from(_ userData: UnsafeMutableRawPointer?) -> FileSink {
        Unmanaged<FileSink>.fromOpaque(userData!).takeUnretainedValue()
    }

    // libsndfile's virtual I/O calls, as libsndfile sees the file: from after the prefix, and for
    // a stream, as far as it has been sent. Each returns -1 on failure, with the errno kept.

    func fileLength() -> Int64 {
        if streams { return streamLength }
        guard let status = system_fstat(fileDescriptor) else { return fail() }
        return Int64(status.st_size) - prefixLength
    }

    func seek(_ offset: Int64, _ whence: Int32) -> Int64 {
        guard streams else {
            let shifted = whence == SEEK_SET ? offset + prefixLength : offset
            let position = system_lseek(fileDescriptor, shifted, whence)
            return position < 0 ? fail() : position - prefixLength
        }
        let base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? streamPosition : streamLength
        guard base + offset >= 0, base + offset <= streamLength else { return fail(ESPIPE) }
        streamPosition = base + offset
        return streamPosition
    }

    func read(into buffer: UnsafeMutableRawPointer, count: Int64) -> Int64 {
        if streams { return 0 }
        let done = system_read(fileDescriptor, buffer, Int(count))
        return done < 0 ? fail() : Int64(done)
    }

    func write(_ buffer: UnsafeRawPointer, count: Int64) -> Int64 {
        var skipped = 0
        if streams {
            // Bytes over what was already sent cannot be taken back; drop them.
            skipped = Int(min(count, streamLength - streamPosition))
            streamPosition += Int64(skipped)
        }
        let wanted = Int(count) - skipped
        let done = wanted > 0 ? system_write(fileDescriptor, buffer + skipped, wanted) : 0
        if done < wanted { _ = fail() }
        if streams {
            streamPosition += Int64(done)
            streamLength = max(streamLength, streamPosition)
            length = prefixLength + streamLength
        } else {
            startWriteback(afterWriting: done)
        }
        return Int64(skipped + done)
    }

    func tell() -> Int64 {
        if streams { return streamPosition }
        let position = system_lseek(fileDescriptor, 0, SEEK_CUR)
        return position < 0 ? fail() : position - prefixLength
    }

    /// Hands the data written so far to the disk every few megabytes without waiting for it, so
    /// that disk writes overlap rendering and the final fsync is short.
    private func startWriteback(afterWriting count: Int) {
        bytesSinceWriteback += count
        guard bytesSinceWriteback >= Self.writebackInterval else { return }
        bytesSinceWriteback = 0
        let position = system_lseek(fileDescriptor, 0, SEEK_CUR)
        guard position > writebackOffset else { return }
        system_soothe_start_writeback(fileDescriptor, offset: writebackOffset, length: position - writebackOffset)
        writebackOffset = position
    }

    /// The error for a failed system call while writing `path`, or `nil` when there was none.
    static func classify(_ errorNumber: Int32, path: String) -> ExportError? {
        switch errorNumber {
        case 0: nil
        case ENOSPC, EDQUOT: ExportError(.diskFull, "could not write '\(path)': disk full")
        case EFBIG: ExportError(.fileSizeLimit, "could not write '\(path)': file size limit reached")
        case EPIPE: ExportError(.io, "could not write '\(path)': the reading end was closed")
        default: ExportError(.io, "could not write '\(path)': \(system_strerror(errorNumber))")
        }
    }
}
