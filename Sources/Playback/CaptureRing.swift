import Synchronization

/// The hand-over from PortAudio's input callback to the thread that keeps a take: a ring of
/// samples with one writer (the callback) and one reader.
///
/// The callback runs on the audio thread, where a late return loses sound: it only copies into
/// storage allocated here, publishes how far it wrote through an atomic, and counts what did not
/// fit. The reader drains the ring into the take, which may grow, every few tens of milliseconds.
final class CaptureRing: @unchecked Sendable {
    /// Room for this long a stall of the reader before samples are lost.
    static let capacitySeconds = 4.0

    let capacity: Int
    /// The ring's samples, freed with the ring. Plain floats: nothing to deinitialise.
    private let storageBuffer: ManagedBuffer<Void, Float>
    /// The same samples for the audio thread. A ManagedBuffer's elements live inside it and never
    /// move, so the pointer is good while the ring holds the buffer. Reaching them through the
    /// buffer in the callback would not do: reading a class reference from a stored property
    /// copies it (a retain and a release), and `@_noAllocation` refuses the release.
    private let storage: UnsafeMutablePointer<Float>
    /// Samples written and read since the start, ever growing; their difference is what waits.
    private let writtenCount = Atomic<Int>(0)
    private let readCount = Atomic<Int>(0)
    /// Samples the callback had no room for, and buffers PortAudio says it dropped.
    private let droppedCount = Atomic<Int>(0)
    private let overflowCount = Atomic<Int>(0)
    /// The largest magnitude written since the reader last asked, as the bits of a `Float`, for
    /// the level meter.
    private let peakBits = Atomic<UInt32>(0)

    init(sampleRate: Int) {
        let capacity = max(1, Int(Self.capacitySeconds * Double(sampleRate)))
        let buffer = ManagedBuffer<Void, Float>.create(minimumCapacity: capacity) { _ in }
        storage = buffer.withUnsafeMutablePointerToElements { elements in
            elements.initialize(repeating: 0, count: capacity)
            return elements
        }
        storageBuffer = buffer
        self.capacity = capacity
    }

    /// Copies `frameCount` mono samples in. Called by the audio thread only.
    @_noAllocation
    func write(_ samples: UnsafePointer<Float>, frameCount: Int) {
        let written = writtenCount.load(ordering: .relaxed)
        let free = capacity - (written - readCount.load(ordering: .acquiring))
        let count = min(frameCount, free)
        var peak = Float(bitPattern: peakBits.load(ordering: .relaxed))
        var index = 0
        while index < count {
            let sample = samples[index]
            storage[(written + index) % capacity] = sample
            peak = max(peak, abs(sample))
            index += 1
        }
        peakBits.store(peak.bitPattern, ordering: .relaxed)
        if count < frameCount { droppedCount.add(frameCount - count, ordering: .relaxed) }
        writtenCount.store(written + count, ordering: .releasing)
    }

    /// Notes that PortAudio dropped input before this buffer. Called by the audio thread only.
    @_noAllocation
    func noteOverflow() {
        overflowCount.add(1, ordering: .relaxed)
    }

    /// Moves every waiting sample to the end of `take`. Called by the reader only.
    func drain(into take: inout [Float]) {
        let written = writtenCount.load(ordering: .acquiring)
        var read = readCount.load(ordering: .relaxed)
        take.reserveCapacity(take.count + written - read)
        while read < written {
            take.append(storage[read % capacity])
            read += 1
        }
        readCount.store(read, ordering: .releasing)
    }

    /// The peak since the last call, full scale 1.
    func takePeak() -> Float {
        Float(bitPattern: peakBits.exchange(0, ordering: .relaxed))
    }

    /// Whether any input was lost: the reader fell behind, or PortAudio dropped some.
    var hasLostInput: Bool {
        droppedCount.load(ordering: .relaxed) > 0 || overflowCount.load(ordering: .relaxed) > 0
    }
}
