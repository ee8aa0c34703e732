import AudioFiles
import Foundation
import Testing

/// Makes test files with SoX at run time, so that no audio is kept in the repository.
struct SoundMaker {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("soothe-background-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// Runs `sox -n ARGUMENTS` into `name` (the extension picks the format); the file's path.
    func make(_ name: String, _ arguments: [String]) throws -> String {
        let path = folder.appendingPathComponent(name).path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            ["sox", "-n"] + arguments.prefix(while: { $0 != "synth" && $0 != "trim" }) + [path]
            + arguments.drop(while: { $0 != "synth" && $0 != "trim" })
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
        return path
    }
}

/// Reads `frameCount` frames of `stream` as interleaved stereo.
func readStream(_ stream: LoopingAudioStream, frameCount: Int) throws -> [Float] {
    var samples = [Float](repeating: 0, count: frameCount * 2)
    try samples.withUnsafeMutableBufferPointer { buffer in
        var done = 0
        while done < frameCount {
            let count = min(1000, frameCount - done)
            try stream.read(into: buffer.baseAddress! + done * 2, frameCount: count)
            done += count
        }
    }
    return samples
}

@Suite struct BackgroundAudioFileTests {
    @Test func measuresTheLoudnessOfALongFileFromWindows() throws {
        let maker = try SoundMaker()
        defer { maker.remove() }
        // A 997 Hz sine of amplitude 0.1 on both channels is -20 LUFS; mono counts on both.
        let path = try maker.make("tone.flac", ["-r", "44100", "-c", "1", "synth", "60", "sine", "997", "vol", "0.1"])
        let file = try BackgroundAudioFile.inspect(path)
        #expect(file.sampleRate == 44100 && file.channelCount == 1 && file.frameCount == 44100 * 60)
        #expect(abs(file.loudnessLUFS - -20) < 0.2, "\(file.loudnessLUFS)")
    }

    @Test func refusesEveryBadFile() throws {
        let maker = try SoundMaker()
        defer { maker.remove() }
        let folder = maker.folder.path
        let empty = folder + "/empty.wav"
        FileManager.default.createFile(atPath: empty, contents: Data())
        let junk = folder + "/junk.flac"
        FileManager.default.createFile(
            atPath: junk, contents: Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7) }))
        let zeroFrames = try maker.make("none.wav", ["-r", "48000", "-c", "1", "trim", "0", "0"])
        let silent = try maker.make("silent.wav", ["-r", "48000", "-c", "1", "trim", "0", "3"])
        let cases: [(String, AudioFileError.Kind, String)] = [
            (folder + "/missing.flac", .unreadable, "does not exist"),
            (folder, .unreadable, "is a folder"),
            (empty, .empty, "is empty"),
            (zeroFrames, .empty, "holds no audio"),
            (silent, .silent, "is silent"),
            (junk, .unreadable, "is not audio libsndfile can read"),
        ]
        for (path, kind, words) in cases {
            do {
                _ = try BackgroundAudioFile.inspect(path)
                Issue.record("\(path) was accepted")
            } catch {
                #expect(error.kind == kind, "\(path): \(error)")
                #expect(error.message.contains("'\(path)'") && error.message.contains(words), "\(error)")
                #expect(error.message.contains("WAV, FLAC"), "the message says what is valid: \(error)")
            }
        }
    }

    @Test func aQuietFileIsNotSilent() throws {
        let maker = try SoundMaker()
        defer { maker.remove() }
        // -50 dBFS peaks: quiet, but above the silence threshold and measurable.
        let path = try maker.make(
            "quiet.wav", ["-r", "48000", "-c", "2", "synth", "5", "sine", "300", "vol", "0.00316"])
        let file = try BackgroundAudioFile.inspect(path)
        #expect(file.loudnessLUFS < -45)
    }
}

@Suite struct LoopingAudioStreamTests {
    /// The largest step between neighbouring samples in each channel.
    static func largestJump(_ samples: [Float]) -> Float {
        var largest: Float = 0
        for index in 2..<samples.count { largest = max(largest, abs(samples[index] - samples[index - 2])) }
        return largest
    }

    /// RMS in dB of the left channel over `frames`.
    static func levelDecibels(_ samples: [Float], _ frames: Range<Int>) -> Double {
        var sum = 0.0
        for frame in frames { sum += Double(samples[frame * 2]) * Double(samples[frame * 2]) }
        return 10 * log10(sum / Double(frames.count))
    }

