/// What a step is called wherever the session is divided into chapters: markers, tags and the
/// chapter lists that `show` prints.
extension SessionTimeline {
    /// A step's name as a chapter: its title, with the side when it has one.
    public func chapterTitle(ofStep index: Int) -> String {
        let step = steps[index]
        guard let side = step.side, !step.isSideSwitch else { return step.title }
        return "\(step.title) (\(side.rawValue))"
    }

    /// The chapter after the last step, when the session has a sleep tail.
    public static let sleepTailChapterTitle = "Sleep tail"
}
