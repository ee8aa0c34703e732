import AudioFiles
import Foundation
import Sequencer
import SootheTestSupport
import Synthesis
import Testing

@testable import Export

/// A session's end, exported in every format and read back through libsndfile as a player would:
/// every format and bit depth ends in exact digital silence, with or without a sleep tail.
@Suite struct EndSilenceTests {
    /// How much of the file's end must decode as silence. The session holds at least 250 ms of
    /// exact zeros after its fade; a lossy codec's last frame and overlap reach back into that
    /// silence's start (MP3 about 35 ms, Vorbis about 15 ms), so this leaves them room.
    static let silentTailDuration = 0.2

    /// Exports a voiceless minute of quick-reset, with a sleep tail when `tailSeconds` is given,
    /// and decodes it.
    static func exportAndRead(_ format: AudioFileFormat, tailSeconds: Double?) throws -> DecodedAudio {
        let customization = SessionCustomization(
            totalDuration: SessionDuration(seconds: 60), sleepTail: tailSeconds.map { SessionDuration(seconds: $0) })
        let timeline = try SessionTimeline(
            routine: try RoutineLibrary.builtIn(named: "quick-reset"), customization: customization)
        let renderer = try SessionRenderer(timeline: timeline, settings: RenderSettings(seed: 5))
        let scratch = try ScratchDirectory()
        let path = scratch.file("end.\(format.container.fileExtension)")
        _ = try AudioExporter.export(
            source: renderer, to: path, options: ExportOptions(format: format, ditherSeed: 5))
        let decoded = try AudioFileReader.read(path)
        try #require(decoded.samples.count == Int(timeline.totalFrames) * 2, "decoded \(decoded.samples.count / 2)")
        return decoded
    }

    @Test(arguments: AudioFileFormat.allCases, [nil, 20.0])
    func everyFormatEndsInExactDigitalSilence(format: AudioFileFormat, tailSeconds: Double?) throws {
        let decoded = try Self.exportAndRead(format, tailSeconds: tailSeconds)
        let tailSampleCount = Int(Self.silentTailDuration * Double(decoded.sampleRate)) * decoded.channelCount
        let end = decoded.samples.suffix(tailSampleCount)
        let loudest = end.map { abs($0) }.max() ?? 0
        // The sound fades right up to the silence: the file does not end silent by being silent.
        let lastSound = try #require(decoded.samples.lastIndex { abs($0) > 1e-30 })
        let silentSeconds = Double((decoded.samples.count - 1 - lastSound) / 2) / Double(decoded.sampleRate)
        #expect(silentSeconds < 1.5, "the last \(silentSeconds) s are silent")
        if format == .opus {
            // libopus decodes to float through a de-emphasis filter that adds 1e-30 to every sample
            // so that its state never turns denormal; on silence that settles at
            // 1e-30 / (1 - 0.85) / 32768 ≈ 2e-34 (-674 dBFS), never 0.0. At any integer bit depth
            // (what libsndfile, ffmpeg and players give as 16-bit) it is exactly 0.
            #expect(loudest <= 1e-30, "the last \(Self.silentTailDuration) s peak at \(loudest)")
            #expect(end.allSatisfy { ($0 * 32768).rounded() == 0 }, "the last samples are not 0 at 16 bits")
        } else {
            #expect(
                loudest == 0, "the last \(Self.silentTailDuration) s peak at \(loudest) (\(20 * log10(loudest)) dBFS)")
            if format == .wavFloat { #expect(end.allSatisfy { $0.sign == .plus }, "the silence holds -0.0") }
        }
    }
}
