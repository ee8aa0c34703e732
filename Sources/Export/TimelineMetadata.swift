public import AudioFiles
public import Sequencer

/// What an export of a session carries besides sound: tags, step markers and chapter files.
extension SessionTimeline {
    /// One marker at every step start, labelled like the step's chapter (`3. Thumb circles (right)`).
    public var stepMarkers: [StepMarker] {
        let markers = steps.indices.map {
            StepMarker(startFrame: steps[$0].startFrame, label: "\($0 + 1). \(chapterTitle(ofStep: $0))")
        }
        guard hasSleepTail else { return markers }
        return markers + [StepMarker(startFrame: stepsEndFrame, label: Self.sleepTailChapterTitle)]
    }

    /// The step list with start times, for the comment tag: one `0:30 Warm up` line per step.
    public var stepListText: String {
        steps.indices.map { "\(steps[$0].startTime) \(chapterTitle(ofStep: $0))" }.joined(separator: "\n")
    }

    /// The tags of an exported session: the routine's title, the artist, the step list, the
    /// software and the date.
    public func exportTags(artist: String = "Soothe", software: String, date: String) -> AudioTags {
        AudioTags(title: routineTitle, artist: artist, comment: stepListText, software: software, date: date)
    }
}
