import AudioFiles
import Foundation
import SootheTestSupport
import Synchronization
import Testing

/// Keys pressed through tmux while `soothe play` plays into a sink that keeps real time: ALSA's
/// `file` plugin writing raw samples into a FIFO that a reader drains at the session's byte rate,
/// so the player blocks as it would on a sound card.
@Suite(.serialized, .enabled(if: Tmux.isAvailable, "needs tmux")) struct KeysTests {
    @Test func pauseNextStepSuspendAndQuitWorkAndTheTerminalIsRestored() throws {
        let (sandbox, sink, tmux) = try Self.startPlaying()
        defer { tmux.kill() }
        #expect(tmux.waitForScreen { $0.contains("Step 1 of 9: Settle in") })

        tmux.press("Space")
        #expect(tmux.waitForScreen { $0.contains("Paused") })
        Thread.sleep(forTimeInterval: 1.2)
        tmux.press("Space")
        #expect(tmux.waitForScreen { !$0.contains("Paused") })
        tmux.press("n")
        #expect(tmux.waitForScreen { $0.contains("Step 2 of 9: Rub the whole foot (right)") })
        tmux.press("Right")
        #expect(tmux.waitForScreen { $0.contains("Step 3 of 9") })

        // Ctrl-Z hands the shell a terminal in its own modes; fg takes the keys back.
        tmux.press("C-z")
        #expect(tmux.waitForScreen { $0.contains("Stopped") })
        tmux.type("stty -g > \(sandbox.path("suspended"))")
        tmux.type("fg")
        #expect(tmux.waitForScreen { $0.contains("Step 3 of 9") })
        tmux.press("q")
        try tmux.expectShellBack(status: 0, in: sandbox)
        let before = try String(contentsOfFile: sandbox.path("before"), encoding: .utf8)
        #expect(try String(contentsOfFile: sandbox.path("suspended"), encoding: .utf8) == before)

        let samples = sink.finish()
        let frames = samples.count / 2
        #expect(frames > 48000 * 2)
        // Stopped by q long before the 2-minute session's end, skipping two steps.
        #expect(frames < 48000 * 60)
        // The pause is a stretch of silence of about the time between the presses.
        let silentFrames = Self.longestSilence(samples)
        #expect(silentFrames > 48000 / 2, "longest silence \(silentFrames) frames")
        // q fades out: the last frames are all but silent.
        let fadeDepth = Self.fadeDepth(samples)
        #expect(fadeDepth < 0.015, "the last 10 ms peak at \(fadeDepth) of the fade's peak")
    }

    @Test func ctrlCStopsWithAFadeAndRestoresTheTerminal() throws {
        let (sandbox, sink, tmux) = try Self.startPlaying()
        defer { tmux.kill() }
        #expect(tmux.waitForScreen { $0.contains("Step 1 of 9") })
        // Past the bed's fade-in and the start chime's strike, so the stop fade starts from a level
        // that is falling or steady, not one still rising.
        #expect(sink.waitUntilPlayed(seconds: Self.settledSeconds))
        tmux.press("C-c")
        try Self.expectStoppedBySignal(sandbox, sink, tmux)
    }

    /// A hang-up (the terminal window closed, an ssh link lost) is a termination signal like
    /// Ctrl-C: the session fades out, the terminal gets its modes back, and the status is 130.
    @Test func aHangUpStopsWithAFadeAndRestoresTheTerminal() throws {
        let (sandbox, sink, tmux) = try Self.startPlaying(pidFile: "pid")
        defer { tmux.kill() }
        #expect(tmux.waitForScreen { $0.contains("Step 1 of 9") })
        #expect(tmux.waitForFile(sandbox.path("pid")))
        let processID = try #require(
            Int32(try String(contentsOfFile: sandbox.path("pid"), encoding: .utf8).trimmingCharacters(in: .newlines)))
        #expect(sink.waitUntilPlayed(seconds: Self.settledSeconds))
        #expect(kill(processID, SIGHUP) == 0)
        try Self.expectStoppedBySignal(sandbox, sink, tmux)
    }

    /// Once a signal has stopped the player: the shell is back, the terminal has its modes, the
    /// status is 130, and the sound faded out soon after it was sent.
    static func expectStoppedBySignal(_ sandbox: Sandbox, _ sink: PacedSink, _ tmux: Tmux) throws {
        try tmux.expectShellBack(status: 130, in: sandbox)
        let samples = sink.finish()
        #expect(samples.count / 2 < 48000 * 10)
        let fadeDepth = Self.fadeDepth(samples)
        #expect(fadeDepth < 0.015, "the last 10 ms peak at \(fadeDepth) of the fade's peak")
    }

    /// Starts quick-reset, squeezed to two minutes, in a shell in tmux, playing into a paced sink,
    /// after saving the terminal's modes in the sandbox's `before`.
    /// With `pidFile`, the player's process id is written to that file in the sandbox.
    /// `arguments` go after the usual ones.
    static func startPlaying(pidFile: String? = nil, arguments: [String] = []) throws -> (Sandbox, PacedSink, Tmux) {
        let sandbox = try Sandbox()
        let sink = try PacedSink(path: sandbox.path("sink"))
        let config = try sandbox.writeALSAConfig(
            defaultPCM: #"type file slave.pcm "null" file "\#(sandbox.path("sink"))" format "raw""#)
        let tmux = try Tmux()
        tmux.type("stty -g > \(sandbox.path("before"))")
        // `exec` keeps the shell's process id, so the file names the player itself.
        let prefix = pidFile.map { "sh -c 'echo $$ > \(sandbox.path($0)); exec \"$0\" \"$@\"' " } ?? ""
        tmux.type(
            "ALSA_CONFIG_PATH=\(config) \(prefix)\(SoothePlay.executablePath) play quick-reset --total 2m --no-voice "
                + "--device default" + arguments.map { " " + $0 }.joined())
        return (sandbox, sink, tmux)
    }

    /// The peak of the last 10 ms relative to the peak of the last second, the length of the stop
    /// fade. Relative, because what plays when the key lands (a chime or the bed between them)
    /// sets the level the fade starts from: an absolute bound failed when a chime rang.
    /// When a session's opening has settled: the bed has faded in and the start chime has struck.
    static let settledSeconds = 3.0

    static func fadeDepth(_ samples: [Float]) -> Float {
        let fadePeak = samples.suffix(2 * 48000).map(abs).max() ?? 0
        guard fadePeak > 0 else { return 0 }
        return (samples.suffix(2 * 480).map(abs).max() ?? 0) / fadePeak
    }

    static func longestSilence(_ samples: [Float]) -> Int {
        var longest = 0
        var run = 0
        for frame in 0..<(samples.count / 2) {
            if samples[2 * frame] == 0 && samples[2 * frame + 1] == 0 {
                run += 1
                longest = max(longest, run)
            } else {
                run = 0
            }
        }
        return longest
    }
}

