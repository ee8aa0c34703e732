/// How far the bed dips under speech, as a function of the frame.
///
/// The speech intervals are known before rendering, so the dip is a closed-form ramp around each
/// one: it begins `leadDuration` before the voice (in the pause after a step's chime), reaches its
/// depth over `attackDuration` as the first word comes, holds for `holdDuration` after the last
/// word and comes back over `releaseDuration`. Intervals closer than that are merged, so the bed
/// does not bob up between sentences, and a dip whose release would reach into the final fade
/// holds to the end instead.
struct Ducking {
    struct Interval {
        var start: Int64
        var end: Int64
    }

    static let depthDecibels = -3.5
    static let attackDuration = 0.45
    /// How long before the voice the dip begins: the whole attack, so the voice starts over the
    /// settled bed.
    static let leadDuration = 0.45
    static let holdDuration = 0.75
    static let releaseDuration = 2.5

    /// Merged `(start, end)` frames of speech, sorted; `end` includes the hold.
    let intervals: UnsafeMutableBufferPointer<Interval>
    let attackFrames: Double
    let releaseFrames: Double
    let leadFrames: Int64
    let depthGain = decibelsToGain(depthDecibels)

    /// - Parameter releaseLimitFrame: no release may end after this frame (the start of the
    ///   final fade); a dip that would holds to the end of the session.
    init(clips: [(start: Int64, end: Int64)], sampleRate: Int, releaseLimitFrame: Int64 = .max) {
        let rate = Double(sampleRate)
        attackFrames = Self.attackDuration * rate
        releaseFrames = Self.releaseDuration * rate
        leadFrames = Int64(Self.leadDuration * rate)
        let holdFrames = Int64(Self.holdDuration * rate)
        var merged: [(start: Int64, end: Int64)] = []
        let gap = Int64(releaseFrames + attackFrames) + leadFrames
        for clip in clips.sorted(by: { $0.start < $1.start }) where clip.end > clip.start {
            var held = (start: clip.start, end: clip.end + holdFrames)
            if held.end + Int64(releaseFrames) > releaseLimitFrame { held.end = .max / 2 }
            if let last = merged.last, held.start - last.end <= gap {
                merged[merged.count - 1].end = max(last.end, held.end)
            } else {
                merged.append(held)
            }
        }
        intervals = .allocate(capacity: merged.count)
        _ = intervals.initialize(from: merged.map { Interval(start: $0.start, end: $0.end) })
    }

    func deallocate() { intervals.deallocate() }

    /// The bed's gain at `frame`: 1 away from speech, `depthGain` under it, ramped smoothly between.
    func gain(atFrame frame: Int64) -> Double {
        guard !intervals.isEmpty else { return 1 }
        // The last interval starting at or before the end of its attack window.
        var low = 0
        var high = intervals.count - 1
        var found = -1
        while low <= high {
            let middle = (low + high) / 2
            if intervals[middle].start - leadFrames <= frame {
                found = middle
                low = middle + 1
            } else {
                high = middle - 1
            }
        }
        guard found >= 0 else { return 1 }
        let interval = intervals[found]
        let attackStart = interval.start - leadFrames
        let depth: Double
        if frame < interval.end {
            depth = smoothstep(Double(frame - attackStart) / attackFrames)
        } else {
            // Release from whatever depth the attack had reached when the hold ended.
            let reached = smoothstep(Double(interval.end - attackStart) / attackFrames)
            depth = reached * (1 - smoothstep(Double(frame - interval.end) / releaseFrames))
        }
        return 1 + (depthGain - 1) * depth
    }
}
