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
}

extension AudioFrameSource {
    /// A source that makes everything as it renders is always ready.
    public func waitUntilReady(toRender frameCount: Int, timeoutSeconds: Double) {}
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