/// The up key, through tmux into the same paced sink as `KeysTests`: 2 dB a press, and never
/// over the true-peak ceiling. A suite of its own, serialised like `KeysTests`: the sessions of
/// both suites wait in real time, and as two suites they can play side by side rather than one
/// after the other at the end of the run.
@Suite(.serialized, .enabled(if: Tmux.isAvailable, "needs tmux")) struct VolumeKeyTests {
    /// At the top of the volume range the up key changes nothing and says so, and the captured
    /// sound never goes over the -1 dBTP ceiling (true peak by libebur128, 4x oversampled).
    @Test func theUpKeyAtFullVolumeNeverClips() throws {
        let (sandbox, sink, tmux) = try KeysTests.startPlaying(arguments: ["--volume", "12"])
        // The sandbox holds the sink and ALSA's configuration: it lives until the end.
        defer { withExtendedLifetime(sandbox) { tmux.kill() } }
        #expect(tmux.waitForScreen { $0.contains("Step 1 of 9") })
        #expect(sink.waitUntilPlayed(seconds: KeysTests.settledSeconds))
        for _ in 0..<4 {
            tmux.press("Up")
            Thread.sleep(forTimeInterval: 0.3)
        }
        #expect(tmux.waitForScreen { $0.contains("Volume +12 dB, the most") }, "\(tmux.screen)")
        // Through the next step's chime, struck at the start of step 2.
        #expect(sink.waitUntilPlayed(seconds: 16))
        tmux.press("q")
        #expect(tmux.waitForPrompt())
        let samples = sink.finish()
        #expect(samples.count / 2 > 48000 * 15)
        let meter = try LoudnessMeter(channelCount: 2, sampleRate: 48000)
        meter.add(samples)
        #expect(meter.truePeakDecibels <= -1, "true peak \(meter.truePeakDecibels) dBTP at +12 dB")
        print("--volume 12 and the up key: true peak \(meter.truePeakDecibels) dBTP")
    }

    /// The up key raises the sound, 2 dB a press, and still nothing goes over -1 dBTP.
    @Test func theUpKeyRaisesTheSoundWithoutClipping() throws {
        let (sandbox, sink, tmux) = try KeysTests.startPlaying(arguments: ["--volume", "6"])
        // The sandbox holds the sink and ALSA's configuration: it lives until the end.
        defer { withExtendedLifetime(sandbox) { tmux.kill() } }
        #expect(tmux.waitForScreen { $0.contains("Step 1 of 9") })
        #expect(sink.waitUntilPlayed(seconds: 8))
        for _ in 0..<3 {
            tmux.press("Up")
            Thread.sleep(forTimeInterval: 0.3)
        }
        #expect(tmux.waitForScreen { $0.contains("Volume +12 dB, the most") }, "\(tmux.screen)")
        #expect(sink.waitUntilPlayed(seconds: 12))
        tmux.press("q")
        #expect(tmux.waitForPrompt())
        let samples = sink.finish()
        try #require(samples.count / 2 > 48000 * 12)
        /// The loudness of `seconds` of the capture, by libebur128.
        func loudness(_ seconds: Range<Double>) throws -> Double {
            let meter = try LoudnessMeter(channelCount: 2, sampleRate: 48000, measuresTruePeak: false)
            meter.add(Array(samples[(Int(seconds.lowerBound * 48000) * 2)..<(Int(seconds.upperBound * 48000) * 2)]))
            return meter.integratedLoudnessLUFS
        }
        // The bed alone, after the start chime has died down and before the next step's chime.
        let before = try loudness(6..<7.5)
        let after = try loudness(10..<11.5)
        #expect(after - before > 4, "\(before) LUFS before the presses, \(after) LUFS after")
        let meter = try LoudnessMeter(channelCount: 2, sampleRate: 48000)
        meter.add(samples)
        #expect(meter.truePeakDecibels <= -1, "true peak \(meter.truePeakDecibels) dBTP")
        print(
            "--volume 6 and three presses of up: \(before) to \(after) LUFS, true peak \(meter.truePeakDecibels) dBTP")
    }
}

