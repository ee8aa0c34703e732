import AudioFiles
import Foundation
import SootheTestSupport
import Synchronization
import Testing

/// `soothe record` run as a user would, keys fed on standard input, through a fake microphone:
/// ALSA's `file` plugin, whose `infile` plays a prepared file as the capture side.
@Suite(.serialized) struct RecordCommandTests {
    /// Two off-key tones (the quick-reset bed is in F), so that neither is mistaken for the bed.
    static let firstToneHz = 480.0
    static let secondToneHz = 760.0

    @Test func aRoutineRecordedThroughAFakeMicrophoneIsShownAndExportedWithItsTakes() throws {
        let microphone = try FakeMicrophone()
        let folder = microphone.sandbox.path("takes")
        let recording = try RecordingRun(["record", "quick-reset", folder, "--device", "default"], microphone)
        defer { recording.stop() }

        // The first prompt: a take of the first tone, played back, then kept.
        try microphone.play(toneHz: Self.firstToneHz)
        #expect(recording.waitForOutput("Prompt 1 of 5: Settle in"))
        recording.press("\n")
        #expect(recording.waitForOutput("Recording; press Enter to stop."))
        Thread.sleep(forTimeInterval: 1.5)
        recording.press("\n")
        #expect(recording.waitForOutput("Take: "))
        recording.press("p")
        #expect(recording.waitForOutput("Playing the take."))
        recording.press("\n")
        #expect(recording.waitForOutput("Saved \(folder)/01-settle.flac."))

        // The second: a silent take is refused, and a take of the second tone is kept.
        #expect(recording.waitForOutput("Prompt 2 of 5: Rub the whole foot (said on each side)"))
        try microphone.play(toneHz: nil)
        recording.press("\n")
        Thread.sleep(forTimeInterval: 1)
        recording.press("\n")
        #expect(recording.waitForOutput("The take is silent"))
        try microphone.play(toneHz: Self.secondToneHz)
        recording.press("\n")
        Thread.sleep(forTimeInterval: 1.5)
        recording.press("\n")
        #expect(recording.waitForOutput("Take: ", count: 2))
        recording.press("\n")
        #expect(recording.waitForOutput("Saved \(folder)/02-rub.flac."))

        // The third is skipped; then quit.
        #expect(recording.waitForOutput("Prompt 3 of 5"))
        recording.press("s")
        #expect(recording.waitForOutput("Prompt 4 of 5"))
        recording.press("q")
        let result = recording.waitForExit()
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("Kept 2 of 5 prompts in \(folder)/quick-reset.yaml"))

        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == [
                "01-settle.flac", "02-rub.flac", "quick-reset.yaml",
            ])
        for (name, tone, other) in [
            ("01-settle.flac", Self.firstToneHz, Self.secondToneHz),
            ("02-rub.flac", Self.secondToneHz, Self.firstToneHz),
        ] {
            let take = try MonoAudioReader.read("\(folder)/\(name)")
            #expect(take.sampleRate == 48000)
            #expect(take.seconds > 0.5 && take.seconds < 3.5, "\(name) lasts \(take.seconds) s")
            let samples = take.samples[...]
            #expect(Tone.power(samples, hz: tone) > 1000 * Tone.power(samples, hz: other), "\(name)")
            // The microphone's first 0.3 s are silent; the take starts at the tone, less a short margin.
            let onset = take.samples.firstIndex { abs($0) > 0.1 } ?? take.samples.count
            #expect(onset < 48000 / 20, "\(name) starts \(onset) frames before its tone")
        }

        // `show` and `export` take the copy, and the export speaks the takes at their prompts.
        let routine = "\(folder)/quick-reset.yaml"
        let show = try SootheProcess.run(["show", routine, "--voice", "slt", "--format", "json"])
        try #require(show.status == 0, "\(show.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: show.standardOutputData) as? [String: Any])
        let prompts = try #require(report["prompts"] as? [[String: Any]])
        let recorded = prompts.filter { $0["recording"] != nil }
        // The kept takes: settle once, and rub on each side.
        #expect(
            recorded.map { ($0["recording"] as? String).map { URL(fileURLWithPath: $0).lastPathComponent } } == [
                "01-settle.flac", "02-rub.flac", "02-rub.flac",
            ])
        // Spoken as before: the skipped and unrecorded steps, the side switch and the closing words.
        #expect(prompts.count - recorded.count == 7)
        let exported = microphone.sandbox.path("session.wav")
        let export = try SootheProcess.run(["export", routine, "--voice", "slt", "-o", exported, "--quiet"])
        try #require(export.status == 0, "\(export.standardError)")
        let session = try MonoAudioReader.read(exported)
        for prompt in recorded {
            let start = try #require(prompt["startSeconds"] as? Double)
            let spoken = try #require(prompt["spokenSeconds"] as? Double)
            let isFirst = (prompt["recording"] as? String)?.hasSuffix("01-settle.flac") == true
            let (tone, other) = isFirst ? (Self.firstToneHz, Self.secondToneHz) : (Self.secondToneHz, Self.firstToneHz)
            let words = session.samples[Int((start + 0.1) * 48000)..<Int((start + spoken - 0.2) * 48000)]
            let before = session.samples[Int((start - 2) * 48000)..<Int((start - 0.3) * 48000)]
            let decibelsOverOther = 10 * log10(Tone.power(words, hz: tone) / Tone.power(words, hz: other))
            let decibelsOverBed = 10 * log10(Tone.power(words, hz: tone) / Tone.power(before, hz: tone))
            #expect(decibelsOverOther > 20, "at \(start) s the take's tone is \(decibelsOverOther) dB over the other")
            #expect(
                decibelsOverBed > 20, "at \(start) s the take's tone is \(decibelsOverBed) dB over the bed before it")
        }
    }

    @Test func withoutAnInputDeviceItSaysSoAndExits69() throws {
        let sandbox = try Sandbox()
        let config = sandbox.path("none.conf")
        try "pcm.!default { type hw card 99 }\n".write(toFile: config, atomically: true, encoding: .utf8)
        let folder = sandbox.path("takes")
        let result = try SootheProcess.run(
            ["record", "quick-reset", folder], environment: ["ALSA_CONFIG_PATH": config])
        #expect(result.status == 69)
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.count == 1, "\(result.standardError)")
        #expect(lines.first?.contains("no audio input device found") == true)
        #expect(!FileManager.default.fileExists(atPath: folder), "nothing is created without a microphone")
        let devices = try SootheProcess.run(["devices", "--input"], environment: ["ALSA_CONFIG_PATH": config])
        #expect(devices.status == 69)
        #expect(devices.standardError.contains("no audio input device found"))
    }

    @Test func aFolderThatIsAFileIsRefusedWith73AndKept() throws {
        let microphone = try FakeMicrophone()
        let path = microphone.sandbox.path("takes")
        try "my notes\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try SootheProcess.run(
            ["record", "quick-reset", path], environment: ["ALSA_CONFIG_PATH": microphone.config])
        #expect(result.status == 73)
        #expect(result.standardError.contains("'\(path)' is a file, not a folder"), "\(result.standardError)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "my notes\n")
        // A FIFO is named for what it is, and kept.
        let fifo = microphone.sandbox.path("fifo")
        try #require(mkfifo(fifo, 0o644) == 0)
        let piped = try SootheProcess.run(
            ["record", "quick-reset", fifo], environment: ["ALSA_CONFIG_PATH": microphone.config])
        #expect(piped.status == 73)
        #expect(
            piped.standardError.contains("'\(fifo)' is a FIFO (named pipe), not a folder"), "\(piped.standardError)")
        // A link that leads nowhere is named for what it is, and kept.
        let link = microphone.sandbox.path("dangling")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/nonexistent/takes")
        let linked = try SootheProcess.run(
            ["record", "quick-reset", link], environment: ["ALSA_CONFIG_PATH": microphone.config])
        #expect(linked.status == 73)
        #expect(
            linked.standardError.contains("'\(link)': a symbolic link that leads to no folder is in its place"),
            "\(linked.standardError)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "/nonexistent/takes")
        // The fake microphone is the one input, and the one `record` would use.
        let devices = try SootheProcess.run(
            ["devices", "--input"], environment: ["ALSA_CONFIG_PATH": microphone.config])
        #expect(devices.status == 0)
        #expect(devices.standardOutput.hasPrefix("*   0  default  (ALSA, "), "\(devices.standardOutput)")
    }

    @Test func anExistingTakeIsKeptUnlessForced() throws {
        let microphone = try FakeMicrophone()
        let folder = microphone.sandbox.path("takes")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "mine\n".write(toFile: "\(folder)/03-thumb-circles.flac", atomically: true, encoding: .utf8)
        let result = try SootheProcess.run(
            ["record", "quick-reset", folder], environment: ["ALSA_CONFIG_PATH": microphone.config])
        #expect(result.status == 73)
        #expect(result.standardError.contains("03-thumb-circles.flac' already exists; pass --force"))
        // With --force it records (here with no keys, so it stops at once and replaces nothing yet).
        let forced = try SootheProcess.run(
            ["record", "quick-reset", folder, "--force"], environment: ["ALSA_CONFIG_PATH": microphone.config])
        #expect(forced.status == 0, "\(forced.standardError)")
        #expect(forced.standardOutput.contains("No take was kept"))
        #expect(try String(contentsOfFile: "\(folder)/03-thumb-circles.flac", encoding: .utf8) == "mine\n")
    }

    @Test func keysTypedAheadReachTheNextPrompts() throws {
        let microphone = try FakeMicrophone()
        let folder = microphone.sandbox.path("takes")
        let recording = try RecordingRun(["record", "quick-reset", folder], microphone)
        defer { recording.stop() }
        #expect(recording.waitForOutput("Prompt 1 of 5"))
        // One read of three keys: skip, skip, quit.
        recording.press("ssq")
        let result = recording.waitForExit()
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.components(separatedBy: "Skipped:").count == 3, "\(result.standardOutput)")
        #expect(result.standardOutput.contains("Prompt 3 of 5"))
        #expect(!result.standardOutput.contains("Prompt 4 of 5"))
        #expect(result.standardOutput.contains("No take was kept, so no routine was written."))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    /// Ctrl-C, and every other termination signal alike.
    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func aSignalInATakeKeepsTheTakesSavedAndLeavesNoPartialFile(signal: Int32) throws {
        let microphone = try FakeMicrophone()
        let folder = microphone.sandbox.path("takes")
        let recording = try RecordingRun(["record", "quick-reset", folder], microphone)
        defer { recording.stop() }
        try microphone.play(toneHz: Self.firstToneHz)
        #expect(recording.waitForOutput("Prompt 1 of 5"))
        recording.press("\n")
        Thread.sleep(forTimeInterval: 1)
        recording.press("\n")
        #expect(recording.waitForOutput("Take: "))
        recording.press("\n")
        #expect(recording.waitForOutput("Saved"))
        #expect(recording.waitForOutput("Prompt 2 of 5"))
        recording.press("\n")
        #expect(recording.waitForOutput("Recording; press Enter to stop.", count: 2))
        Thread.sleep(forTimeInterval: 0.7)
        recording.signal(signal)
        let result = recording.waitForExit()
        #expect(result.status == 130, "\(result.standardOutput)")
        let name = signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "SIGHUP"
        #expect(result.standardError.contains("Stopped by \(name). Kept 1 of 5 prompts"), "\(result.standardError)")
        // The kept take and the routine that speaks it; no temporary or half-written file.
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == [
                "01-settle.flac", "quick-reset.yaml",
            ])
        let show = try SootheProcess.run(["show", "\(folder)/quick-reset.yaml", "--voice", "slt"])
        #expect(show.status == 0, "\(show.standardError)")
        #expect(show.standardOutput.contains("[recorded: 01-settle.flac]"), "\(show.standardOutput)")
        #expect(try MonoAudioReader.read("\(folder)/01-settle.flac").seconds > 0.5)
    }
}

