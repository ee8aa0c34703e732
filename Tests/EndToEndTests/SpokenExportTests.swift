import AudioFiles
import Export
import Foundation
import SootheTestSupport
import Synthesis
import Testing

/// A real spoken session exported by `soothe export` in every kind of format, decoded again with
/// libsndfile and measured with libebur128: the loudness target and the true-peak ceiling hold in
/// the file a listener plays, lossy encoding included.
///
/// What these tests measure is the file, not the speaking (`PromptCacheTests` and
/// `PlayCommandTests` test the cache, warm and cold), so the routine's prompts are spoken once for
/// them all, before any of them runs, and read from the test run's cache after that.
@Suite struct SpokenExportTests {
    static let routine = """
        title: Spoken export
        steps:
          - id: settle
            title: Settle
            duration: 22s
            say: Sit back somewhere quiet, rest one foot across your knee, and breathe out slowly.
          - id: circles
            title: Circles
            duration: 22s
            say: Press your thumbs into the sole, and make small, slow circles with firm pressure.
          - id: rest
            title: Rest
            duration: 32s
            say: Set your foot down, and let it rest.
        """

    /// Exports the routine once into the test run's prompt cache, so that every test after it
    /// finds the prompts spoken: no two exports speak them at the same time, and the exports
    /// compared with each other speak the same takes.
    static let spokenPrompts: Result<Void, any Error> = Result {
        let scratch = try ScratchDirectory()
        let result = try export("warm.wav", in: scratch)
        guard result.status == 0 else { throw ExportFailure(standardError: result.standardError) }
    }

    struct ExportFailure: Error {
        var standardError: String
    }

    /// Exports the routine to `name` in a scratch directory, with the test run's prompt cache or,
    /// with `ownCache`, with a cache of the scratch directory's own in `cache`.
    static func export(
        _ name: String, _ extra: [String] = [], in scratch: borrowing ScratchDirectory, ownCache: Bool = false
    ) throws -> SootheProcess.Result {
        let routinePath = scratch.file("spoken.yaml")
        if !FileManager.default.fileExists(atPath: routinePath) {
            try routine.write(toFile: routinePath, atomically: true, encoding: .utf8)
        }
        return try SootheProcess.run(
            ["export", routinePath, "-o", scratch.file(name), "--quiet"] + extra,
            environment: ownCache ? ["XDG_CACHE_HOME": scratch.file("cache")] : [:])
    }

    /// Exports the routine to `name` in a scratch directory and decodes the file. From the test
    /// run's cache, the prompts are spoken already (unless `extra` leaves them out); a test of the
    /// cache itself asks for its `ownCache`.
    static func exportAndDecode(
        _ name: String, _ extra: [String] = [], in scratch: borrowing ScratchDirectory, ownCache: Bool = false
    ) throws -> DecodedAudio {
        if !ownCache && !extra.contains("--no-voice") { try spokenPrompts.get() }
        let result = try export(name, extra, in: scratch, ownCache: ownCache)
        try #require(result.status == 0, "\(result.standardError)")
        return try AudioFileReader.read(scratch.file(name))
    }

    static func measure(_ audio: DecodedAudio) throws -> LoudnessMeter {
        let meter = try LoudnessMeter(channelCount: audio.channelCount, sampleRate: audio.sampleRate)
        meter.add(audio.samples)
        return meter
    }

