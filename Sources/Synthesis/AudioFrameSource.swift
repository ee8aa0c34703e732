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
}

/// A spoken prompt handed to the renderer as plain data: mono samples at the session rate that
/// start at an exact frame. Speech makes these; Synthesis never calls speech engines itself.
public struct VoiceClip: Sendable {
    public var startFrame: Int64
    public var samples: [Float]

    public init(startFrame: Int64, samples: [Float]) {
        self.startFrame = startFrame
        self.samples = samples
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
