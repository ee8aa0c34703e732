import AudioFiles
import Foundation
import Testing

/// A growing file in memory, as libsndfile's virtual I/O sees a file; `failsWrites` makes every
/// write fail, as a full disk would.
final class MemoryByteStream: AudioByteStream {
    private(set) var bytes: [UInt8] = []
    private var offset = 0
    let failsWrites: Bool

    init(failsWrites: Bool = false) {
        self.failsWrites = failsWrites
    }

    func fileLength() -> Int64 { Int64(bytes.count) }

    func seek(to offset: Int64, from origin: AudioByteStreamOrigin) -> Int64 {
        let base =
            switch origin {
            case .start: 0
            case .current: self.offset
            case .end: bytes.count
            }
        guard base + Int(offset) >= 0 else { return -1 }
        self.offset = base + Int(offset)
        return Int64(self.offset)
    }

    func read(into buffer: UnsafeMutableRawPointer, count: Int64) -> Int64 {
        let available = max(0, min(Int(count), bytes.count - offset))
        guard available > 0 else { return 0 }
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress! + offset, byteCount: available) }
        offset += available
        return Int64(available)
    }

    func write(_ buffer: UnsafeRawPointer, count: Int64) -> Int64 {
        guard !failsWrites else { return -1 }
        let end = offset + Int(count)
        if end > bytes.count { bytes += [UInt8](repeating: 0, count: end - bytes.count) }
        bytes.withUnsafeMutableBytes {
            $0.baseAddress!.advanced(by: offset).copyMemory(from: buffer, byteCount: Int(count))
        }
        offset = end
        return count
    }

    func position() -> Int64 { Int64(offset) }
}

/// Writing through `AudioFileWriter` and reading back through `AudioFileReader`, both libsndfile.
struct AudioFileWriterTests {
    static let sampleRate = 48000
    static let tags = AudioTags(
        title: "Füße im Bett", artist: "Soothe", comment: "1. Settle\n2. Warm up", software: "Soothe test",
        date: "2025-01-02")

    /// Half a second of a 440 Hz sine on the left and 660 Hz on the right, at half scale.
    static let stereoSine: [Float] = (0..<(sampleRate / 2)).flatMap { frame in
        let time = Float(frame) / Float(sampleRate)
        return [0.5 * sin(2 * .pi * 440 * time), 0.5 * sin(2 * .pi * 660 * time)]
    }