    @Test(arguments: ["wav", "flac", "ogg", "opus", "mp3"])
    func theDecodedFileMeetsTheLoudnessTargetUnderTheCeiling(fileExtension: String) throws {
        let scratch = try ScratchDirectory()
        let audio = try Self.exportAndDecode("session.\(fileExtension)", in: scratch)
        let meter = try Self.measure(audio)
        #expect(
            abs(meter.integratedLoudnessLUFS - RenderSettings.defaultLoudnessTargetLUFS) <= 0.5,
            "\(meter.integratedLoudnessLUFS) LUFS")
        #expect(meter.truePeakDecibels <= -1, "true peak \(meter.truePeakDecibels) dBTP")
        // The start fades in from silence, so a Bluetooth sink never cuts a strike.
        let first = audio.samples.prefix(audio.sampleRate / 100 * audio.channelCount).map { abs($0) }.max() ?? 1
        #expect(20 * log10(max(first, 1e-12)) < -50, "the first 10 ms peak at \(20 * log10(first)) dBFS")
    }

    /// With a sleep tail, the file ends in exact digital silence, dither and codec included. Opus is
    /// left out: its decoder does not return exact zeros for an encoded silence.
    @Test(arguments: ["wav", "flac", "ogg", "mp3"])
    func aSleepTailEndsInDigitalSilence(fileExtension: String) throws {
        let scratch = try ScratchDirectory()
        let audio = try Self.exportAndDecode(
            "tail.\(fileExtension)", ["--sleep-tail", "10s", "--no-voice"], in: scratch)
        let lastTenth = audio.samples.suffix(audio.sampleRate / 10 * audio.channelCount)
        #expect(lastTenth.allSatisfy { $0 == 0 }, "the last 100 ms are not all exactly 0")
    }

    /// `--loudness` and its presets set the integrated level of the whole mix, up to the loudest
    /// target it takes, under their true-peak ceilings, with flite's voice and with a Piper voice,
    /// whose peaks stand about 4 dB higher over its loudness. quick-reset as it is: its each-side
    /// steps lean the voice 3-4 dB toward one channel, where the peaks reach the limiter first.
    /// (Before the voice was limited as it is levelled, the Piper voice came out 2 LU short of
    /// podcast, 1.1 LU short of acx and 3.9 LU short of -10.)
    @Test(arguments: ["slt", "piper:en_US-joe-medium"])
    func everyLoudnessPresetSetsTheIntegratedLevelWithEitherVoice(voice: String) throws {
        let scratch = try ScratchDirectory()
        // The prompts are spoken once and read from the cache for the other presets.
        let environment = ["XDG_CACHE_HOME": scratch.file("cache")]
        for (preset, lufs, ceilingDBTP) in [
            ("default", -24.0, -1.0), ("podcast", -16, -1), ("acx", -20, -3), ("-10", -10, -1),
        ] {
            let path = scratch.file("\(preset).wav")
            let loudness = preset == "default" ? [] : ["--loudness", preset]
            let result = try SootheProcess.run(
                ["export", "quick-reset", "-o", path, "--quiet", "--voice", voice] + loudness, environment: environment)
            try #require(result.status == 0, "\(result.standardError)")
            let meter = try Self.measure(AudioFileReader.read(path))
            #expect(
                abs(meter.integratedLoudnessLUFS - lufs) <= 1,
                "\(meter.integratedLoudnessLUFS) LUFS for \(preset) with \(voice)")
            #expect(meter.truePeakDecibels <= ceilingDBTP, "true peak \(meter.truePeakDecibels) dBTP for \(preset)")
        }
    }

    /// An export keeps beside each cached prompt how it levelled it; the next export from that
    /// cache levels with the notes instead of searching again, and writes the very same file.
    /// Damaged notes are searched again, to the same file.
    @Test func anExportAgainFromTheCacheWithOrWithoutItsNotesIsTheSameFile() throws {
        let scratch = try ScratchDirectory()
        let options = ["--voice", "slt", "--loudness", "podcast"]
        _ = try Self.exportAndDecode("a.wav", options, in: scratch, ownCache: true)
        let cache = scratch.file("cache/soothe")
        let entries = try FileManager.default.contentsOfDirectory(atPath: cache)
        let notes = entries.filter { $0.hasSuffix(".note") }
        #expect(notes.count == entries.filter { $0.hasSuffix(".voice") }.count)
        #expect(notes.count == 4, "\(entries)")
        _ = try Self.exportAndDecode("b.wav", options, in: scratch, ownCache: true)
        for note in notes { try Data("gain 0 ceiling none".utf8).write(to: URL(fileURLWithPath: "\(cache)/\(note)")) }
        _ = try Self.exportAndDecode("c.wav", options, in: scratch, ownCache: true)
        let files = try ["a.wav", "b.wav", "c.wav"].map { try Data(contentsOf: URL(fileURLWithPath: scratch.file($0))) }
        #expect(files[1] == files[0])
        #expect(files[2] == files[0])
    }

    /// The 16-bit file is the float render rounded with dither: within one and a half LSB.
    @Test func sixteenBitWAVMatchesTheRender() throws {
        let scratch = try ScratchDirectory()
        let render = try Self.exportAndDecode("render.wav", ["--bit-depth", "float"], in: scratch)
        let sixteen = try Self.exportAndDecode("sixteen.wav", in: scratch)
        try #require(render.samples.count == sixteen.samples.count)
        let worst = zip(render.samples, sixteen.samples).map { abs($0 - $1) }.max() ?? 1
        #expect(worst <= 1.5 / 32768, "largest difference \(worst * 32768) LSB")
        #expect(render.samples.contains { $0 != 0 })
    }
}
