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
