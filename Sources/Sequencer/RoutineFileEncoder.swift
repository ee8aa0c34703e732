import Yams

/// Writes a routine as a YAML routine file that `RoutineFileDecoder` reads back to the same routine.
///
/// Fields are written in the order the built-in routine files use, and a field that holds its
/// default is written anyway where that helps a person editing the file (a side block's switch),
/// or left out where the decoder refuses it empty (a description). The text is emitted by Yams, so
/// that a title such as `yes` or `1:30` is quoted and read back as text.
public enum RoutineFileEncoder {
    /// The YAML text of `routine`. Recordings (`say-audio`) are written as they are held: a path
    /// relative to the folder the file will be written in, or an absolute one.
    public static func yaml(for routine: Routine) throws(RoutineError) -> String {
        var fields: [(String, Node)] = [("name", text(routine.name)), ("title", text(routine.title))]
        if !routine.description.isEmpty { fields.append(("description", text(routine.description))) }
        fields.append(("bed", bed(routine.bed)))
        if let rate = routine.speechRatePerMinute { fields.append(("speech-rate", number(rate))) }
        if let lastStepSay = routine.lastStepSay { fields.append(("last-step-say", text(lastStepSay))) }
        if let closeSay = routine.closeSay { fields.append(("close-say", text(closeSay))) }
        if let sleepTail = routine.sleepTail { fields.append(("sleep-tail", duration(sleepTail))) }
        fields.append(("steps", .sequence(Node.Sequence(routine.items.map(item)))))
        do {
            return try Yams.serialize(node: mapping(fields), width: -1, allowUnicode: true)
        } catch {
            throw RoutineError(.unreadableFile, "could not be written as YAML: \(error)")
        }
    }

    /// The bed; a file is written as it is held, like a recording, and its level and the tones
    /// only with it.
    private static func bed(_ bed: BedSettings) -> Node {
        var fields: [(String, Node)] = [
            ("key", text(bed.key.rawValue)), ("noise", text(bed.noise.rawValue)),
            ("noise-level", number(bed.noiseLevelDecibels)),
        ]
        if let file = bed.file {
            fields.append(("file", text(file)))
            fields.append(("level", number(bed.fileLevelDecibels)))
            fields.append(("tones", text(bed.playsTones ? "on" : "off")))
        }
        return mapping(fields)
    }

    private static func item(_ item: RoutineItem) -> Node {
        switch item {
        case .step(let step):
            return self.step(step)
        case .eachSide(let block):
            let sides = Node.Sequence(block.sides.map { text($0.rawValue) }, .implicit, .flow)
            return mapping([
                ("each-side", .sequence(sides)), ("switch-duration", duration(block.switchDuration)),
                ("switch-say", text(block.switchSay)), ("steps", .sequence(Node.Sequence(block.steps.map(step)))),
            ])
        }
    }

    private static func step(_ step: RoutineStep) -> Node {
        var fields: [(String, Node)] = [
            ("id", text(step.id)), ("title", text(step.title)), ("duration", duration(step.duration)),
        ]
        if step.isHold { fields.append(("hold", Node("true"))) }
        if let tempo = step.tempoPerMinute { fields.append(("tempo", number(tempo))) }
        if step.laterPrompts.isEmpty {
            if let say = step.say { fields.append(("say", text(say))) }
            if let recording = step.sayAudio { fields.append(("say-audio", text(recording))) }
        } else {
            // A `say:` list: the opening words are its item at the start of the step.
            var prompts: [Node] = []
            if step.say != nil || step.sayAudio != nil {
                prompts.append(prompt(TimedPrompt(position: .time(.zero), text: step.say, sayAudio: step.sayAudio)))
            }
            prompts += step.laterPrompts.map(prompt)
            fields.append(("say", .sequence(Node.Sequence(prompts))))
        }
        switch step.bells {
        case nil:
            break
        case .every(let interval):
            fields.append(("bells", mapping([("every", duration(interval))], style: .flow)))
        case .at(let positions):
            fields.append(("bells", .sequence(Node.Sequence(positions.map { text($0.description) }, .implicit, .flow))))
        }
        return mapping(fields)
    }

    private static func prompt(_ prompt: TimedPrompt) -> Node {
        var fields: [(String, Node)] = [("at", text(prompt.position.description))]
        if let words = prompt.text { fields.append(("text", text(words))) }
        if let recording = prompt.sayAudio { fields.append(("say-audio", text(recording))) }
        return mapping(fields)
    }

    private static func duration(_ duration: SessionDuration) -> Node {
        text(duration.writtenForm)
    }

    /// Text that a plain scalar would turn into something else (`null`, `yes`, `12`) is quoted,
    /// so that the decoder reads it back as the same text.
    private static func text(_ string: String) -> Node {
        let isReadAsText = Node(string).tag == Tag(.str)
        return Node(string, .implicit, isReadAsText ? .any : .doubleQuoted)
    }

    /// A number as plain YAML: whole numbers without a decimal point.
    private static func number(_ value: Double) -> Node {
        let text = value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        return Node(text)
    }

    private static func mapping(_ pairs: [(String, Node)], style: Node.Mapping.Style = .any) -> Node {
        .mapping(Node.Mapping(pairs.map { (text($0.0), $0.1) }, .implicit, style))
    }
}
