import Foundation
import Sequencer
import Synchronization

// Voice clips that arrive after the renderer was made: handed over one at a time while the session
// plays, or all on a thread of their own just ahead of the render for an export.
extension SessionRenderer {
    /// How many voice slots the session has, one per prompt in playing order.
    public var voiceSlotCount: Int { speechSpans.slotCount }

    /// How many voice slots are filled; the rest are still being prepared.
    public var deliveredVoiceClipCount: Int { speechSpans.count }

    /// The first frame that a clip not yet delivered could change: frames before it render
    /// exactly as they will with every clip in. `totalFrames` once every clip is in.
    public var preparedEndFrame: Int64 { min(speechSpans.preparedEndFrame, totalFrames) }

    /// Fills the next voice slot with `clip` and publishes it to rendering (a releasing store the
    /// render path reads with an acquiring load: no locks). The clip is cleaned up (unless it
    /// was already) and brought to the speech level here, on the caller's thread. Call it from
    /// one thread at a time, in slot order; rendering may go on meanwhile, on another thread.
    public func deliver(_ clip: VoiceClip, toSlot slot: Int) throws(SynthesisError) {
        guard slot == speechSpans.count, slot < speechSpans.slotCount else {
            throw SynthesisError(
                "voice clip \(slot + 1) came out of order: \(speechSpans.count) of \(speechSpans.slotCount) are in")
        }
        try Self.check(clip, number: slot + 1, in: totalFrames)
        // Rendering may already be past frames before the planned earliest start.
        guard clip.startFrame >= speechSpans.earliestStartFrame(ofSlot: slot) else {
            throw SynthesisError(
                "voice clip \(slot + 1) starts at frame \(clip.startFrame), before frame "
                    + "\(speechSpans.earliestStartFrame(ofSlot: slot)), the earliest it was planned for")
        }
        do { try voice.fill(slot: slot, from: VoiceClipSource(clip)) } catch {
            throw SynthesisError("voice clip \(slot + 1) could not be read: \(error)")
        }
        speechSpans.publish(
            startFrame: clip.startFrame, endFrame: min(clip.startFrame + Int64(clip.samples.count), totalFrames))
    }

    /// The first frame the render path has not mixed yet. Readable from any thread.
    public var mixedEndFrame: Int64 { mixedEndFrameAtomic.load(ordering: .acquiring) }

    /// Lets the samples of delivered clips go that the render path has mixed to their end, which it
    /// never reads again while it renders straight on. Only for a session rendered from its start
    /// without seeking (an export): a seek back would need them. Called from the delivering thread.
    private func retireMixedVoiceClips() {
        let mixed = mixedEndFrame
        let published = speechSpans.count
        while retiredVoiceSlotCount < published && voice.clips[retiredVoiceSlotCount].endFrame <= mixed {
            voice.retire(slot: retiredVoiceSlotCount)
            retiredVoiceSlotCount += 1
        }
    }

    /// How far ahead of the render `deliverAhead(_:)` fills the slots: more than the longest
    /// stretch the render may need a clip before its earliest start (a merged dip, about 4 s).
    public static let deliveryLeadDuration = 10.0

    /// Fills every slot with `clips` (one per slot, in order) on a background thread, for a session
    /// rendered straight through from its start (an export): the clips are checked now; each is
    /// levelled once the render is past the clip before it, or comes within `deliveryLeadDuration`
    /// of it, so that levelling runs beside rendering, and freed once the render has mixed past it.
    public func deliverAhead(_ clips: [VoiceClip]) throws(SynthesisError) {
        for (index, clip) in clips.enumerated() { try Self.check(clip, number: index + 1, in: totalFrames) }
        // The thread owns the only references to the samples, so each clip's memory goes back as
        // soon as the track holds its levelled copy (a captured array would keep every one).
        let pending = PendingClips(clips)
        try deliverAhead(startFrames: clips.map(\.startFrame)) { index in VoiceClipSource(pending.take(index)) }
    }