    @Test(arguments: [(5.0, 12.0), (3.0, 60.0)])
    func joinsDoNotClick(fileSeconds: Double, sessionSeconds: Double) throws {
        let maker = try SoundMaker()
        defer { maker.remove() }
        // A sine never steps by more than 2π·f/rate of its amplitude; a hard cut would step up to twice it.
        let path = try maker.make(
            "sine.flac", ["-r", "44100", "-c", "1", "synth", "\(fileSeconds)", "sine", "440", "vol", "0.5"])
        let rate = 48000
        let stream = try LoopingAudioStream(
            file: BackgroundAudioFile.inspect(path), sampleRate: rate, sessionFrameCount: Int64(sessionSeconds * 48000),
            seed: 7)
        let samples = try readStream(stream, frameCount: Int(sessionSeconds) * rate)
        #expect(!stream.joinStartFrames.isEmpty)
        let sineStep = Float(2 * Double.pi * 440 / Double(rate) * 0.5)
        // Equal power on a correlated tone can reach √2 of its amplitude in the join.
        // The stream may begin mid-wave (a shuffled first piece); the session fades it in from
        // silence over seconds, so only what follows its first 10 ms counts.
        let settled = Array(samples[(rate / 100 * 2)...])
        let largest = Self.largestJump(settled)
        var at = 0
        for index in 2..<settled.count where abs(settled[index] - settled[index - 2]) == largest { at = index / 2 }
        #expect(
            largest < sineStep * 1.5,
            "largest step \(largest) at frame \(at) against the sine's \(sineStep); joins \(stream.joinStartFrames), fade \(stream.crossfadeFrameCount)"
        )
    }

    @Test(arguments: [(5.0, 12.0), (3.0, 60.0)])
    func joinsKeepTheLevel(fileSeconds: Double, sessionSeconds: Double) throws {
        let maker = try SoundMaker()
        defer { maker.remove() }
        let path = try maker.make(
            "noise.wav", ["-r", "44100", "-c", "2", "synth", "\(fileSeconds)", "whitenoise", "vol", "0.3"])
        let rate = 48000
        let stream = try LoopingAudioStream(
            file: BackgroundAudioFile.inspect(path), sampleRate: rate, sessionFrameCount: Int64(sessionSeconds * 48000),
            seed: 11)
        let samples = try readStream(stream, frameCount: Int(sessionSeconds) * rate)
        let window = rate / 20
        let reference = Self.levelDecibels(samples, 0..<(rate / 2))
        var checked = 0
        for join in stream.joinStartFrames where Int(join) + stream.crossfadeFrameCount + window < samples.count / 2 {
            for start in stride(
                from: Int(join) - window, to: Int(join) + stream.crossfadeFrameCount + window, by: window / 2)
            {
                let level = Self.levelDecibels(samples, start..<(start + window))
                #expect(
                    abs(level - reference) < 1, "the level at frame \(start) is \(level) dB against \(reference) dB")
            }
            checked += 1
        }
        #expect(checked > 0)
    }

    @Test func aShortFileIsPlayedInSeededOrders() throws {
        let maker = try SoundMaker()
        defer { maker.remove() }
        let path = try maker.make("noise.flac", ["-r", "48000", "-c", "1", "synth", "4", "pinknoise", "vol", "0.3"])
        let file = try BackgroundAudioFile.inspect(path)
        func render(seed: UInt64) throws -> (samples: [Float], stream: LoopingAudioStream) {
            let stream = try LoopingAudioStream(
                file: file, sampleRate: 48000, sessionFrameCount: 48000 * 60, seed: seed)
            return (try readStream(stream, frameCount: 48000 * 30), stream)
        }
        let first = try render(seed: 5)
        let again = try render(seed: 5)
        let other = try render(seed: 6)
        #expect(first.stream.segmentCount >= 3)
        #expect(first.samples == again.samples, "the same seed gives the same samples")
        #expect(first.samples != other.samples, "another seed gives another order")
        #expect(first.stream.joinStartFrames == again.stream.joinStartFrames)
    }

    @Test func aFileLongerThanTheSessionPlaysStraightThrough() throws {
        let maker = try SoundMaker()
        defer { maker.remove() }
        let path = try maker.make("long.wav", ["-r", "48000", "-c", "1", "synth", "10", "pinknoise", "vol", "0.3"])
        let stream = try LoopingAudioStream(
            file: BackgroundAudioFile.inspect(path), sampleRate: 48000, sessionFrameCount: 48000 * 8, seed: 1)
        _ = try readStream(stream, frameCount: 48000 * 8)
        #expect(stream.joinStartFrames.isEmpty)
        #expect(stream.segmentCount == 1)
    }
}
