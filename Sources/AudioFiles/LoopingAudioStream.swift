import Foundation
import Sequencer

/// A background file as an endless stereo stream at the session's rate: decoded a block at a
/// time by libsndfile, resampled by libsoxr, and looped without a seam.
///
/// The file is played as a series of segments, each joined to the next by an equal-power
/// crossfade of `crossfadeFrameCount` frames (cos/sin gains, so uncorrelated sound keeps its
/// power through the join: no dip, no click). Two decoders alternate, one per segment, so a join
/// reads both ends at once without seeking back and forth.
///
/// - A file at least as long as the session plays straight through.
/// - A file a little shorter loops whole: its end crossfades into its start.
/// - A file much shorter than the session (under a third of it) would be heard as a loop, so it is
///   cut into `segmentCount` segments at points drawn from the seed, and the segments are played in
///   orders shuffled from the seed, each one crossfaded into the next (as SBaGenX's looper does).
///
/// Everything here follows from the file, the rate, the session's length and the seed, so the
/// same inputs give the same samples. Not thread-safe: one thread reads it (the read-ahead).
public final class LoopingAudioStream {
    public let sampleRate: Int
    /// The length of every join, in frames of the session's rate.
    public let crossfadeFrameCount: Int
    /// How many pieces the file is cut into (1: it loops whole, or plays straight through).
    public let segmentCount: Int
    /// Where each join so far began, in frames of the stream; for tests and the curious.
    public private(set) var joinStartFrames: [Int64] = []

    /// The longest join, in seconds.
    public static let crossfadeDuration = 2.0
    /// A file is cut into pieces of about this many seconds when it is much shorter than the session.
    public static let segmentDuration = 10.0
    public static let segmentCountRange: ClosedRange<Int> = 3...12
    /// A file shorter than the session by this factor or more is cut into pieces.
    public static let shuffleBelowSessionShare = 1.0 / 3

    /// The second lane opens at the first join, so a file that plays straight through is opened once.
    private var lanes: [StreamLane]
    private let file: BackgroundAudioFile
    /// The start of each piece, in frames of the stream's rate; the last entry ends the last piece.
    private let cutFrames: [Int64]
    private let fileFramesPerStreamFrame: Double
    private var random: SplitMix64
    private var order: [Int] = []
    /// A join's two segments, one after the other.
    private let scratch: SampleStorage
    private static let scratchFrameCount = 4096

    // Where the stream is: the lane playing, its segment's nominal length (frames before its
    // fade-out begins) and how far into the segment it is.
    private var currentLane = 0
    private var currentLength: Int64 = .max
    private var currentPosition: Int64 = 0
    private var streamPosition: Int64 = 0

    /// Opens `file` twice (one decoder per lane) and plans its segments for a session of
    /// `sessionFrameCount` frames at `sampleRate`.
    public init(file: BackgroundAudioFile, sampleRate: Int, sessionFrameCount: Int64, seed: UInt64)
        throws(AudioFileError)
    {
        self.sampleRate = sampleRate
        self.file = file
        lanes = [try StreamLane(path: file.path, outputRate: sampleRate)]
        fileFramesPerStreamFrame = Double(file.sampleRate) / Double(sampleRate)
        // The resampler may give a few frames fewer than the ratio promises; keep clear of the end.
        let usableFrames = max(1, Int64(Double(file.frameCount) / fileFramesPerStreamFrame) - 64)
        var crossfade = max(1, min(Int64(Self.crossfadeDuration * Double(sampleRate)), usableFrames / 4))
        let span = usableFrames - crossfade
        random = SplitMix64(seed: seed ^ 0x6C6F_6F70_6D69_7869)
        if sessionFrameCount <= usableFrames {
            segmentCount = 1
            cutFrames = [0, .max]
        } else if Double(usableFrames) > Double(sessionFrameCount) * Self.shuffleBelowSessionShare {
            segmentCount = 1
            cutFrames = [0, span]
        } else {
            let count = min(
                max(Int(Double(span) / (Self.segmentDuration * Double(sampleRate))), Self.segmentCountRange.lowerBound),
                Self.segmentCountRange.upperBound)
            segmentCount = count
            let even = Double(span) / Double(count)
            var cuts: [Int64] = [0]
            for index in 1..<count {
                let jitter = (Double(random.next() >> 11) * 0x1.0p-53 - 0.5) * 0.5 * even
                cuts.append(Int64(Double(index) * even + jitter))
            }
            cuts.append(span)
            cutFrames = cuts
            // Every piece is at least twice a join long, so a join never overlaps the next.
            let shortest = zip(cuts.dropFirst(), cuts).map { $0 - $1 }.min() ?? span
            crossfade = max(1, min(crossfade, shortest / 2))
        }
        crossfadeFrameCount = Int(crossfade)
        scratch = .zeroed(count: Self.scratchFrameCount * 4)
        let first = nextSegment()
        try lanes[0].start(atSourceFrame: first.sourceStart)
        currentLength = first.length
        currentSegment = first.index
    }

