/// Something that renders interleaved frames on demand, in fixed blocks the caller asks for.
///
/// `SessionRenderer` is the one that matters; Playback and Export pull from it through this
/// protocol, so both send exactly the same samples.
public protocol AudioFrameSource: AnyObject {
    /// Interleaved channels per frame.
    var channelCount: Int { get }
    /// Frames per second.
    var sampleRate: Int { get }
    /// The number of frames the source renders from start to end.
    var totalFrames: Int64 { get }
    /// The next frame `render(into:frameCount:)` produces.
    var position: Int64 { get }
    /// Renders up to `frameCount` frames into `buffer` (interleaved, `frameCount × channelCount`
    /// samples) and returns how many it wrote: fewer only at the end, 0 after it.
    ///
    /// Real-time safe: no allocation, locks, I/O or system calls.
    func render(into buffer: UnsafeMutablePointer<Float>, frameCount: Int) -> Int

    /// Waits, at most `timeoutSeconds`, until the source can render `frameCount` frames without
    /// waiting for anything made ahead of time on another thread. Never on a real-time path:
    /// export calls it before every block, the player's writer thread before every write.
    func waitUntilReady(toRender frameCount: Int, timeoutSeconds: Double)

    /// The first frame that could still change while the source prepares (a spoken prompt not
    /// ready yet); `totalFrames` or more when nothing is pending. Frames before it render as they
    /// will in the end.
    var preparedEndFrame: Int64 { get }

    /// Why something made ahead of time could not be made (its frames then render silent), or
    /// `nil`. An export checks it before it keeps the file.
    var preparationFailure: String? { get }
}

extension AudioFrameSource {
    /// A source that makes everything as it renders is always ready.
    public func waitUntilReady(toRender frameCount: Int, timeoutSeconds: Double) {}

    public var preparedEndFrame: Int64 { totalFrames }

    public var preparationFailure: String? { nil }

    /// Whether the next `frameCount` frames, and what the renderer mixes ahead of them (its
    /// limiter's lookahead chunk and the control values of the chunk after it), can be rendered as
    /// they will sound once everything is prepared. A caller that may wait waits while it is false,
    /// outside `render`. Real-time safe.
    public func isPrepared(forNext frameCount: Int) -> Bool {
        let preparedEnd = preparedEndFrame
        return preparedEnd >= totalFrames
            || position + Int64(frameCount + 3 * RenderGrid.chunkFrameCount) <= preparedEnd
    }
}

/// A spoken prompt handed to the renderer as plain data: mono samples at the session rate that
/// start at an exact frame. Speech makes these; Synthesis never calls speech engines itself.
public struct VoiceClip: Sendable {
    public var startFrame: Int64
    public var samples: [Float]
    /// Whether `VoiceCleanup` has been applied already (by whoever kept the clip cleaned up);
    /// otherwise the renderer applies it.
    public var isCleanedUp: Bool

    public init(startFrame: Int64, samples: [Float], isCleanedUp: Bool = false) {
        self.startFrame = startFrame
        self.samples = samples
        self.isCleanedUp = isCleanedUp
    }
}

/// A voice clip read straight into the memory the renderer mixes it from, so that a prompt read
/// back from a cache is in memory once, not twice.
public struct VoiceClipSource: Sendable {
    public var startFrame: Int64
    public var frameCount: Int
    /// Whether `VoiceCleanup` has been applied already; otherwise the renderer applies it.
    public var isCleanedUp: Bool
    /// Writes the clip's `frameCount` samples into the buffer it is given, or throws.
    public var read: @Sendable (UnsafeMutableBufferPointer<Float>) throws -> Void

    public init(
        startFrame: Int64, frameCount: Int, isCleanedUp: Bool,
        read: @escaping @Sendable (UnsafeMutableBufferPointer<Float>) throws -> Void
    ) {
        self.startFrame = startFrame
        self.frameCount = frameCount
        self.isCleanedUp = isCleanedUp
        self.read = read
    }

    /// A clip already in memory, copied when it is read.
    public init(_ clip: VoiceClip) {
        self.init(startFrame: clip.startFrame, frameCount: clip.samples.count, isCleanedUp: clip.isCleanedUp) {
            buffer in _ = buffer.update(fromContentsOf: clip.samples)
        }
    }
}

/// The clean-up every voice clip gets before it is mixed: a 70 Hz high-pass, a de-esser and a
/// slow leveller (see `VoiceTrack`). It depends on the samples and the rate alone, so it can be
/// done once where a clip is made and kept with it: the prompt cache keeps clips cleaned up, and
/// a session with a warm cache only brings each to the speech level.
public enum VoiceCleanup {
    /// Names the clean-up; it changes whenever the clean-up does, so kept clips are not reused.
    public static let identity = "voice-cleanup 1: 70 Hz high-pass, 6.5 kHz de-ess, 2.5 dB leveller"

    /// `samples` at `sampleRate`, cleaned up; the same length.
    public static func apply(_ samples: [Float], sampleRate: Int) -> [Float] {
        VoiceTrack.level(VoiceTrack.clean(samples, sampleRate: sampleRate), sampleRate: sampleRate)
    }
}

/// What the renderer knows of a prompt before its clip is ready: where it can start at the
/// earliest (so rendering knows how far it may go without it), and where and how long it is
/// expected to sound (so the master gain can be planned before it is spoken).
public struct VoiceClipPlan: Sendable, Equatable {
    /// No frame before this one can hold the clip.
    public var earliestStartFrame: Int64
    /// The clip's expected first frame and length, for the loudness plan.
    public var expectedStartFrame: Int64
    public var expectedFrameCount: Int64

    public init(earliestStartFrame: Int64, expectedStartFrame: Int64, expectedFrameCount: Int64) {
        self.earliestStartFrame = earliestStartFrame
        self.expectedStartFrame = expectedStartFrame
        self.expectedFrameCount = expectedFrameCount
    }
}
