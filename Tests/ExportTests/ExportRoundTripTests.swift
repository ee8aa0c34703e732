import AudioFiles
import Foundation
import SootheTestSupport
import Testing

@testable import Export

/// Every format written through libsndfile and read back through libsndfile.
struct ExportRoundTripTests {
    static let tags = AudioTags(
        title: "Bedtime foot massage", artist: "Soothe", comment: "1. Settle 0:00\n2. Warm up 0:30",
        software: "Soothe 0.1.0", date: "2025-01-02")

    static func export(
        _ format: AudioFileFormat, seconds: Double = 2, to path: String, markers: [StepMarker] = [],
        configure: (inout ExportOptions) -> Void = { _ in }
    ) throws -> (SineSweepSource, ExportSummary) {
        let source = SineSweepSource(seconds: seconds)
        var options = ExportOptions(format: format, tags: tags, markers: markers, ditherSeed: 7)
        configure(&options)
        let summary = try AudioExporter.export(source: SineSweepSource(seconds: seconds), to: path, options: options)
        return (source, summary)
    }

    @Test(arguments: AudioFileFormat.allCases)
    func roundTripKeepsFramesRateChannelsAndTags(format: AudioFileFormat) throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("out.\(format.container.fileExtension)")
        let (source, summary) = try Self.export(format, to: path)
        #expect(summary.frameCount == source.totalFrames)
        #expect(scratch.contents() == ["out.\(format.container.fileExtension)"])

        let decoded = try AudioFileReader.read(path)
        #expect(decoded.sampleRate == 48000)
        #expect(decoded.channelCount == 2)
        #expect(decoded.samples.count / 2 == Int(source.totalFrames), "decoded \(decoded.samples.count / 2) frames")
        #expect(decoded.tags.title == Self.tags.title)
        #expect(decoded.tags.artist == Self.tags.artist)
        #expect(decoded.tags.comment.hasPrefix("1. Settle"))
        #expect(decoded.tags.date.hasPrefix("2025"))
        if format != .mp3 {
            // libsndfile appends its own name and version to the software tag.
            #expect(decoded.tags.software.hasPrefix(Self.tags.software))
        }
    }

    @Test(arguments: AudioFileFormat.allCases.filter(\.isLossless))
    func losslessAudioMatchesTheSource(format: AudioFileFormat) throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("out.\(format.container.fileExtension)")
        let (source, _) = try Self.export(format, to: path)
        let decoded = try AudioFileReader.read(path)
        let expected = source.allSamples()
        try #require(decoded.samples.count == expected.count)
        let lsb: Float =
            switch format.bitDepth {
            case .sixteen: 1 / 32768
            case .twentyFour: 1 / 8_388_608
            default: 0
            }
        // Quantisation (half an LSB) plus TPDF dither (at most one LSB) for 16 bits.
        let tolerance = format.bitDepth == .sixteen ? 1.5 * lsb + 1e-7 : lsb + 1e-7
        let worst = zip(decoded.samples, expected).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= tolerance, "largest difference \(worst / max(lsb, 1e-9)) LSB")
        if format.bitDepth == .sixteen {
            // Dither is present: the error is not simply the rounding error.
            let rounded = expected.map { ($0 * 32768).rounded() / 32768 }
            #expect(zip(decoded.samples, rounded).contains { $0 != $1 })
        }
    }

    @Test(arguments: AudioFileFormat.allCases.filter { !$0.isLossless })
    func lossyAudioKeepsTwentyDecibelsOfSignalToNoise(format: AudioFileFormat) throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("out.\(format.container.fileExtension)")
        let (source, _) = try Self.export(format, to: path)
        let decoded = try AudioFileReader.read(path)
        let expected = source.allSamples()
        let (lag, snr) = SignalComparison.bestAlignment(decoded: decoded.samples, expected: expected, channelCount: 2)
        #expect(snr >= 20, "SNR \(snr) dB at lag \(lag) frames")
    }

    @Test(arguments: [AudioFileFormat.wav16, .wavFloat, .flac16, .mp3])
    func sameInputGivesByteIdenticalFiles(format: AudioFileFormat) throws {
        let scratch = try ScratchDirectory()
        let first = scratch.file("a.\(format.container.fileExtension)")
        let second = scratch.file("b.\(format.container.fileExtension)")
        let markers = [StepMarker(startFrame: 0, label: "Settle"), StepMarker(startFrame: 24000, label: "Warm up")]
        _ = try Self.export(format, to: first, markers: markers)
        _ = try Self.export(format, to: second, markers: markers)
        let firstBytes = try Data(contentsOf: URL(fileURLWithPath: first))
        let secondBytes = try Data(contentsOf: URL(fileURLWithPath: second))
        #expect(firstBytes.count > 1000)
        #expect(firstBytes == secondBytes)
    }

    @Test func ditherDependsOnTheSeed() throws {
        let scratch = try ScratchDirectory()
        let first = scratch.file("a.wav")
        let second = scratch.file("b.wav")
        _ = try Self.export(.wav16, to: first) { $0.ditherSeed = 1 }
        _ = try Self.export(.wav16, to: second) { $0.ditherSeed = 2 }
        #expect(try Data(contentsOf: URL(fileURLWithPath: first)) != Data(contentsOf: URL(fileURLWithPath: second)))
    }

    @Test(arguments: [1, 64, 441, 4096])
    func blockSizeAndThreadingDoNotChangeTheFile(blockFrameCount: Int) throws {
        let scratch = try ScratchDirectory()
        let reference = scratch.file("reference.wav")
        let other = scratch.file("other.wav")
        _ = try Self.export(.wav16, seconds: 0.5, to: reference) { $0.rendersConcurrently = false }
        _ = try Self.export(.wav16, seconds: 0.5, to: other) { $0.blockFrameCount = blockFrameCount }
        #expect(try Data(contentsOf: URL(fileURLWithPath: reference)) == Data(contentsOf: URL(fileURLWithPath: other)))
    }

    @Test func constantBitrateMP3HasTheAskedRate() throws {
        let scratch = try ScratchDirectory()
        for kilobitsPerSecond in [128, 192] {
            let path = scratch.file("\(kilobitsPerSecond).mp3")
            _ = try Self.export(.mp3, seconds: 4, to: path) {
                $0.mp3Bitrate = .constant(kilobitsPerSecond: kilobitsPerSecond)
            }
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path)).count
            let measured = Double(bytes * 8) / 4 / 1000
            #expect(abs(measured - Double(kilobitsPerSecond)) < Double(kilobitsPerSecond) * 0.1, "\(measured) kbps")
        }
    }
}