    /// The next segment: its start in the file's frames and its nominal length in the stream's.
    private func nextSegment() -> (index: Int, sourceStart: Int64, length: Int64) {
        if order.isEmpty {
            var next = Array(0..<segmentCount)
            if segmentCount > 1 {
                for index in stride(from: segmentCount - 1, to: 0, by: -1) {
                    let other = Int(random.next() % UInt64(index + 1))
                    next.swapAt(index, other)
                }
                // A piece never follows itself across two rounds.
                if next.last == lastSegment { next.swapAt(0, next.count - 1) }
            }
            order = next.reversed()
        }
        let index = order.removeLast()
        lastSegment = index
        let start = cutFrames[index]
        let length = cutFrames[index + 1] == .max ? .max : cutFrames[index + 1] - start
        return (index, Int64((Double(start) * fileFramesPerStreamFrame).rounded()), length)
    }
    private var lastSegment = -1
    /// The piece playing now.
    private var currentSegment = 0

    /// Fills `frameCount` interleaved stereo frames; the stream never ends.
    public func read(into output: UnsafeMutablePointer<Float>, frameCount: Int) throws(AudioFileError) {
        var done = 0
        let fade = Int64(crossfadeFrameCount)
        while done < frameCount {
            let out = output + done * 2
            if currentPosition < currentLength {
                // The segment alone, up to its fade-out.
                let count = Int(min(Int64(frameCount - done), currentLength - currentPosition))
                try lanes[currentLane].read(into: out, frameCount: count)
                currentPosition += Int64(count)
                done += count
                if currentPosition == currentLength {
                    let next = nextSegment()
                    if next.index == currentSegment + 1 {
                        // The piece that follows in the file: it runs on as it is, with no join (a
                        // crossfade of a passage with itself would swell by 3 dB).
                        currentLength += next.length
                        currentSegment = next.index
                        continue
                    }
                    // The join begins: the next segment starts on the other lane.
                    currentSegment = next.index
                    if lanes.count < 2 { lanes.append(try StreamLane(path: file.path, outputRate: sampleRate)) }
                    try lanes[1 - currentLane].start(atSourceFrame: next.sourceStart)
                    pendingLength = next.length
                    joinStartFrames.append(streamPosition + Int64(done))
                }
            } else {
                // The join: this segment fades out as the next fades in.
                let into = Int(currentPosition - currentLength)
                let count = min(frameCount - done, crossfadeFrameCount - into, Self.scratchFrameCount)
                try scratch.withUnsafeMutablePointerToElements { outgoing throws(AudioFileError) in
                    let incoming = outgoing + Self.scratchFrameCount * 2
                    try lanes[currentLane].read(into: outgoing, frameCount: count)
                    try lanes[1 - currentLane].read(into: incoming, frameCount: count)
                    // The gains are worked out per frame rather than kept in a table: a 2 s table
                    // would cost more memory than the rest of the stream.
                    let angleStep = Double.pi / 2 / Double(crossfadeFrameCount)
                    for index in 0..<count {
                        let angle = (Double(into + index) + 0.5) * angleStep
                        let outGain = Float(cos(angle))
                        let inGain = Float(sin(angle))
                        out[index * 2] = outgoing[index * 2] * outGain + incoming[index * 2] * inGain
                        out[index * 2 + 1] = outgoing[index * 2 + 1] * outGain + incoming[index * 2 + 1] * inGain
                    }
                }
                currentPosition += Int64(count)
                done += count
                if currentPosition == currentLength + fade {
                    currentLane = 1 - currentLane
                    currentLength = pendingLength
                    currentPosition = fade
                }
            }
        }
        streamPosition += Int64(frameCount)
    }
    private var pendingLength: Int64 = 0
}