/// A tmux server of our own running an interactive bash, driven by keys.
extension Tmux {
    /// Once soothe has ended: waits for the shell (keys typed earlier would reach soothe), then
    /// expects its exit status to be `status` and the terminal's modes to be the ones `stty -g`
    /// saved in the sandbox's `before`.
    func expectShellBack(status: Int, in sandbox: Sandbox, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(waitForPrompt(), sourceLocation: sourceLocation)
        type("echo $? > \(sandbox.path("status")); stty -g > \(sandbox.path("after"))")
        #expect(waitForFile(sandbox.path("after")), sourceLocation: sourceLocation)
        let before = try String(contentsOfFile: sandbox.path("before"), encoding: .utf8)
        #expect(
            try String(contentsOfFile: sandbox.path("after"), encoding: .utf8) == before, sourceLocation: sourceLocation
        )
        #expect(
            try String(contentsOfFile: sandbox.path("status"), encoding: .utf8) == "\(status)\n",
            sourceLocation: sourceLocation)
    }
}

final class Tmux {
    static var isAvailable: Bool { executable != nil }
    static let executable: String? = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    let socket = "soothe-test-\(UUID().uuidString.prefix(8))"

    init() throws {
        // The server started here inherits the client's output, so nothing is read from it.
        try run(["new-session", "-d", "-x", "160", "-y", "12", "bash --norc --noprofile -i"], readsOutput: false)
        Thread.sleep(forTimeInterval: 0.3)
    }

