import Synchronization

/// How far the bed dips under speech, as a function of the frame.
///
/// The speech intervals are known before their sound is rendered, so the dip is a closed-form ramp
/// around each one: it begins `leadDuration` before the voice (in the pause after a step's chime),
/// reaches its depth over `attackDuration` as the first word comes, holds for `holdDuration` after
/// the last word and comes back over `releaseDuration`. Intervals closer than that are merged, so
/// the bed does not bob up between sentences, and a dip whose release would reach into the final
/// fade holds to the end instead.
///
/// The intervals live in `SpeechSpans`, which a preparation thread may fill in one by one while
/// the session already plays; the dip at a frame only reads spans that are published.
///
/// Noncopyable, so that the bed reads it in place on the render path.
struct Ducking: ~Copyable {
    static let depthDecibels = -3.5
    static let attackDuration = 0.45
    /// How long before the voice the dip begins: the whole attack, so the voice starts over the
    /// settled bed.
    static let leadDuration = 0.45
    static let holdDuration = 0.75
    static let releaseDuration = 2.5

    let spans: SpeechSpans
    /// `spans` again, for the render path: calling a method on a class reference read from a
    /// stored property retains and releases it, and `@_noAllocation` refuses the release. This
    /// one is borrowed without either, which is sound because `spans` holds the same object for
    /// as long as this value lives.
    private let spansForRendering: Unmanaged<SpeechSpans>
    let depthGain = decibelsToGain(depthDecibels)

    /// A dip for clips whose places are all known now.
    init(clips: [(start: Int64, end: Int64)], sampleRate: Int, releaseLimitFrame: Int64 = .max) {
        let sorted = clips.sorted { $0.start < $1.start }
        spans = SpeechSpans(
            earliestStartFrames: sorted.map(\.start), sampleRate: sampleRate, releaseLimitFrame: releaseLimitFrame)
        for clip in sorted { spans.publish(startFrame: clip.start, endFrame: clip.end) }
        spansForRendering = .passUnretained(spans)
    }

    /// A dip for clips that are published in `spans` as they become ready.
    init(spans: SpeechSpans) {
        self.spans = spans
        spansForRendering = .passUnretained(spans)
    }

    /// The bed's gain at `frame`: 1 away from speech, `depthGain` under it, ramped smoothly between.
    @_noAllocation
    func gain(atFrame frame: Int64) -> Double {
        let depth = spansForRendering._withUnsafeGuaranteedRef { $0.depth(atFrame: frame) }
        return 1 + (depthGain - 1) * depth
    }
}

/// Where speech sounds in a session, one slot per prompt in playing order: a slot is published
/// once its clip is ready, by one preparation thread, in order; the renderer reads only the
/// published slots (an acquiring load of their count, no locks).
///
/// Each slot keeps what the merged intervals need: the start of the dip it belongs to and how far
/// that dip reaches so far, and whether it continues the dip before it. The dip at a frame is then
/// the same as if every interval had been merged at once.
final class SpeechSpans: @unchecked Sendable {
    struct Span {
        var startFrame: Int64
        /// The first frame of the dip this span belongs to (its first span's start).
        var groupStartFrame: Int64
        /// Where the dip's hold ends, over this span and the ones merged before it.
        var groupEndFrame: Int64
        /// Whether this span joins the dip of the span before it.
        var continuesGroup: Bool
        /// False for a slot before any speech (an empty first clip).
        var hasSpeech: Bool
    }

    let attackFrames: Double
    let releaseFrames: Double
    let leadFrames: Int64
    let holdFrames: Int64
    /// Dips closer than this are merged.
    let mergeGapFrames: Int64
    let releaseLimitFrame: Int64
    /// Own the memory of `spans` and `earliestStartFrames`.
    private let spanStorage: ManagedBuffer<Void, Span>
    private let earliestStartFrameStorage: ManagedBuffer<Void, Int64>
    private let spans: UnsafeMutablePointer<Span>
    /// The earliest frame each slot's clip can start at, known before it is ready.
    private let earliestStartFrames: UnsafeMutableBufferPointer<Int64>
    private let publishedCount = Atomic<Int>(0)

    /// - Parameter releaseLimitFrame: no release may end after this frame (the start of the
    ///   final fade); a dip that would holds to the end of the session.
    init(earliestStartFrames: [Int64], sampleRate: Int, releaseLimitFrame: Int64) {
        let rate = Double(sampleRate)
        attackFrames = Ducking.attackDuration * rate
        releaseFrames = Ducking.releaseDuration * rate
        leadFrames = Int64(Ducking.leadDuration * rate)
        holdFrames = Int64(Ducking.holdDuration * rate)
        mergeGapFrames = Int64(releaseFrames + attackFrames) + leadFrames
        self.releaseLimitFrame = releaseLimitFrame
        (spanStorage, spans) = makeRenderStorage(
            count: earliestStartFrames.count,
            repeating: Span(
                startFrame: 0, groupStartFrame: 0, groupEndFrame: 0, continuesGroup: false, hasSpeech: false))
        (earliestStartFrameStorage, self.earliestStartFrames) = makeRenderStorage(copying: earliestStartFrames)
        slotCount = earliestStartFrames.count
    }