/// `soothe record` in a terminal (tmux): keys one at a time, the level meter, and the terminal's
/// modes given back when Ctrl-C stops it.
@Suite(.serialized, .enabled(if: Tmux.isAvailable, "needs tmux")) struct RecordTerminalTests {
    @Test func ctrlCInATerminalKeepsTheTakeAndRestoresTheTerminal() throws {
        let microphone = try FakeMicrophone()
        try microphone.play(toneHz: RecordCommandTests.firstToneHz)
        let sandbox = microphone.sandbox
        let tmux = try Tmux()
        defer { tmux.kill() }
        tmux.type("stty -g > \(sandbox.path("before"))")
        tmux.type(
            "ALSA_CONFIG_PATH=\(microphone.config) \(SootheProcess.executablePath) record quick-reset "
                + sandbox.path("takes"))
        #expect(tmux.waitForScreen { $0.contains("Prompt 1 of 5: Settle in") })
        tmux.press("Enter")
        // The level meter shows the tone, a little under -12 dBFS: 15 or 16 of 20 marks.
        #expect(tmux.waitForScreen { $0.contains("[###############") })
        tmux.press("Enter")
        #expect(tmux.waitForScreen { $0.contains("Take: ") })
        tmux.press("Enter")
        #expect(tmux.waitForScreen { $0.contains("Prompt 2 of 5") })
        tmux.press("Enter")
        #expect(tmux.waitForScreen { $0.components(separatedBy: "Recording; press Enter").count == 3 })
        tmux.press("C-c")
        try tmux.expectShellBack(status: 130, in: sandbox)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: sandbox.path("takes")).sorted() == [
                "01-settle.flac", "quick-reset.yaml",
            ])
    }
}

