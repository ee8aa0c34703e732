import Sequencer

/// How a session is rendered, beyond what its timeline says.
public struct RenderSettings: Sendable, Equatable {
    /// Interleaved output channels: the renderer makes stereo, since the voice and chimes lean
    /// toward the side being massaged.
    public static let channelCount = 2
    /// The integrated loudness the whole session is set to, in LUFS.
    public var loudnessTargetLUFS: Double
    /// The highest inter-sample peak the limiter lets through, in dBTP.
    public var truePeakCeilingDecibels: Double
    /// Seeds every random choice (pad phases, drift, noise), so that a seed always gives the same samples.
    public var seed: UInt64
    /// A master gain to use instead of measuring one, in dB: a renderer rebuilt for the same
    /// session (after a change of voice clips, say) keeps the gain the first one measured.
    public var fixedMasterGainDecibels: Double?

    /// Whether the voice and the chime of an each-side step lean toward the side being massaged.
    public var leansToSide = true

    /// Mutes the tone bed, so that tests can see chimes alone.
    var isBedMuted = false
    /// Leaves voice clips out of the mix while still ducking for them, so tests can see the bed under speech.
    var isVoiceMuted = false

    /// What a session balanced on the voice measures: speech about -18 LUFS short-term, the bed
    /// 10-12 LU under it, and quiet between prompts.
    public static let defaultLoudnessTargetLUFS = -24.0
    public static let loudnessTargetRange: ClosedRange<Double> = -40 ... -10
    public static let defaultTruePeakCeilingDecibels = -1.0
    public static let truePeakCeilingRange: ClosedRange<Double> = -12...0

    public init(
        loudnessTargetLUFS: Double = defaultLoudnessTargetLUFS,
        truePeakCeilingDecibels: Double = defaultTruePeakCeilingDecibels, seed: UInt64 = 0,
        fixedMasterGainDecibels: Double? = nil
    ) {
        self.loudnessTargetLUFS = loudnessTargetLUFS
        self.truePeakCeilingDecibels = truePeakCeilingDecibels
        self.seed = seed
        self.fixedMasterGainDecibels = fixedMasterGainDecibels
    }

    func validate() throws(SynthesisError) {
        guard Self.loudnessTargetRange.contains(loudnessTargetLUFS) else {
            throw SynthesisError(
                "a loudness target of \(loudnessTargetLUFS) LUFS is out of range; choose "
                    + "\(Self.loudnessTargetRange.lowerBound) to \(Self.loudnessTargetRange.upperBound) LUFS")
        }
        guard Self.truePeakCeilingRange.contains(truePeakCeilingDecibels) else {
            throw SynthesisError(
                "a true-peak ceiling of \(truePeakCeilingDecibels) dBTP is out of range; choose "
                    + "\(Self.truePeakCeilingRange.lowerBound) to \(Self.truePeakCeilingRange.upperBound) dBTP")
        }
        if let gain = fixedMasterGainDecibels, !(-60...60).contains(gain) {
            throw SynthesisError("a fixed master gain of \(gain) dB is out of range; choose -60 to 60 dB")
        }
    }
}

/// Limits shared by the renderer and the meter.
enum SessionRendererLimits {
    static let sampleRateRange: ClosedRange<Int> = 8000...384_000
}

/// A small, fast, seedable generator (SplitMix64), so that renders are the same on every platform.
struct SeededRandom {
    private var generator: SplitMix64

    // A seek draws fresh pad phases, so these run on the render path. SplitMix64 is arithmetic on
    // one UInt64 (no allocation, no lock), but it lives in Sequencer, whose bodies a debug build
    // cannot see into; `_unsafePerformance` vouches for it, as the libm wrappers do.

    /// Starts one SplitMix64 step past `seed`, as renders always have, so a seed keeps its sound.
    @_noAllocation
    init(seed: UInt64) { generator = _unsafePerformance { SplitMix64(seed: seed &+ 0x9E37_79B9_7F4A_7C15) } }

    @_noAllocation
    mutating func next() -> UInt64 { _unsafePerformance { generator.next() } }

    /// A uniform value in [0, 1).
    @_noAllocation
    mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A uniform value in `range`.
    @_noAllocation
    mutating func next(in range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * nextUnit()
    }
}