    let slotCount: Int

    /// The earliest frame slot `index`'s clip was planned to start at.
    func earliestStartFrame(ofSlot index: Int) -> Int64 { earliestStartFrames[index] }

    /// How many slots are published; the rest are not ready yet.
    var count: Int {
        @_noAllocation get { publishedCount.load(ordering: .acquiring) }
    }

    /// Publishes the next slot: a clip that sounds from `startFrame` up to `endFrame`. Call it from
    /// one thread at a time, in slot order.
    func publish(startFrame: Int64, endFrame: Int64) {
        let index = publishedCount.load(ordering: .relaxed)
        precondition(index < slotCount, "more speech spans than slots")
        let previous = index > 0 ? spans[index - 1] : nil
        if endFrame <= startFrame {
            // Silent: it takes the place of the one before, so the search still finds that one.
            spans[index] =
                previous
                ?? Span(
                    startFrame: .min / 4, groupStartFrame: 0, groupEndFrame: .min / 4, continuesGroup: false,
                    hasSpeech: false)
            if previous != nil { spans[index].continuesGroup = false }
        } else {
            var heldEnd = endFrame + holdFrames
            if heldEnd + Int64(releaseFrames) > releaseLimitFrame { heldEnd = .max / 2 }
            if let previous, previous.hasSpeech, startFrame - previous.groupEndFrame <= mergeGapFrames {
                spans[index] = Span(
                    startFrame: startFrame, groupStartFrame: previous.groupStartFrame,
                    groupEndFrame: max(previous.groupEndFrame, heldEnd), continuesGroup: true, hasSpeech: true)
            } else {
                spans[index] = Span(
                    startFrame: startFrame, groupStartFrame: startFrame, groupEndFrame: heldEnd, continuesGroup: false,
                    hasSpeech: true)
            }
        }
        publishedCount.store(index + 1, ordering: .releasing)
    }

    /// Marks every slot not yet published as silent, so rendering never waits for them.
    func publishRemainingAsSilent() {
        while count < slotCount { publish(startFrame: 0, endFrame: 0) }
    }

    /// The first frame whose dip could still change when the next slot is published: its clip's
    /// lead, or the end of the dip before it when the two could merge. `Int64.max` once all are in.
    var preparedEndFrame: Int64 {
        let published = count
        guard published < slotCount else { return .max }
        let earliest = earliestStartFrames[published]
        var end = earliest - leadFrames
        if published > 0 {
            let previous = spans[published - 1]
            if previous.hasSpeech && earliest - previous.groupEndFrame <= mergeGapFrames {
                end = min(end, previous.groupEndFrame)
            }
        }
        return end
    }

    /// How deep the dip is at `frame`, from 0 (none) to 1 (full). On the render path: it reads
    /// the published spans only, after one acquiring load of their count.
    @_noAllocation
    func depth(atFrame frame: Int64) -> Double {
        let published = count
        let found = lastSpanStarted(
            atFrame: frame, in: UnsafeBufferPointer(start: spans, count: slotCount), publishedCount: published,
            leadFrames: leadFrames)
        guard found >= 0, spans[found].hasSpeech else { return 0 }
        let span = spans[found]
        let attackStart = span.groupStartFrame - leadFrames
        // A later span that joins this dip keeps it held until that span's own end.
        var isHeld = frame < span.groupEndFrame
        if !isHeld && found + 1 < published { isHeld = spans[found + 1].continuesGroup }
        if isHeld {
            return smoothstep(Double(frame - attackStart) / attackFrames)
        }
        // Release from whatever depth the attack had reached when the hold ended.
        let reached = smoothstep(Double(span.groupEndFrame - attackStart) / attackFrames)
        return reached * (1 - smoothstep(Double(frame - span.groupEndFrame) / releaseFrames))
    }
}

/// The index of the last of the first `publishedCount` spans whose dip has begun by `frame`
/// (`leadFrames` before its start), or -1: a binary search over published slots only.
@_noAllocation
func lastSpanStarted(
    atFrame frame: Int64, in spans: UnsafeBufferPointer<SpeechSpans.Span>, publishedCount: Int, leadFrames: Int64
) -> Int {
    var low = 0
    var high = publishedCount - 1
    var found = -1
    while low <= high {
        let middle = (low + high) / 2
        if spans[middle].startFrame - leadFrames <= frame {
            found = middle
            low = middle + 1
        } else {
            high = middle - 1
        }
    }
    return found
}
