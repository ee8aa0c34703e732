import Foundation
import Synchronization

/// One take recorded from an input device: PortAudio's callback fills a `CaptureRing` on the audio
/// thread, and `drain()`, on the thread that owns the capture, moves what arrived into `samples`.
final class InputCapture {
    let deviceName: String
    let sampleRate: Int
    private let ring: CaptureRing
    private var stream: PortAudioStreamHandle?
    /// The take so far: mono, full scale ±1.
    private(set) var samples: [Float] = []

    /// Opens the device for one channel at `sampleRate` and starts recording.
    init(device: InputDevice, sampleRate: Int) throws(PlaybackError) {
        deviceName = device.name
        self.sampleRate = sampleRate
        ring = CaptureRing(sampleRate: sampleRate)
        var handle: PortAudioStreamHandle?
        let result = system_Pa_OpenInputStream(
            &handle, device: Int32(device.index), channelCount: 1, sampleRate: Double(sampleRate),
            suggestedLatencySeconds: device.defaultHighInputLatency, ring: ring)
        guard result == portAudioNoError, let handle else {
            throw .portAudio(
                PortAudioError(
                    code: result,
                    action: "could not open input device '\(device.name)' for one channel at \(sampleRate) Hz"))
        }
        let started = system_Pa_StartStream(handle)
        guard started == portAudioNoError else {
            _ = system_Pa_CloseStream(handle)
            throw .portAudio(PortAudioError(code: started, action: "could not start input device '\(device.name)'"))
        }
        stream = handle
    }

    deinit {
        if let stream {
            _ = system_Pa_AbortStream(stream)
            _ = system_Pa_CloseStream(stream)
        }
    }

    /// Moves what the device recorded since the last call into `samples`.
    func drain() {
        ring.drain(into: &samples)
    }

    /// The peak since the last call, for the level meter.
    func takePeak() -> Float { ring.takePeak() }

    /// Stops the device and returns the whole take. Throws when input was lost on the way.
    func finish() throws(PlaybackError) -> [Float] {
        if let stream {
            _ = system_Pa_StopStream(stream)
            _ = system_Pa_CloseStream(stream)
            self.stream = nil
        }
        drain()
        guard !ring.hasLostInput else {
            throw .inputFailed(device: deviceName, reason: "some of the sound was lost on the way")
        }
        return samples
    }
}

/// Plays one take back on an output device, from a thread of its own, until it ends or `stop()`.
final class TakePlayer: @unchecked Sendable {
    private let samples: [Float]
    private let stream: PortAudioStreamHandle
    private let isStopRequested = Atomic<Bool>(false)
    private let isDone = Atomic<Bool>(false)
    static let blockFrames = 512

    /// Opens `device` for stereo at `sampleRate` and starts playing `samples` (mono) on both sides.
    init(device: OutputDevice, samples: [Float], sampleRate: Int) throws(PlaybackError) {
        self.samples = samples
        var handle: PortAudioStreamHandle?
        let result = system_Pa_OpenStream(
            &handle, device: Int32(device.index), channelCount: 2, sampleRate: Double(sampleRate),
            suggestedLatencySeconds: max(device.defaultHighOutputLatency, AudioWriter.minimumLatencySeconds))
        guard result == portAudioNoError, let handle else {
            throw .portAudio(
                PortAudioError(code: result, action: "could not open output device '\(device.name)' to play the take"))
        }
        let started = system_Pa_StartStream(handle)
        guard started == portAudioNoError else {
            _ = system_Pa_CloseStream(handle)
            throw .portAudio(PortAudioError(code: started, action: "could not start output device '\(device.name)'"))
        }
        stream = handle
        let thread = Thread { [self] in run() }
        thread.name = "soothe take playback"
        thread.start()
    }

    /// Whether the take has played to its end or stopped, and the device is closed.
    var hasFinished: Bool { isDone.load(ordering: .acquiring) }

    /// Stops at once and waits until the device is closed.
    func stop() {
        isStopRequested.store(true, ordering: .releasing)
        while !hasFinished { usleep(2000) }
    }

    private func run() {
        let block = ManagedBuffer<Void, Float>.create(minimumCapacity: Self.blockFrames * 2) { _ in }
        block.withUnsafeMutablePointerToElements { block in
            block.initialize(repeating: 0, count: Self.blockFrames * 2)
            play(from: block)
        }
    }

    /// Writes the take through `block`, a stereo block of `blockFrames` frames, and closes the
    /// device.
    private func play(from block: UnsafeMutablePointer<Float>) {
        var position = 0
        var isCut = false
        while position < samples.count {
            if isStopRequested.load(ordering: .acquiring) {
                isCut = true
                break
            }
            let count = min(Self.blockFrames, samples.count - position)
            for frame in 0..<count {
                block[2 * frame] = samples[position + frame]
                block[2 * frame + 1] = samples[position + frame]
            }
            let result = system_Pa_WriteStream(stream, block, frameCount: count)
            guard result == portAudioNoError || result == portAudioOutputUnderflowed else {
                isCut = true
                break
            }
            position += count
        }
        // Played out to the end, or dropped at once when stopped.
        _ = isCut ? system_Pa_AbortStream(stream) : system_Pa_StopStream(stream)
        _ = system_Pa_CloseStream(stream)
        isDone.store(true, ordering: .releasing)
    }
}
