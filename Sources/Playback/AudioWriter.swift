import Foundation
import Synchronization

/// The audio thread: pulls fixed blocks from a transport and writes them to a PortAudio stream in
/// blocking mode. It is the only thread that touches the stream after it opens, so it alone
/// stops and closes it.
final class AudioWriter: @unchecked Sendable {
    /// Frames per block pulled from the transport and written at once (about 10 ms at 48 kHz).
    static let blockFrames = 512
    /// The least output latency asked of PortAudio; its own "high" latency is used when larger.
    /// Blocking writes need enough queued audio to ride out a busy machine.
    static let minimumLatencySeconds = 0.12
    /// The longest the writer waits for the read-ahead before a block.
    static let readAheadWaitSeconds = 0.05
    /// How often a writer waiting for a prompt looks again.
    static let preparationPollMicroseconds: UInt32 = 2000

    let deviceName: String
    private let transport: Transport
    private var stream: PortAudioStreamHandle?
    /// The block the writer thread renders into and hands to PortAudio; freed with the writer.
    private let buffer: ManagedBuffer<Void, Float>
    private let isDone = Atomic<Bool>(false)
    /// Monotonic nanoseconds of the last write that returned, for the control thread's watchdog.
    private let lastWriteNanoseconds = Atomic<UInt64>(0)
    private let firstWriteNanoseconds = Atomic<UInt64>(0)
    /// Set by the writer before `isDone`; read only after `isDone` is seen.
    private var failure: PlaybackError?
    /// The latency PortAudio settled on, in seconds.
    let outputLatencySeconds: Double

    init(system: AudioSystem, device: OutputDevice, transport: Transport) throws(PlaybackError) {
        deviceName = device.name
        self.transport = transport
        let sampleCount = Self.blockFrames * transport.channelCount
        buffer = .create(minimumCapacity: sampleCount) { _ in }
        buffer.withUnsafeMutablePointerToElements { $0.initialize(repeating: 0, count: sampleCount) }
        var handle: PortAudioStreamHandle?
        let latency = max(device.defaultHighOutputLatency, Self.minimumLatencySeconds)
        let result = system_Pa_OpenStream(
            &handle, device: Int32(device.index), channelCount: transport.channelCount,
            sampleRate: Double(transport.sampleRate), suggestedLatencySeconds: latency)
        guard result == portAudioNoError, let handle else {
            throw .portAudio(
                PortAudioError(
                    code: result,
                    action: "could not open output device '\(device.name)' for \(transport.channelCount) channels "
                        + "at \(transport.sampleRate) Hz"))
        }
        stream = handle
        outputLatencySeconds = system_Pa_GetStreamOutputLatency(handle)
    }

    deinit {
        // Only reached when the writer finished (or never started); it closed the stream itself.
        if let stream, !isDone.load(ordering: .acquiring) { _ = system_Pa_CloseStream(stream) }
    }

    /// Starts the stream and the writer thread.
    func start() throws(PlaybackError) {
        guard let stream else { return }
        let result = system_Pa_StartStream(stream)
        guard result == portAudioNoError else {
            _ = system_Pa_CloseStream(stream)
            self.stream = nil
            isDone.store(true, ordering: .releasing)
            throw .portAudio(PortAudioError(code: result, action: "could not start output device '\(deviceName)'"))
        }
        lastWriteNanoseconds.store(Self.now(), ordering: .relaxed)
        let thread = Thread { [self] in run() }
        thread.name = "soothe audio"
        thread.qualityOfService = .userInteractive
        thread.start()
    }

    /// Whether the writer has finished; `error` is then final.
    var hasFinished: Bool { isDone.load(ordering: .acquiring) }

    /// Why the writer stopped early, once `hasFinished`.
    var error: PlaybackError? { hasFinished ? failure : nil }

    /// Seconds since the last write returned.
    var secondsSinceLastWrite: Double {
        // The last write is read before the clock, so it cannot be later than `now`; the guard
        // keeps a write stamped in between from wrapping round into a false stall.
        let lastWrite = lastWriteNanoseconds.load(ordering: .acquiring)
        let now = Self.now()
        return now > lastWrite ? Double(now - lastWrite) / 1e9 : 0
    }

    /// Monotonic nanoseconds when the first block was handed to the device, or 0.
    var firstWriteTime: UInt64 { firstWriteNanoseconds.load(ordering: .relaxed) }

    private func run() {
        guard let stream else { return }
        buffer.withUnsafeMutablePointerToElements { buffer in run(stream, buffer: buffer) }
    }

    /// Renders and writes block after block into `buffer` until the session ends or the device
    /// fails, then closes the stream.
    private func run(_ stream: PortAudioStreamHandle, buffer: UnsafeMutablePointer<Float>) {
        let blockFrames = Self.blockFrames
        while true {
            while !transport.isReadyToRender(frameCount: blockFrames) {
                // A prompt the next block needs is still being spoken: wait for it here, outside the
                // render path. Waiting is not a stuck device, so the watchdog is kept quiet.
                lastWriteNanoseconds.store(Self.now(), ordering: .releasing)
                usleep(Self.preparationPollMicroseconds)
            }
            // This thread blocks in the device's write anyway; a short wait here for the read-ahead
            // (the user's own sound) lets a sink faster than real time (a file, a null device) get
            // every frame, while a real device, seconds behind the read-ahead, never waits.
            transport.waitUntilReady(toRender: blockFrames, timeoutSeconds: Self.readAheadWaitSeconds)
            let frames = transport.render(into: buffer, frameCount: blockFrames)
            guard frames > 0 else { break }
            let result = system_Pa_WriteStream(stream, buffer, frameCount: frames)
            let now = Self.now()
            if firstWriteNanoseconds.load(ordering: .relaxed) == 0 {
                firstWriteNanoseconds.store(now, ordering: .relaxed)
            }
            lastWriteNanoseconds.store(now, ordering: .releasing)
            guard result == portAudioNoError || result == portAudioOutputUnderflowed else {
                failure = .deviceFailed(device: deviceName, reason: system_Pa_GetErrorText(result))
                _ = system_Pa_AbortStream(stream)
                _ = system_Pa_CloseStream(stream)
                isDone.store(true, ordering: .releasing)
                return
            }
        }
        // Let what is queued play out, then close.
        let stopResult = system_Pa_StopStream(stream)
        if stopResult != portAudioNoError {
            _ = system_Pa_AbortStream(stream)
        }
        _ = system_Pa_CloseStream(stream)
        isDone.store(true, ordering: .releasing)
    }

    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
