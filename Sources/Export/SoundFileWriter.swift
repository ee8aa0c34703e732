import AudioFiles
import Glibc

/// Writes an export's audio to an open file descriptor: the format's policy on top of
/// `AudioFileWriter`, which encodes with libsndfile.
///
/// The choices here are Soothe's: RF64 for WAV data beyond 4 GiB, which tags go in and how (MP3's
/// as an `ID3Tag` before libsndfile's bytes), the encoder settings the options ask for, the step
/// markers, and dither: 16-bit formats are dithered here, in float, before libsndfile sees the
/// samples. Every write is checked against the `FileSink`'s failed system calls as well as
/// libsndfile's count. The file is closed exactly once, by `close()` or, on an error path, when
/// the `AudioFileWriter` goes.
package struct SoundFileWriter: ~Copyable {
    private var file: AudioFileWriter?
    private let sink: FileSink
    package let displayPath: String
    private var dither: TriangularDither
    /// The 16-bit samples of one write, dithered.
    private let shortBuffer: ManagedBuffer<Void, Int16>
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
        let shortCapacity = shortCapacityFrames * channelCount
        self.shortBuffer = ManagedBuffer<Void, Int16>.create(minimumCapacity: shortCapacity) { _ in }
        shortBuffer.withUnsafeMutablePointerToElements { $0.initialize(repeating: 0, count: shortCapacity) }

        let encoding = options.format.encoding(isRF64: isRF64)
        guard AudioFileWriter.canWrite(encoding, sampleRate: sampleRate, channelCount: channelCount) else {
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
        let file: AudioFileWriter
        do {
            file = try AudioFileWriter(
                writingTo: sink, encoding: encoding, sampleRate: sampleRate, channelCount: channelCount)
        } catch {
            throw ExportError(
                .encoding, "could not start \(options.format.rawValue) in '\(displayPath)': \(error.message)")
        }
        // libsndfile's RF64 writer keeps neither tags nor cue points; a chapter file carries them.
        if !isRF64 { try Self.setTags(options.tags, of: format, on: file, displayPath: displayPath) }
        try Self.setEncoderSettings(options, on: file, displayPath: displayPath)
        if options.format.container == .wav && !isRF64 && !options.markers.isEmpty {
            try Self.setMarkers(options.markers, on: file, displayPath: displayPath)
        }
        self.file = consume file
    }

    /// MP3 tags are not libsndfile's: see `ID3Tag`.
    private static func setTags(
        _ tags: AudioTags, of format: AudioFileFormat, on file: borrowing AudioFileWriter, displayPath: String
    ) throws(ExportError) {
        guard format != .mp3 else { return }
        let supported = format.supportedTags
        for field in AudioTags.Field.allCases where !tags[field].isEmpty && supported.contains(field.rawValue) {
            do { try file.setTag(field, tags[field]) } catch {
                throw ExportError(
                    .encoding, "could not set the \(field.rawValue) tag of '\(displayPath)': \(error.message)")
            }
        }
    }

    /// Quality for Vorbis and Opus, the bitrate for MP3. A value libsndfile refuses is a bad option
    /// value like any other.
    private static func setEncoderSettings(
        _ options: ExportOptions, on file: borrowing AudioFileWriter, displayPath: String
    ) throws(ExportError) {
        do {
            switch options.format {
            case .oggVorbis, .opus:
                if let quality = options.quality { try file.setQuality(quality) }
            case .mp3:
                switch options.mp3Bitrate {
                case .constant(let kilobitsPerSecond): try file.setConstantBitrate(kilobitsPerSecond: kilobitsPerSecond)
                case .variable(let quality): try file.setVariableBitrate(quality: quality)
                }
            default:
                break
            }
        } catch {
            throw ExportError(
                .invalidOption, "\(error.message) for \(options.format.container.rawValue) in '\(displayPath)'")
        }
    }

    /// Cue points at each step start, and their labels.
    private static func setMarkers(
        _ markers: [StepMarker], on file: borrowing AudioFileWriter, displayPath: String
    ) throws(ExportError) {
        do { try file.setCuePoints(atFrames: markers.map(\.startFrame)) } catch {
            throw ExportError(.encoding, "could not add step markers to '\(displayPath)': \(error.message)")
        }
        do { try file.setCueLabels(markers.map(\.label)) } catch {
            throw ExportError(.encoding, "could not add step labels to '\(displayPath)': \(error.message)")
        }
    }

    /// Writes interleaved float frames (full scale ±1), dithering them first for 16-bit formats.
    package mutating func write(_ samples: UnsafePointer<Float>, frameCount: Int) throws(ExportError) {
        guard file != nil else { preconditionFailure("write after close") }
        var done = 0
        while done < frameCount {
            let count = min(frameCount - done, shortCapacityFrames)
            let start = samples + done * channelCount
            do {
                if format.isDithered {
                    try shortBuffer.withUnsafeMutablePointerToElements { shorts throws(AudioFileError) in
                        dither.quantize(start, into: shorts, count: count * channelCount)
                        try file!.write(shorts, frameCount: count)
                    }
                } else {
                    try file!.write(start, frameCount: count)
                }
            } catch {
                throw FileSink.classify(sink.errorNumber, path: displayPath)
                    ?? ExportError(.encoding, "could not write '\(displayPath)': \(error.message)")
            }
            // Some codecs (MP3) report a full count even when the file write failed; the sink
            // remembers every failed system call, so check it as well as the count.
            if let error = FileSink.classify(sink.errorNumber, path: displayPath) { throw error }
            done += count
        }
        framesWritten += Int64(frameCount)
    }

    /// Finishes the file (trailing chunks, encoder flush, header sizes) and closes it. The
    /// descriptor stays open.
    package consuming func close() throws(ExportError) {
        guard let file = file.take() else { return }
        var failure: AudioFileError?
        do { try file.close() } catch { failure = error }
        if let error = FileSink.classify(sink.errorNumber, path: displayPath) { throw error }
        if let failure {
            throw ExportError(.encoding, "could not finish '\(displayPath)': \(failure.message)")
        }
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
final class FileSink: AudioByteStream {
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

    // libsndfile's virtual I/O calls, as libsndfile sees the file: from after the prefix, and for
    // a stream, as far as it has been sent. Each returns -1 on failure, with the errno kept.

    func fileLength() -> Int64 {
        if streams { return streamLength }
        guard let status = system_fstat(fileDescriptor) else { return fail() }
        return Int64(status.st_size) - prefixLength
    }

    func seek(to offset: Int64, from origin: AudioByteStreamOrigin) -> Int64 {
        let whence =
            switch origin {
            case .start: SEEK_SET
            case .current: SEEK_CUR
            case .end: SEEK_END
            }
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

    func position() -> Int64 {
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
        system_start_writeback(fileDescriptor, offset: writebackOffset, length: position - writebackOffset)
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