    /// Writes `samples` as `encoding` into a file in `maker`'s folder, tagged and with `configure`
    /// applied before the first write; the file's path.
    static func write(
        _ samples: [Float], channelCount: Int = 2, as encoding: AudioFileEncoding, named name: String,
        in maker: SoundMaker, configure: (borrowing AudioFileWriter) throws -> Void = { _ in }
    ) throws -> String {
        let stream = MemoryByteStream()
        var writer = try AudioFileWriter(
            writingTo: stream, encoding: encoding, sampleRate: sampleRate, channelCount: channelCount)
        if encoding.codec != .mp3 {
            for field in AudioTags.Field.allCases { try writer.setTag(field, tags[field]) }
        }
        try configure(writer)
        try samples.withUnsafeBufferPointer { buffer in
            try writer.write(buffer.baseAddress!, frameCount: samples.count / channelCount)
        }
        try writer.close()
        let path = maker.folder.appendingPathComponent(name).path
        try Data(stream.bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(arguments: [
        (AudioFileEncoding(.wav, .pcm24), "wav"), (AudioFileEncoding(.wav, .float), "wav"),
        (AudioFileEncoding(.flac, .pcm24), "flac"), (AudioFileEncoding(.ogg, .vorbis), "ogg"),
        (AudioFileEncoding(.ogg, .opus), "opus"), (AudioFileEncoding(.mpeg, .mp3), "mp3"),
    ])
    func whatIsWrittenReadsBackWithItsRateChannelsLengthAndTags(encoding: AudioFileEncoding, fileExtension: String)
        throws
    {
        let maker = try SoundMaker()
        defer { maker.remove() }
        let path = try Self.write(Self.stereoSine, as: encoding, named: "out.\(fileExtension)", in: maker)
        let decoded = try AudioFileReader.read(path)
        #expect(decoded.sampleRate == Self.sampleRate && decoded.channelCount == 2)
        #expect(decoded.samples.count == Self.stereoSine.count, "decoded \(decoded.samples.count / 2) frames")
        if encoding.codec == .pcm24 || encoding.codec == .float {
            let worst = zip(decoded.samples, Self.stereoSine).map { abs($0 - $1) }.max() ?? 1
            #expect(worst <= 1 / 8_388_608 + 1e-7, "largest difference \(worst)")
        }
        if encoding.codec != .mp3 {
            #expect(decoded.tags.title == Self.tags.title)
            #expect(decoded.tags.artist == Self.tags.artist)
            #expect(decoded.tags.comment == Self.tags.comment)
            #expect(decoded.tags.date == Self.tags.date)
        }
    }

    @Test func sixteenBitFramesAreWrittenAsGiven() throws {
        let maker = try SoundMaker()
        defer { maker.remove() }
        let integers: [Int16] = (0..<2000).map { Int16(truncatingIfNeeded: $0 * 37 - 30000) }
        let stream = MemoryByteStream()
        var writer = try AudioFileWriter(
            writingTo: stream, encoding: AudioFileEncoding(.flac, .pcm16), sampleRate: Self.sampleRate, channelCount: 1)
        try integers.withUnsafeBufferPointer { try writer.write($0.baseAddress!, frameCount: integers.count) }
        try writer.close()
        let path = maker.folder.appendingPathComponent("short.flac").path
        try Data(stream.bytes).write(to: URL(fileURLWithPath: path))
        let decoded = try AudioFileReader.read(path)
        #expect(decoded.samples == integers.map { Float($0) / 32768 })
    }

    @Test func wavCuePointsAndTheirLabelsAreKept() throws {
        let maker = try SoundMaker()
        defer { maker.remove() }
        let frames: [Int64] = [0, 6000, 18000]
        let labels = ["1. Settle", "2. Rub the whole foot (right)", "3. Füße"]
        let path = try Self.write(Self.stereoSine, as: AudioFileEncoding(.wav, .pcm24), named: "cues.wav", in: maker) {
            try $0.setCuePoints(atFrames: frames)
            try $0.setCueLabels(labels)
        }
        #expect(try AudioFileReader.read(path).cueFrames == frames)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        for (index, label) in labels.enumerated() {
            // `labl`, the size, the cue id, then the NUL-terminated label.
            let id = UInt8(index + 1)
            let expected = Array("labl".utf8)
            let found = bytes.indices.contains { start in
                start + 12 + label.utf8.count < bytes.count && Array(bytes[start..<(start + 4)]) == expected
                    && bytes[start + 8] == id
                    && Array(bytes[(start + 12)..<(start + 12 + label.utf8.count)]) == Array(label.utf8)
            }
            #expect(found, "no label '\(label)' for cue \(id)")
        }
    }

    @Test func mp3BitratesAreTheOnesAskedFor() throws {
        let maker = try SoundMaker()
        defer { maker.remove() }
        let seconds = 4
        let long = (0..<seconds * 2).flatMap { _ in Self.stereoSine }
        for kilobitsPerSecond in [96, 320] {
            let path = try Self.write(
                long, as: AudioFileEncoding(.mpeg, .mp3), named: "\(kilobitsPerSecond).mp3", in: maker
            ) { try $0.setConstantBitrate(kilobitsPerSecond: kilobitsPerSecond) }
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path)).count
            let measured = Double(bytes * 8) / Double(seconds) / 1000
            #expect(abs(measured - Double(kilobitsPerSecond)) < Double(kilobitsPerSecond) * 0.1, "\(measured) kbps")
        }
    }

    @Test func aCodecOutsideItsContainerCannotBeWritten() {
        #expect(AudioFileWriter.canWrite(AudioFileEncoding(.flac, .pcm24), sampleRate: 48000, channelCount: 2))
        #expect(!AudioFileWriter.canWrite(AudioFileEncoding(.wav, .vorbis), sampleRate: 48000, channelCount: 2))
        #expect(!AudioFileWriter.canWrite(AudioFileEncoding(.flac, .float), sampleRate: 48000, channelCount: 2))
    }

    @Test func aStreamThatTakesNoBytesIsAnEncodingFailure() throws {
        let stream = MemoryByteStream(failsWrites: true)
        let error = #expect(throws: AudioFileError.self) {
            var writer = try AudioFileWriter(
                writingTo: stream, encoding: AudioFileEncoding(.wav, .pcm24), sampleRate: 48000, channelCount: 2)
            try Self.stereoSine.withUnsafeBufferPointer { try writer.write($0.baseAddress!, frameCount: 1000) }
            try writer.close()
        }
        #expect(error?.kind == .encodingFailed)
    }
}

/// Reading as stereo: mono on both channels, more channels folded down.
struct AudioFileReaderTests {
    @Test(arguments: [1, 3])
    func readStereoFoldsTheChannels(channelCount: Int) throws {
        let maker = try SoundMaker()
        defer { maker.remove() }
        let frameCount = 5000
        let samples = (0..<(frameCount * channelCount)).map { Float($0 % 97) / 200 - 0.2 }
        let path = try AudioFileWriterTests.write(
            samples, channelCount: channelCount, as: AudioFileEncoding(.wav, .float), named: "fold.wav", in: maker)
        let reader = try AudioFileReader(path: path)
        #expect(reader.channelCount == channelCount && reader.frameCount == Int64(frameCount))
        var stereo = [Float](repeating: 0, count: frameCount * 2)
        var done = 0
        while done < frameCount {
            let frames = try stereo.withUnsafeMutableBufferPointer {
                try reader.readStereo(into: $0.baseAddress! + done * 2, frameCount: frameCount - done)
            }
            try #require(frames > 0)
            done += frames
        }
        for frame in 0..<frameCount {
            let input = samples[(frame * channelCount)..<((frame + 1) * channelCount)].map { $0 }
            let left = channelCount == 1 ? input[0] : (input[0] + input[2]) / 2
            let right = channelCount == 1 ? input[0] : input[1]
            #expect(stereo[frame * 2] == left && stereo[frame * 2 + 1] == right, "frame \(frame)")
            if stereo[frame * 2] != left { break }
        }
    }

    @Test func aFileThatIsNotAudioIsUnreadableWithLibsndfilesReason() throws {
        let maker = try SoundMaker()
        defer { maker.remove() }
        let path = maker.folder.appendingPathComponent("text.wav").path
        try Data("not audio at all".utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: AudioFileError.self) { _ = try AudioFileReader(path: path) }
        #expect(error?.kind == .unreadable)
        #expect(error?.message.isEmpty == false)
    }
}