/// One decoder and resampler: plays the file from a chosen frame at the stream's rate.
final class StreamLane {
    private let reader: AudioFileReader
    private let resampler: OpaquePointer?
    /// Stereo frames made but not yet taken.
    private let pending: SampleStorage
    private let pendingCapacity: Int
    private var pendingStart = 0
    private var pendingCount = 0
    /// One block as decoded, before it is resampled.
    private let decoded: SampleStorage
    private var isAtEnd = false
    private var isFlushed = false

    init(path: String, outputRate: Int) throws(AudioFileError) {
        reader = try AudioFileReader(path: path)
        decoded = .zeroed(count: AudioFileReader.blockFrameCount * 2)
        if reader.sampleRate == outputRate {
            resampler = nil
            pendingCapacity = AudioFileReader.blockFrameCount
        } else {
            switch SoxrCalls.soxr_create(from: reader.sampleRate, to: outputRate, channelCount: 2) {
            case .success(let handle): resampler = handle
            case .failure(let failure):
                throw AudioFileError(
                    .resamplingFailed,
                    "could not resample '\(path)' from \(reader.sampleRate) Hz to \(outputRate) Hz: \(failure.message)")
            }
            let ratio = Double(outputRate) / Double(reader.sampleRate)
            pendingCapacity = Int((Double(AudioFileReader.blockFrameCount) * ratio).rounded(.up)) + 256
        }
        pending = .zeroed(count: pendingCapacity * 2)
    }

    deinit {
        if let resampler { SoxrCalls.soxr_delete(resampler) }
    }

    /// Starts playing from `frame` of the file.
    func start(atSourceFrame frame: Int64) throws(AudioFileError) {
        try reader.seek(toFrame: min(max(frame, 0), reader.frameCount))
        if let resampler { SoxrCalls.soxr_clear(resampler) }
        pendingStart = 0
        pendingCount = 0
        isAtEnd = false
        isFlushed = false
    }

    /// Fills `frameCount` stereo frames; past the end of the file, silence.
    func read(into output: UnsafeMutablePointer<Float>, frameCount: Int) throws(AudioFileError) {
        var done = 0
        while done < frameCount {
            if pendingCount > 0 {
                let count = min(pendingCount, frameCount - done)
                pending.withUnsafeMutablePointerToElements { pending in
                    (output + done * 2).update(from: pending + pendingStart * 2, count: count * 2)
                }
                pendingStart += count
                pendingCount -= count
                done += count
                continue
            }
            guard !isFlushed else {
                (output + done * 2).update(repeating: 0, count: (frameCount - done) * 2)
                return
            }
            try refill()
        }
    }

    /// Decodes one block and resamples it into `pending`.
    private func refill() throws(AudioFileError) {
        pendingStart = 0
        pendingCount = 0
        var frames = 0
        if !isAtEnd {
            frames = try (resampler == nil ? pending : decoded).withUnsafeMutablePointerToElements {
                block throws(AudioFileError) in
                try reader.readStereo(into: block, frameCount: AudioFileReader.blockFrameCount)
            }
            if frames == 0 { isAtEnd = true }
        }
        guard let resampler else {
            pendingCount = frames
            if isAtEnd { isFlushed = true }
            return
        }
        try decoded.withUnsafeMutablePointerToElements { decoded throws(AudioFileError) in
            try pending.withUnsafeMutablePointerToElements { pending throws(AudioFileError) in
                var offset = 0
                repeat {
                    let input: UnsafePointer<Float>? = isAtEnd ? nil : UnsafePointer(decoded + offset * 2)
                    switch SoxrCalls.soxr_process(
                        resampler, input: input, inputFrameCount: isAtEnd ? 0 : frames - offset,
                        output: pending + pendingCount * 2, outputCapacity: pendingCapacity - pendingCount)
                    {
                    case .success(let (taken, written)):
                        offset += taken
                        pendingCount += written
                        if isAtEnd && written == 0 { isFlushed = true }
                        if taken == 0 && written == 0 && !isAtEnd { return }
                    case .failure(let failure):
                        throw AudioFileError(
                            .resamplingFailed, "could not resample '\(reader.path)': \(failure.message)")
                    }
                } while !isAtEnd && offset < frames && pendingCount < pendingCapacity
            }
        }
    }
}
