public import Sequencer
public import Synthesis

/// A frame source that can jump: what the transport needs to skip steps and to hand over to a
/// rebuilt session at the same moment.
public protocol SeekableFrameSource: AudioFrameSource {
    /// Makes the next `render(into:frameCount:)` start at `frame`, rendering exactly what a render
    /// from the start would have produced there (the cue of a step that starts at `frame`
    /// included). Real-time safe.
    func seek(toFrame frame: Int64)

    /// Sets the listener's volume in dB (0 leaves the samples as they are); the source ramps to
    /// it and keeps its peaks under its ceiling at any volume. Real-time safe.
    func setVolume(decibels: Double)

    /// Strikes the soft chime a waiting `hold` step repeats; it rings on through seeks.
    /// Real-time safe.
    func ringHoldReminder()
}

/// A session ready to play: its timeline and the source that renders it.
public struct PlayableSession {
    public var timeline: SessionTimeline
    public var source: any SeekableFrameSource

    public init(timeline: SessionTimeline, source: any SeekableFrameSource) {
        precondition(source.sampleRate == timeline.sampleRate, "the source and the timeline disagree on the rate")
        self.timeline = timeline
        self.source = source
    }
}

/// Makes the session for a customisation of the routine being played; the transport calls it on
/// the control thread when a step is lengthened or shortened.
public typealias SessionFactory = (SessionCustomization) throws -> PlayableSession