    /// Like `deliverAhead(_:)`, but each clip is fetched only when the render comes near it, so a
    /// session's clips need not all be in memory at once; `levellingMemo` saves levelling a clip
    /// again that was levelled under the same conditions before. `fetch` gives the clip of a
    /// slot, which must start at its entry of `startFrames`; when it cannot, that slot and the
    /// rest stay silent and `preparationFailure` says why.
    public func deliverAhead(
        startFrames: [Int64], levellingMemo: VoiceLevellingMemo? = nil,
        fetch: @escaping @Sendable (Int) throws -> VoiceClipSource
    ) throws(SynthesisError) {
        guard startFrames.count == speechSpans.slotCount, speechSpans.count == 0 else {
            throw SynthesisError("\(startFrames.count) voice clips for \(speechSpans.slotCount) slots")
        }
        for (index, startFrame) in startFrames.enumerated() {
            guard startFrame >= 0 && startFrame < totalFrames else {
                throw SynthesisError(
                    "voice clip \(index + 1) starts at frame \(startFrame), outside the session's "
                        + "0..<\(totalFrames) frames")
            }
            guard startFrame >= speechSpans.earliestStartFrame(ofSlot: index) else {
                throw SynthesisError("voice clip \(index + 1) starts before the earliest frame it was planned for")
            }
        }
        let lead = Int64(Self.deliveryLeadDuration * Double(sampleRate))
        // The thread holds the renderer only while it works on a clip: when an export stops early
        // and lets the renderer go, the thread ends at its next look instead of waiting for ever.
        let thread = Thread { [weak self] in
            // Where the clip before ends: once the render is past it, its memory is let go, and
            // the next clip is prepared at once, while the render works through the gap between
            // them, rather than when the render comes near it and would wait for it.
            var previousEndFrame: Int64 = 0
            for index in startFrames.indices {
                while true {
                    guard let renderer = self else { return }
                    let neededFrame = min(
                        renderer.speechSpans.earliestStartFrame(ofSlot: index) - lead, previousEndFrame)
                    if renderer.mixedEndFrame >= neededFrame { break }
                    usleep(500)
                }
                guard let self else { return }
                retireMixedVoiceClips()
                do {
                    let source = try fetch(index)
                    guard source.startFrame == startFrames[index] else {
                        throw SynthesisError(
                            "voice clip \(index + 1) moved from frame \(startFrames[index]) to \(source.startFrame)")
                    }
                    try voice.fill(slot: index, from: source, memo: levellingMemo)
                    previousEndFrame = min(source.startFrame + Int64(source.frameCount), totalFrames)
                    speechSpans.publish(startFrame: source.startFrame, endFrame: previousEndFrame)
                } catch {
                    deliveryFailure.withLock { $0 = "\(error)" }
                    abandonUndeliveredVoiceClips()
                    return
                }
            }
        }
        thread.name = "soothe voice"
        thread.start()
    }

    public var preparationFailure: String? { deliveryFailure.withLock { $0 } }

    /// Gives up on the slots not yet filled (their prompts could not be prepared): they stay
    /// silent, and rendering no longer waits for them.
    public func abandonUndeliveredVoiceClips() {
        speechSpans.publishRemainingAsSilent()
    }

    static func check(_ clip: VoiceClip, number: Int, in timeline: SessionTimeline) throws(SynthesisError) {
        try check(clip, number: number, in: timeline.totalFrames)
    }

    static func check(_ clip: VoiceClip, number: Int, in totalFrames: Int64) throws(SynthesisError) {
        guard clip.startFrame >= 0 && clip.startFrame < totalFrames else {
            throw SynthesisError(
                "voice clip \(number) starts at frame \(clip.startFrame), outside the session's "
                    + "0..<\(totalFrames) frames")
        }
        guard clip.samples.allSatisfy({ $0.isFinite }) else {
            throw SynthesisError("voice clip \(number) holds samples that are not finite numbers")
        }
    }
}

/// Clips handed to the delivering thread, each given up as it is taken. Only that thread uses it
/// once it has started.
private final class PendingClips: @unchecked Sendable {
    private var clips: [VoiceClip]

    init(_ clips: [VoiceClip]) { self.clips = clips }

    var count: Int { clips.count }

    /// The clip in `index`, leaving an empty one behind.
    func take(_ index: Int) -> VoiceClip {
        let clip = clips[index]
        clips[index].samples = []
        return clip
    }
}
