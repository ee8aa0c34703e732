/// One prompt of a routine as written, which a person can record in their own voice: a step's
/// `say`. A step inside an each-side block has one slot, since its words are the same for both
/// sides.
///
/// The prompts Soothe adds from the shape of the session (the side switch, "Last step.", the
/// closing words) have no slot: a routine file has no field to point them at a recording, so they
/// stay spoken by the voice.
public struct PromptSlot: Equatable, Sendable {
    /// Which prompt of which step: today every step has at most one, so `index` is 0.
    public struct Key: Hashable, Sendable {
        public var stepID: String
        public var index: Int

        public init(stepID: String, index: Int = 0) {
            self.stepID = stepID
            self.index = index
        }
    }

    public var key: Key
    public var stepTitle: String
    /// The words to read.
    public var text: String
    /// The sides the step is done on, empty for a step outside an each-side block.
    public var sides: [Side]

    public init(key: Key, stepTitle: String, text: String, sides: [Side] = []) {
        self.key = key
        self.stepTitle = stepTitle
        self.text = text
        self.sides = sides
    }

    /// A file name for a recording of this prompt, unique in the routine, led by its place in the
    /// routine (from 1) so that a folder listing is in playing order: `03-thumb-circles.flac`.
    public func recordingFileName(position: Int, fileExtension: String) -> String {
        let number = position < 10 ? "0\(position)" : String(position)
        let suffix = key.index > 0 ? "-\(key.index + 1)" : ""
        return "\(number)-\(key.stepID)\(suffix).\(fileExtension)"
    }
}

extension Routine {
    /// Every prompt a person can record, in the order the routine is written.
    public var promptSlots: [PromptSlot] {
        var slots: [PromptSlot] = []
        func add(_ step: RoutineStep, sides: [Side]) {
            guard let say = step.say else { return }
            slots.append(
                PromptSlot(key: PromptSlot.Key(stepID: step.id), stepTitle: step.title, text: say, sides: sides))
        }
        for item in items {
            switch item {
            case .step(let step): add(step, sides: [])
            case .eachSide(let block): block.steps.forEach { add($0, sides: block.sides) }
            }
        }
        return slots
    }

    /// A copy whose prompts in `recordings` are spoken from those files (`say-audio`); their text
    /// stays as a transcript. Every other prompt is left as it is.
    public func withRecordings(_ recordings: [PromptSlot.Key: String]) -> Routine {
        func recorded(_ step: RoutineStep) -> RoutineStep {
            guard let path = recordings[PromptSlot.Key(stepID: step.id)] else { return step }
            var step = step
            step.sayAudio = path
            return step
        }
        var routine = self
        routine.items = items.map { item in
            switch item {
            case .step(let step):
                return .step(recorded(step))
            case .eachSide(var block):
                block.steps = block.steps.map(recorded)
                return .eachSide(block)
            }
        }
        return routine
    }

    /// A copy whose recordings are absolute paths, resolved from `directory`, so that the copy
    /// finds them wherever it is written.
    public func withAbsoluteRecordingPaths(from directory: String) -> Routine {
        func absolute(_ step: RoutineStep) -> RoutineStep {
            guard let path = step.sayAudio, !path.hasPrefix("/") else { return step }
            var step = step
            step.sayAudio = directory.hasSuffix("/") ? directory + path : "\(directory)/\(path)"
            return step
        }
        var routine = self
        routine.items = items.map { item in
            switch item {
            case .step(let step):
                return .step(absolute(step))
            case .eachSide(var block):
                block.steps = block.steps.map(absolute)
                return .eachSide(block)
            }
        }
        return routine
    }
}