/// A microphone for tests: ALSA's `default` device is the `file` plugin over `null`, whose
/// `infile` is what is "heard". The file is raw float32 mono at 48 kHz (the plugin reads it as
/// raw samples of the stream's format, so a WAV header would be heard as samples), opened afresh
/// with each take, so replacing it between takes changes what the next take hears.
///
/// `null` is not paced, so the plugin's own output `file` (which gets the captured samples) is a
/// FIFO read at the capture's byte rate: the plugin blocks on it, and the capture runs in real
/// time, as a real microphone does.
final class FakeMicrophone: @unchecked Sendable {
    let sandbox: Sandbox
    let config: String
    private let input: String
    private let sinkDescriptor: Int32
    private let isStopping = Atomic<Bool>(false)
    private let isStopped = Atomic<Bool>(false)
    /// Mono float32 at 48 kHz.
    static let bytesPerSecond = 48000 * 4

    init() throws {
        sandbox = try Sandbox()
        input = sandbox.path("microphone.raw")
        let sink = sandbox.path("sink")
        guard mkfifo(sink, 0o600) == 0 else { throw CocoaError(.fileWriteUnknown) }
        // Read and write, so that ALSA's every open of the sink succeeds at once, and no end of
        // stream is seen as ALSA opens and closes the device.
        sinkDescriptor = open(sink, O_RDWR | O_NONBLOCK)
        guard sinkDescriptor >= 0 else { throw CocoaError(.fileReadUnknown) }
        config = try sandbox.writeALSAConfig(
            defaultPCM: #"type file slave.pcm "null" file "\#(sink)" infile "\#(input)" format "raw""#)
        try play(toneHz: nil)
        Thread { [self] in drain() }.start()
    }

    deinit {
        isStopping.store(true, ordering: .releasing)
        while !isStopped.load(ordering: .acquiring) { usleep(5000) }
        close(sinkDescriptor)
    }

    /// From now on, takes hear 0.3 s of silence then 20 s of a tone at -12 dBFS, or only silence.
    func play(toneHz: Double?) throws {
        let rate = 48000.0
        let samples = (0..<Int(20.3 * rate)).map { index -> Float in
            guard let toneHz, index >= Int(0.3 * rate) else { return 0 }
            return Float(0.25 * sin(2 * Double.pi * toneHz * Double(index) / rate))
        }
        let data = samples.withUnsafeBufferPointer { Data(buffer: $0) }
        try data.write(to: URL(fileURLWithPath: input), options: .atomic)
    }

    /// Reads the sink at the capture's rate. What a late wake-up missed is made up, but never more
    /// than 50 ms of it: a take that starts after a pause is not given the pause's worth at once.
    private func drain() {
        let burstBytes = Self.bytesPerSecond / 20
        var buffer = [UInt8](repeating: 0, count: burstBytes)
        var credit = 0.0
        var last = Date()
        while !isStopping.load(ordering: .acquiring) {
            let now = Date()
            credit = min(credit + now.timeIntervalSince(last) * Double(Self.bytesPerSecond), Double(burstBytes))
            last = now
            let wanted = Int(credit) / 4 * 4
            if wanted > 0 {
                let count = buffer.withUnsafeMutableBytes { read(sinkDescriptor, $0.baseAddress, wanted) }
                if count > 0 { credit -= Double(count) }
            }
            usleep(5000)
        }
        isStopped.store(true, ordering: .releasing)
    }
}

/// `soothe record` running with keys sent on a socket as its standard input (a socket, so that a
/// key sent after it ended fails instead of raising SIGPIPE in the test), and what it prints
/// collected as it goes.
final class RecordingRun: @unchecked Sendable {
    private let process = Process()
    private let keys: Int32
    private let lock = NSLock()
    private var output = Data()
    private var errorOutput = Data()
    private let readersDone = DispatchGroup()