    /// Runs tmux with our socket and returns what it printed.
    ///
    /// Spawned by hand rather than with `Process`: the test runner blocks signals (SIGCHLD, SIGTERM
    /// among them), children inherit that mask, and a tmux server started with it never reaps its
    /// clients. Here the child starts with no signal blocked and every signal at its default.
    @discardableResult
    func run(_ arguments: [String], readsOutput: Bool = true) throws -> String {
        let outputPath = FileManager.default.temporaryDirectory.appending(path: "\(socket)-\(UUID().uuidString)").path
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(
            &actions, 1, readsOutput ? outputPath : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([Self.executable!, "-L", socket] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, Self.executable!, &actions, &attributes, argv, environ) == 0 else {
            throw CocoaError(.executableLoad)
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return readsOutput ? ((try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "") : ""
    }

    func type(_ line: String) {
        _ = try? run(["send-keys", "-t", "0", "-l", line])
        _ = try? run(["send-keys", "-t", "0", "Enter"])
    }

    func press(_ key: String) {
        _ = try? run(["send-keys", "-t", "0", key])
    }

    var screen: String { (try? run(["capture-pane", "-p", "-t", "0"])) ?? "" }

    func waitForScreen(timeoutSeconds: Double = 8, _ condition: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline {
            if condition(screen) { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    /// Waits until the last line on screen is the shell's prompt.
    func waitForPrompt(timeoutSeconds: Double = 8) -> Bool {
        waitForScreen(timeoutSeconds: timeoutSeconds) { screen in
            let last = screen.split(separator: "\n").last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            return last.map { $0.hasPrefix("bash") && $0.trimmingCharacters(in: .whitespaces).hasSuffix("#") } ?? false
        }
    }

    func waitForFile(_ path: String, timeoutSeconds: Double = 8) -> Bool {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: path, encoding: .utf8), text.hasSuffix("\n") { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    func kill() {
        _ = try? run(["kill-server"])
    }
}

/// A FIFO read at 48 kHz stereo float32's byte rate. ALSA opens and closes the device while
/// PortAudio probes it, so the reader reopens after each end and keeps the longest stream.
final class PacedSink: @unchecked Sendable {
    static let bytesPerSecond = 48000 * 2 * 4
    private let path: String
    private let isFinishing = Atomic<Bool>(false)
    private let isDone = Atomic<Bool>(false)
    /// How many bytes the stream being read has delivered so far.
    private let receivedBytes = Atomic<Int>(0)
    private var longest = Data()

    init(path: String) throws {
        self.path = path
        guard mkfifo(path, 0o600) == 0 else { throw CocoaError(.fileWriteUnknown) }
        Thread { [self] in read() }.start()
    }

    private func read() {
        while !isFinishing.load(ordering: .acquiring) {
            let descriptor = open(path, O_RDONLY | O_NONBLOCK)
            guard descriptor >= 0 else { break }
            var stream = Data()
            var hasWriter = false
            var start = Date()
            var buffer = [UInt8](repeating: 0, count: 65536)
            // Read to the end of a stream even when finishing: what soothe wrote last is still
            // in the pipe when it exits.
            while true {
                let finishing = isFinishing.load(ordering: .acquiring)
                let paced = Int(Date().timeIntervalSince(start) * Double(Self.bytesPerSecond)) - stream.count + 3840
                let allowed = hasWriter && !finishing ? paced : 65536
                let count = buffer.withUnsafeMutableBytes {
                    Glibc.read(descriptor, $0.baseAddress, max(4, min(allowed, $0.count)))
                }
                if count > 0 {
                    if !hasWriter {
                        hasWriter = true
                        start = Date()
                    }
                    stream.append(contentsOf: buffer[0..<count])
                    receivedBytes.store(stream.count, ordering: .releasing)
                } else if count == 0 && (hasWriter || finishing) {
                    break  // the writer closed, or never came
                }
                Thread.sleep(forTimeInterval: 0.005)
            }
            close(descriptor)
            if stream.count > longest.count { longest = stream }
        }
        isDone.store(true, ordering: .releasing)
    }

    /// Waits until the player has delivered `seconds` of audio, or `timeoutSeconds` have passed;
    /// returns whether it did.
    func waitUntilPlayed(seconds: Double, timeoutSeconds: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Double(receivedBytes.load(ordering: .acquiring)) < seconds * Double(Self.bytesPerSecond) {
            guard Date() < deadline else { return false }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return true
    }

    /// Stops reading and returns the samples of the longest stream.
    func finish() -> [Float] {
        isFinishing.store(true, ordering: .releasing)
        while !isDone.load(ordering: .acquiring) { Thread.sleep(forTimeInterval: 0.01) }
        return longest.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
}
