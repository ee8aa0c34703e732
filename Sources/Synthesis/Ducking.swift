/// How far the bed dips under speech, as a function of the frame.
///
/// The speech intervals are known before rendering, so the dip is a closed-form ramp around each
/// one: it starts a little before the voice, reaches its depth in `attackDuration`, and comes back
/// over `releaseDuration` after the voice ends. Intervals closer than a release are merged so the
/// bed does not bob up between sentences.
struct Ducking {
    struct Interval {
        var start: Int64
        var end: Int64
    }

    static let depthDecibels = -8.0
    static let attackDuration = 0.15
    static let releaseDuration = 0.4
    /// How long before the voice the dip begins, so the voice's first syllable is already clear.
    static let leadDuration = 0.1

    /// Merged `(start, end)` frames of speech, sorted.
    let intervals: UnsafeMutableBufferPointer<Interval>
    let attackFrames: Double
    let releaseFrames: Double
    let leadFrames: Int64
    let depthGain = decibelsToGain(depthDecibels)

    init(clips: [(start: Int64, end: Int64)], sampleRate: Int) {
        let rate = Double(sampleRate)
        attackFrames = Self.attackDuration * rate
        releaseFrames = Self.releaseDuration * rate
        leadFrames = Int64(Self.leadDuration * rate)
        var merged: [(start: Int64, end: Int64)] = []
        let gap = Int64(releaseFrames + attackFrames) + leadFrames
        for clip in clips.sorted(by: { $0.start < $1.start }) where clip.end > clip.start {
            if let last = merged.last, clip.start - last.end <= gap {
                merged[merged.count - 1].end = max(last.end, clip.end)
            } else {
                merged.append(clip)
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
        var low = 0, high = intervals.count - 1, found = -1
        while low <= high {
            let middle = (low + high) / 2
            if intervals[middle].start - leadFrames <= frame {
                found = middle; low = middle + 1
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
            // Release from whatever depth the attack had reached when the voice ended.
            let reached = smoothstep(Double(interval.end - attackStart) / attackFrames)
            depth = reached * (1 - smoothstep(Double(frame - interval.end) / releaseFrames))
        }
        return 1 + (depthGain - 1) * depth
    }
}
