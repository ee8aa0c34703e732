/// A look-ahead peak limiter that keeps the interpolated (true) peak under a ceiling.
///
/// It works on the render grid: each chunk is measured in sub-blocks of `subblockFrameCount` one
/// chunk before it is output, so the gain can come down smoothly ahead of a peak. The gain at each
/// sub-block boundary is the lowest of what the neighbouring sub-blocks need and of a ramp down
/// towards any louder sub-block up to `attackSubblocks` ahead; it rises again over
/// `releaseDuration`. Between boundaries it is interpolated per sample, so it never steps.
///
/// Noncopyable: its one owner changes it in place, so the render path never copies its storage.
struct Limiter: ~Copyable {
    static var subblockFrameCount: Int { 32 }
    static var subblocksPerChunk: Int { 16 }
    static var attackSubblocks: Int { 8 }
    static let releaseDuration = 0.4
    /// Margin below the ceiling for the error of the interpolated peak estimate, in dB.
    static let marginDecibels = 0.5

    /// Own the memory of `requiredGains` and `boundaryGains`.
    private let requiredGainStorage: ManagedBuffer<Void, Float>
    private let boundaryGainStorage: ManagedBuffer<Void, Float>
    /// Required gains of the sub-blocks: index 0 the last sub-block before the current chunk,
    /// 1…16 the current chunk, 17…32 the chunk ahead.
    private let requiredGains: UnsafeMutablePointer<Float>
    /// The gain at each sub-block boundary of the current chunk.
    private let boundaryGains: UnsafeMutablePointer<Float>
    private var gain: Float = 1
    private let ceiling: Float
    private let releaseStep: Float

    init(ceilingDecibels: Double, sampleRate: Int) {
        (requiredGainStorage, requiredGains) = makeRenderStorage(count: 1 + 2 * Self.subblocksPerChunk, repeating: 1)
        (boundaryGainStorage, boundaryGains) = makeRenderStorage(count: 1 + Self.subblocksPerChunk, repeating: 1)
        ceiling = Float(decibelsToGain(ceilingDecibels - Self.marginDecibels))
        releaseStep = Float(Double(Self.subblockFrameCount) / (Self.releaseDuration * Double(sampleRate)))
    }

    /// Forgets everything measured, for a fresh start after a seek.
    @_noAllocation
    mutating func reset() {
        gain = 1
        for index in 0..<(1 + 2 * Self.subblocksPerChunk) { requiredGains[index] = 1 }
    }

    /// Moves the chunk ahead into the current slot; call it before measuring a new chunk ahead.
    @_noAllocation
    mutating func advance() {
        let subblocks = Self.subblocksPerChunk
        requiredGains[0] = requiredGains[subblocks]
        for index in 1...subblocks { requiredGains[index] = requiredGains[index + subblocks] }
    }

    /// Measures the chunk ahead. Reads three frames before `left` and `right` (the chunk's guard
    /// frames) for the interpolated peaks.
    @_noAllocation
    mutating func measureAhead(left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>) {
        let required = requiredGains + 1 + Self.subblocksPerChunk
        let length = Self.subblockFrameCount
        for subblock in 0..<Self.subblocksPerChunk {
            let start = subblock * length
            // Between samples a signal overshoots its samples by at most about 3 dB for content below
            // a quarter of the rate; only sub-blocks that could reach the ceiling need the finer estimate.
            let coarse = max(samplePeak(left + start, count: length), samplePeak(right + start, count: length))
            guard coarse * 1.5 > ceiling else {
                required[subblock] = 1
                continue
            }
            let peak = max(
                interpolatedPeak(left + start, count: length), interpolatedPeak(right + start, count: length))
            required[subblock] = peak > ceiling ? ceiling / peak : 1
        }
    }

    /// Applies the gain to the current chunk and interleaves it into `output`.
    @_noAllocation
    mutating func limitAndInterleave(
        left: UnsafeMutablePointer<Float>, right: UnsafeMutablePointer<Float>, into output: UnsafeMutablePointer<Float>
    ) {
        let subblocks = Self.subblocksPerChunk
        let attack = Self.attackSubblocks
        var previous = gain
        var isUnity = previous == 1
        // Boundary j (1…16) of the current chunk sits between required[j] and required[j + 1].
        boundaryGains[0] = previous
        for j in 1...subblocks {
            var constraint = min(requiredGains[j], requiredGains[j + 1])
            for ahead in 1..<attack where j + 1 + ahead <= 2 * subblocks {
                let needed = requiredGains[j + 1 + ahead]
                constraint = min(constraint, needed + (1 - needed) * Float(ahead) / Float(attack))
            }
            let next = min(min(constraint, previous + releaseStep), 1)
            boundaryGains[j] = next
            previous = next
            if next != 1 { isUnity = false }
        }
        if isUnity {
            interleave(left: left, right: right, into: output, count: RenderGrid.chunkFrameCount)
        } else {
            interleaveWithGain(
                left: left, right: right, into: output, boundaryGains: boundaryGains, subblockCount: subblocks,
                subblockFrameCount: Self.subblockFrameCount)
        }
        gain = previous
    }
}