    init(_ arguments: [String], _ microphone: FakeMicrophone) throws {
        var descriptors: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &descriptors) == 0 else {
            throw CocoaError(.fileWriteUnknown)
        }
        keys = descriptors[0]
        process.executableURL = SootheProcess.executableURL
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["ALSA_CONFIG_PATH": microphone.config]) {
            $1
        }
        process.standardInput = FileHandle(fileDescriptor: descriptors[1], closeOnDealloc: true)
        let standardOutput = Pipe()
        let standardError = Pipe()
        process.standardOutput = standardOutput
        process.standardError = standardError
        try process.run()
        collect(standardOutput.fileHandleForReading) { self.output.append($0) }
        collect(standardError.fileHandleForReading) { self.errorOutput.append($0) }
    }

    private func collect(_ handle: FileHandle, into append: @escaping @Sendable (Data) -> Void) {
        readersDone.enter()
        Thread { [self] in
            while true {
                let data = handle.availableData
                guard !data.isEmpty else { break }
                lock.withLock { append(data) }
            }
            readersDone.leave()
        }.start()
    }

    var standardOutput: String { lock.withLock { String(decoding: output, as: UTF8.self) } }

    /// Waits until standard output holds `text` at least `count` times.
    func waitForOutput(_ text: String, count: Int = 1, timeoutSeconds: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline {
            if standardOutput.components(separatedBy: text).count - 1 >= count { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        Issue.record("waited for \"\(text)\" in:\n\(standardOutput)")
        return false
    }

    func press(_ text: String) {
        _ = Array(text.utf8).withUnsafeBytes { send(keys, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    struct Ending {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// Waits a few seconds for the end, then closes the keys (which ends it too), and returns what it
    /// printed.
    func waitForExit() -> Ending {
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        close(keys)
        process.waitUntilExit()
        readersDone.wait()
        return lock.withLock {
            Ending(
                status: process.terminationStatus, standardOutput: String(decoding: output, as: UTF8.self),
                standardError: String(decoding: errorOutput, as: UTF8.self))
        }
    }

    /// Ends the run if a test left it going.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// How much of one frequency a stretch of samples holds (Goertzel's algorithm).
enum Tone {
    static func power(_ samples: ArraySlice<Float>, hz: Double, sampleRate: Double = 48000) -> Double {
        let coefficient = 2 * cos(2 * Double.pi * hz / sampleRate)
        var previous = 0.0
        var beforePrevious = 0.0
        for sample in samples {
            let current = Double(sample) + coefficient * previous - beforePrevious
            beforePrevious = previous
            previous = current
        }
        let power = previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious
        return max(power / Double(samples.count * samples.count), 1e-30)
    }
}
