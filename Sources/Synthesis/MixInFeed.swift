import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The user's own sound on its way to the renderer: a thread of its own (never the audio thread)
/// runs the producer ahead of time into a lock-free ring, and the renderer only copies out of it.
///
/// The producer is any deterministic stereo stream at the session's rate (the command hands in
/// AudioFiles' looping file reader); decoding, resampling and file I/O all happen on the
/// read-ahead thread. One producer thread and one consumer: the two counters are the only state
/// they share, each written by one side.
///
/// The stream runs on by itself: a seek in the session does not move it (a background sound has
/// no place to return to), so the renderer takes its frames strictly in order. Without live
/// interaction that order is the session's frames, so play and export take the same samples.
public final class MixInFeed: @unchecked Sendable {
    /// Fills `frameCount` interleaved stereo frames; a thrown error leaves silence from there on.
    public typealias Producer = (UnsafeMutablePointer<Float>, Int) throws -> Void

    /// Frames the ring holds: about 1.4 s at 48 kHz in 512 kB, many times what a busy disk stalls
    /// for, and small, since every MB counts against a whole session's memory.
    public static let capacityFrameCount = 1 << 16
    /// Frames the read-ahead makes at a time.
    static let blockFrameCount = 4096
    /// How long the read-ahead sleeps when the ring is full, in microseconds.
    static let idleMicroseconds: UInt32 = 2000

    let capacity: Int
    private let mask: Int
    /// Owns the memory of `samples`.
    private let storage: ManagedBuffer<Void, Float>
    /// Interleaved stereo frames, `capacity` of them.
    let samples: UnsafeMutablePointer<Float>
    /// Frames written and frames taken since the start; each written by one side only.
    private let writtenFrames = Atomic<Int>(0)
    private let takenFrames = Atomic<Int>(0)
    private let isCancelled = Atomic<Bool>(false)
    private let underrunFrames = Atomic<Int>(0)
    private let hasFailed = Atomic<Bool>(false)
    private var failure: (any Error)?
    private let producer: ProducerBox
    private var isStarted = false

    /// A feed whose read-ahead thread starts with the renderer that takes it, so that a feed never
    /// taken runs no thread.
    public init(capacityFrameCount: Int = MixInFeed.capacityFrameCount, producer: @escaping Producer) {
        precondition(capacityFrameCount > 0 && capacityFrameCount & (capacityFrameCount - 1) == 0)
        capacity = capacityFrameCount
        mask = capacityFrameCount - 1
        (storage, samples) = makeRenderStorage(count: capacityFrameCount * 2, repeating: Float(0))
        self.producer = ProducerBox(producer)
    }

    /// Starts the read-ahead thread, once; it fills the ring at once and then keeps it full.
    func start() {
        guard !isStarted else { return }
        isStarted = true
        let box = producer
        let thread = Thread { [self] in run(box.producer) }
        thread.name = "soothe read-ahead"
        thread.start()
    }

    /// Stops the read-ahead thread; the renderer calls it when it is done. The thread keeps the
    /// feed alive until it has left.
    public func cancel() {
        isCancelled.store(true, ordering: .releasing)
    }

    /// Frames the renderer wanted before the read-ahead had made them (heard as a gap); 0 when
    /// the read-ahead kept up.
    var underrunFrameCount: Int { underrunFrames.load(ordering: .relaxed) }

    /// Why the producer stopped, if it failed: the stream is silent from there on.
    public var producerError: (any Error)? { hasFailed.load(ordering: .acquiring) ? failure : nil }

    /// The frames ready to take.
    var availableFrameCount: Int {
        writtenFrames.load(ordering: .acquiring) - takenFrames.load(ordering: .relaxed)
    }

    /// Waits until `frameCount` frames (at most the ring's size less a block) are ready, or `timeoutSeconds`
    /// pass. Never called on a real-time path: export waits here before each block, and the
    /// player's writer thread, which blocks in the device's write anyway, gives it a few
    /// milliseconds, so that a sink faster than real time still gets every frame.
    func waitForFrames(_ frameCount: Int, timeoutSeconds: Double) {
        // The read-ahead writes whole blocks, so the ring may stop short of full by one block.
        let wanted = min(frameCount, capacity - Self.blockFrameCount)
        guard availableFrameCount < wanted else { return }
        var waited = 0.0
        while availableFrameCount < wanted && waited < timeoutSeconds && !hasFailed.load(ordering: .acquiring) {
            usleep(200)
            waited += 0.0002
        }
    }

    /// Adds the next `frameCount` frames into planar `left` and `right`, scaled by a gain ramped
    /// from `startGain` to `endGain`; frames not yet made are silence. Real-time safe, and checked
    /// so: no allocation, no lock, no retain.
    @_noAllocation
    func take(
        into left: UnsafeMutablePointer<Float>, _ right: UnsafeMutablePointer<Float>, frameCount: Int,
        startGain: Float, endGain: Float
    ) {
        let taken = takenFrames.load(ordering: .relaxed)
        let ready = min(frameCount, writtenFrames.load(ordering: .acquiring) - taken)
        if ready < frameCount { underrunFrames.add(frameCount - ready, ordering: .relaxed) }
        guard ready > 0 else { return }
        let step = (endGain - startGain) / Float(frameCount)
        let start = taken & mask
        let first = min(ready, capacity - start)
        addStereoRamped(
            samples + start * 2, left: left, right: right, frameCount: first, startGain: startGain, gainStep: step)
        if first < ready {
            addStereoRamped(
                samples, left: left + first, right: right + first, frameCount: ready - first,
                startGain: startGain + step * Float(first), gainStep: step)
        }
        takenFrames.store(taken + ready, ordering: .releasing)
    }

    /// The read-ahead: keeps the ring full until cancelled.
    private func run(_ producer: Producer) {
        var written = 0
        var isSilent = false
        while !isCancelled.load(ordering: .acquiring) {
            let free = capacity - (written - takenFrames.load(ordering: .acquiring))
            guard free >= Self.blockFrameCount else {
                usleep(Self.idleMicroseconds)
                continue
            }
            let start = written & mask
            let count = min(Self.blockFrameCount, capacity - start)
            let block = samples + start * 2
            if isSilent {
                block.update(repeating: 0, count: count * 2)
            } else {
                do {
                    try producer(block, count)
                } catch {
                    failure = error
                    hasFailed.store(true, ordering: .releasing)
                    isSilent = true
                    block.update(repeating: 0, count: count * 2)
                }
            }
            written += count
            writtenFrames.store(written, ordering: .releasing)
        }
    }
}

/// Carries the producer onto the read-ahead thread, which alone calls it.
private final class ProducerBox: @unchecked Sendable {
    let producer: MixInFeed.Producer
    init(_ producer: @escaping MixInFeed.Producer) { self.producer = producer }
}

/// The user's own sound for a session: the feed and how loud its stream is.
public struct MixIn {
    public var feed: MixInFeed
    /// The integrated loudness of the stream as fed, in LUFS; it is brought to the tone bed's
    /// level against the voice, and the routine's `level` moves it from there.
    public var loudnessLUFS: Double

    public init(feed: MixInFeed, loudnessLUFS: Double) {
        self.feed = feed
        self.loudnessLUFS = loudnessLUFS
    }
}
