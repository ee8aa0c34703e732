/// One prompt of a routine as written, which a person can record in their own voice: a step's
/// `say`, or an item of its `say:` list. A step inside an each-side block has one slot per prompt,
/// since its words are the same for both sides.
///
/// The prompts Soothe adds from the shape of the session (the side switch, "Last step.", the
/// closing words) have no slot: a routine file has no field to point them at a recording, so they
/// stay spoken by the voice.
public struct PromptSlot: Equatable, Sendable {
    /// Which prompt of which step: `index` 0 is the step's opening prompt (its `say`, or the item
    /// of its `say:` list at the start), and `index` k its k-th prompt said later in the step.
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
    /// Where in its step it is said: `.time(.zero)` for the opening prompt.
    public var position: StepPosition

    public init(key: Key, stepTitle: String, text: String, sides: [Side] = [], position: StepPosition = .time(.zero)) {
        self.key = key
        self.stepTitle = stepTitle
        self.text = text
        self.sides = sides
        self.position = position
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
    /// Every prompt a person can record (every prompt with words to read), in the order the
    /// routine is written.
    public var promptSlots: [PromptSlot] {
        var slots: [PromptSlot] = []
        func add(_ step: RoutineStep, sides: [Side]) {
            if let say = step.say {
                slots.append(
                    PromptSlot(key: PromptSlot.Key(stepID: step.id), stepTitle: step.title, text: say, sides: sides))
            }
            for (offset, prompt) in step.laterPrompts.enumerated() {
                guard let text = prompt.text else { continue }
                slots.append(
                    PromptSlot(
                        key: PromptSlot.Key(stepID: step.id, index: offset + 1), stepTitle: step.title, text: text,
                        sides: sides, position: prompt.position))
            }
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
        mappingRecordings { stepID, index, path in recordings[PromptSlot.Key(stepID: stepID, index: index)] ?? path }
    }

    /// A copy whose recordings are absolute paths, resolved from `directory`, so that the copy
    /// finds them wherever it is written.
    public func withAbsoluteRecordingPaths(from directory: String) -> Routine {
        mappingRecordings { _, _, path in
            guard let path, !path.hasPrefix("/") else { return path }
            return directory.hasSuffix("/") ? directory + path : "\(directory)/\(path)"
        }
    }

    /// A copy with every prompt's recording replaced by `transform(stepID, slotIndex, recording)`.
    private func mappingRecordings(_ transform: (String, Int, String?) -> String?) -> Routine {
        func mapped(_ step: RoutineStep) -> RoutineStep {
            var step = step
            step.sayAudio = transform(step.id, 0, step.sayAudio)
            for offset in step.laterPrompts.indices {
                step.laterPrompts[offset].sayAudio = transform(step.id, offset + 1, step.laterPrompts[offset].sayAudio)
            }
            return step
        }
        var routine = self
        routine.items = items.map { item in
            switch item {
            case .step(let step):
                return .step(mapped(step))
            case .eachSide(var block):
                block.steps = block.steps.map(mapped)
                return .eachSide(block)
            }
        }
        return routine
    }
}