/// Signal-to-noise after finding the delay a lossy codec added.
enum SignalComparison {
    static func bestAlignment(decoded: [Float], expected: [Float], channelCount: Int) -> (lag: Int, snr: Double) {
        let frames = min(decoded.count, expected.count) / channelCount
        // Compare the middle, away from codec start-up and fade edges.
        let start = frames / 4
        let length = frames / 2
        var best = (lag: 0, snr: -Double.infinity)
        // Nearest lags first: gapless decoders need none, so the search usually ends at once.
        for lag in [0] + (1...2048).flatMap({ [$0, -$0] }) {
            var signal = 0.0
            var noise = 0.0
            for frame in start..<(start + length) {
                let decodedFrame = frame + lag
                guard decodedFrame >= 0, decodedFrame < decoded.count / channelCount else { continue }
                for channel in 0..<channelCount {
                    let reference = Double(expected[frame * channelCount + channel])
                    let difference = Double(decoded[decodedFrame * channelCount + channel]) - reference
                    signal += reference * reference
                    noise += difference * difference
                }
            }
            let snr = 10 * log10(signal / max(noise, 1e-20))
            if snr > best.snr { best = (lag, snr) }
            if snr > 30 { break }
        }
        return best
    }
}

/// WAV data beyond 4 GiB does not fit RIFF's 32-bit sizes; the writer switches to RF64.
struct LargeWAVTests {
    @Test func wavDataBeyondFourGibibytesIsWrittenAsRF64() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.file("long.wav")
        let descriptor = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o644)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        let source = SineSweepSource(seconds: 0.1)
        var samples = [Float](repeating: 0, count: Int(source.totalFrames) * 2)
        _ = source.render(into: &samples, frameCount: Int(source.totalFrames))
        var writer = try SoundFileWriter(
            fileDescriptor: descriptor, displayPath: path, sampleRate: 48000, channelCount: 2,
            options: ExportOptions(format: .wav16, markers: [StepMarker(startFrame: 0, label: "Settle")]),
            expectedFrameCount: 8 * 3600 * 48000)
        let isRF64 = writer.isRF64
        #expect(isRF64)
        try writer.write(samples, frameCount: Int(source.totalFrames))
        try writer.close()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(String(decoding: bytes.prefix(4), as: UTF8.self) == "RF64")
        let decoded = try AudioFileReader.read(path)
        #expect(decoded.frameCount == source.totalFrames)
        #expect(decoded.samples.count == samples.count)
    }
}
