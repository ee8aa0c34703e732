import Foundation
import Yams

/// Reads a routine from YAML or JSON text, with the file, line and column of every problem.
///
/// Text fields are checked as they are read: no control characters, and at most
/// `Routine.maximumPromptLength` or `Routine.maximumLabelLength` characters.
///
/// JSON is read through the same YAML parser, since JSON's syntax is YAML's flow style, so both
/// kinds of file get the same line-numbered messages.
struct RoutineFileDecoder {
    /// The file name shown in messages.
    var fileName: String
    /// The folder that `say-audio` paths are relative to.
    var directory: String

    static let routineFields = [
        "name", "title", "description", "bed", "last-step-say", "close-say", "sleep-tail", "speech-rate", "steps",
    ]
    static let stepFields = ["id", "title", "duration", "say", "say-audio", "hold", "tempo", "bells"]
    static let promptFields = ["at", "text", "say-audio"]
    static let bellFields = ["every"]
    static let blockFields = ["each-side", "steps", "switch-duration", "switch-say"]
    static let bedFields = ["key", "noise", "noise-level", "file", "level", "tones"]

    /// Where JSON text was rewritten for the YAML parser, so that positions in messages are those
    /// of the file as written.
    private var columnShifts = JSONForYAML.ColumnShifts()

    init(fileName: String, directory: String = ".") {
        self.fileName = fileName
        self.directory = directory
    }

    func decode(_ text: String, defaultName: String, isJSON: Bool) throws(RoutineError) -> Routine {
        var decoder = self
        return try decoder.decodeRoutine(text, defaultName: defaultName, isJSON: isJSON)
    }

    private mutating func decodeRoutine(_ text: String, defaultName: String, isJSON: Bool) throws(RoutineError)
        -> Routine
    {
        var yamlText = text
        if isJSON {
            let prepared = JSONForYAML(text)
            yamlText = prepared.yamlText
            columnShifts = prepared.columnShifts
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: yamlText)
        } catch let error as YamlError {
            throw syntaxError(error)
        } catch {
            throw RoutineError(.syntax, "could not be read: \(error)", at: SourceLocation(file: fileName))
        }
        guard let root, root.null == nil else {
            throw RoutineError(
                .emptyRoutine, "the file holds no routine; it needs at least a title and a list of steps",
                at: SourceLocation(file: fileName))
        }
        let fields = try mapping(root, context: "the routine", what: "a mapping with title and steps")
        try checkFields(fields, allowed: Self.routineFields, context: "the routine")
        let name = try string(fields, "name", context: "the routine") ?? defaultName
        // The name chooses the default export file, so it is never a path.
        guard Self.isKebabCase(name), name.count <= Routine.maximumLabelLength else {
            let problem =
                "the routine's name '\(name)' is not a name; a name is kebab-case: lowercase letters "
                + "and digits joined by single hyphens, such as my-routine, at most \(Routine.maximumLabelLength) "
                + "characters"
            throw RoutineError(
                .invalidValue, problem, at: fields["name"].map(location(of:)) ?? SourceLocation(file: fileName))
        }
        guard let title = try string(fields, "title", context: "the routine") else {
            throw missing("title", context: "the routine", in: root)
        }
        let description = try string(fields, "description", context: "the routine", kind: .prose) ?? ""
        let bed = try fields["bed"].map { node throws(RoutineError) in try bedSettings(node) } ?? BedSettings()
        guard let stepsNode = fields["steps"] else { throw missing("steps", context: "the routine", in: root) }
        let items = try routineItems(stepsNode, context: "the routine", allowsBlocks: true)
        let lastStepSay = try string(fields, "last-step-say", context: "the routine", kind: .prose)
        let closeSay = try string(fields, "close-say", context: "the routine", kind: .prose)
        var sleepTail: SessionDuration?
        if let tailNode = fields["sleep-tail"], tailNode.null == nil {
            let duration = try duration(tailNode, field: "sleep-tail", context: "the routine")
            guard duration >= SessionTimeline.minimumSleepTailDuration else {
                throw RoutineError(
                    .invalidDuration,
                    "'sleep-tail' of the routine: " + SessionTimeline.sleepTailTooShortMessage(duration),
                    at: location(of: tailNode))
            }
            sleepTail = duration
        }
        var speechRate: Double?
        if let rateNode = fields["speech-rate"] {
            guard let text = rateNode.scalar?.string, let value = Double(text), value.isFinite, value > 0 else {
                throw wrongType(
                    "speech-rate", of: "the routine", expected: "a pace in words per minute, such as 120",
                    node: rateNode)
            }
            speechRate = value
        }
        let routine = Routine(
            name: name, title: title, description: description, bed: bed, items: items, lastStepSay: lastStepSay,
            closeSay: closeSay, sleepTail: sleepTail
        ).withSpeechRate(speechRate)
        try checkUniqueIDs(routine, stepsNode: stepsNode)
        return routine
    }

    // MARK: Parts of a routine

    private func routineItems(_ node: Node, context: String, allowsBlocks: Bool) throws(RoutineError)
        -> [RoutineItem]
    {
        guard case .sequence(let sequence) = node else {
            throw wrongType("steps", of: context, expected: "a list of steps", node: node)
        }
        guard !sequence.isEmpty else {
            let message =
                allowsBlocks
                ? "the routine has no steps; add at least one step with id, title and duration"
                : "\(context) has no steps; an each-side block needs at least one step"
            throw RoutineError(.emptyRoutine, message, at: location(of: node))
        }
        guard sequence.count <= Routine.maximumStepCount else {
            throw RoutineError(
                .invalidValue,
                "\(context) has \(sequence.count) steps; a routine has at most \(Routine.maximumStepCount)",
                at: location(of: node))
        }
        var items: [RoutineItem] = []
        for (offset, itemNode) in sequence.enumerated() {
            let label = "step \(offset + 1)"
            let fields = try mapping(itemNode, context: label, what: "a mapping with id, title and duration")
            if fields["each-side"] != nil {
                guard allowsBlocks else {
                    throw RoutineError(
                        .invalidValue, "each-side blocks cannot be nested inside another each-side block",
                        at: location(of: itemNode))
                }
                items.append(.eachSide(try sideBlock(itemNode, fields: fields, label: "each-side block \(offset + 1)")))
            } else {
                items.append(.step(try step(itemNode, fields: fields, label: label)))
            }
        }
        return items
    }

    private func step(_ node: Node, fields: Node.Mapping, label: String) throws(RoutineError) -> RoutineStep {
        var context = label
        guard let id = try string(fields, "id", context: context) else {
            throw missing("id", context: context, in: node)
        }
        guard Self.isKebabCase(id) else {
            throw RoutineError(
                .invalidValue,
                "\(context) has the id '\(id)'; an id is kebab-case: lowercase letters and digits joined by "
                    + "single hyphens, such as thumb-circles",
                at: location(of: fields["id"]!))
        }
        context = "step '\(id)'"
        try checkFields(fields, allowed: Self.stepFields, context: context)
        guard let title = try string(fields, "title", context: context) else {
            throw missing("title", context: context, in: node)
        }
        guard let durationNode = fields["duration"] else { throw missing("duration", context: context, in: node) }
        let duration = try duration(durationNode, field: "duration", context: context)
        guard duration >= SessionTimeline.minimumStepDuration else {
            throw RoutineError(
                .stepTooShort,
                "\(context) lasts only \(duration); every step lasts at least "
                    + "\(SessionTimeline.minimumStepDuration.seconds.plainText) s",
                at: location(of: durationNode))
        }
        var say: String?
        var sayAudio: String?
        var laterPrompts: [TimedPrompt] = []
        if let sayNode = fields["say"], case .sequence = sayNode {
            if let audioNode = fields["say-audio"] {
                throw RoutineError(
                    .invalidValue,
                    "\(context) has both a list of prompts under 'say' and a 'say-audio'; give each item of the "
                        + "list its own say-audio",
                    at: location(of: audioNode))
            }
            let prompts = try promptList(sayNode, duration: duration, context: context)
            if let first = prompts.first, first.position.offset(inStepOf: duration) == .zero {
                say = first.text
                sayAudio = first.sayAudio
                laterPrompts = Array(prompts.dropFirst())
            } else {
                laterPrompts = prompts
            }
        } else {
            if let sayNode = fields["say"], case .mapping = sayNode {
                throw wrongType(
                    "say", of: context, expected: "text, or a list of prompts each with at and text", node: sayNode)
            }
            say = try string(fields, "say", context: context, kind: .prose)
            sayAudio = try audioPath(fields, context: context)
        }
        let bells = try fields["bells"].map { node throws(RoutineError) in
            try stepBells(node, duration: duration, context: context)
        }
        var isHold = false
        if let holdNode = fields["hold"] {
            guard let value = holdNode.bool else {
                throw wrongType("hold", of: context, expected: "true or false", node: holdNode)
            }
            isHold = value
        }
        if isHold, let node = bells != nil ? fields["bells"] : laterPrompts.isEmpty ? nil : fields["say"] {
            // Live play repeats the second half of a hold step while it waits, so a later prompt or
            // a bell there would be said or rung again and again.
            throw RoutineError(
                .invalidValue,
                "\(context) is a hold step, whose last seconds repeat while it waits; it takes one prompt and "
                    + "no bells, so give it a plain say (and no bells) or drop hold",
                at: location(of: node))
        }
        var tempo: Double?
        if let tempoNode = fields["tempo"] {
            let range = RoutineStep.tempoRange
            guard let text = tempoNode.scalar?.string, let value = Double(text), range.contains(value) else {
                throw wrongType(
                    "tempo", of: context,
                    expected: "a number of pulses per minute from \(Int(range.lowerBound)) to \(Int(range.upperBound))",
                    node: tempoNode)
            }
            tempo = value
        }
        return RoutineStep(
            id: id, title: title, duration: duration, say: say, isHold: isHold, tempoPerMinute: tempo,
            sayAudio: sayAudio, laterPrompts: laterPrompts, bells: bells)
    }

    /// The `say-audio` of `fields`, found beside the routine file wherever soothe is run from.
    private func audioPath(_ fields: Node.Mapping, context: String) throws(RoutineError) -> String? {
        guard let path = try string(fields, "say-audio", context: context, kind: .path) else { return nil }
        return path.hasPrefix("/") ? path : (directory as NSString).appendingPathComponent(path)
    }

    /// A `say:` list: timed prompts, each inside the step and after the one before it.
    private func promptList(_ node: Node, duration: SessionDuration, context: String) throws(RoutineError)
        -> [TimedPrompt]
    {
        guard case .sequence(let items) = node else { preconditionFailure("called with a list") }
        guard !items.isEmpty else {
            throw RoutineError(
                .invalidValue,
                "'say' of \(context) is an empty list; give text, or a list of prompts each with at and text",
                at: location(of: node))
        }
        guard items.count <= Routine.maximumStepCount else {
            throw RoutineError(
                .invalidValue,
                "'say' of \(context) lists \(items.count) prompts; a step has at most \(Routine.maximumStepCount)",
                at: location(of: node))
        }
        var prompts: [TimedPrompt] = []
        var earlier: (label: String, position: StepPosition, offset: SessionDuration)?
        for (index, item) in items.enumerated() {
            let label = "prompt \(index + 1) of \(context)"
            let fields = try mapping(item, context: label, what: "a mapping with at and text (or say-audio)")
            try checkFields(fields, allowed: Self.promptFields, context: label)
            guard let atNode = fields["at"] else { throw missing("at", context: label, in: item) }
            let position = try stepPosition(atNode, field: "at", context: label)
            let offset = position.offset(inStepOf: duration)
            guard offset < duration else {
                throw RoutineError(
                    .invalidValue,
                    "\(label) is at \(position), but the step lasts only \(duration); a prompt starts inside its "
                        + "step, so place it earlier or lengthen the step",
                    at: location(of: atNode))
            }
            if let earlier, offset <= earlier.offset {
                let relation = offset == earlier.offset ? "at the same time as" : "before"
                throw RoutineError(
                    .invalidValue,
                    "\(label) is at \(position) (\(offset.seconds.secondsText) in), \(relation) \(earlier.label) "
                        + "at \(earlier.position) (\(earlier.offset.seconds.secondsText) in); list the prompts in "
                        + "the order they are said, each later than the one before",
                    at: location(of: atNode))
            }
            let text = try string(fields, "text", context: label, kind: .prose)
            let sayAudio = try audioPath(fields, context: label)
            guard text != nil || sayAudio != nil else {
                throw RoutineError(
                    .missingField, "\(label) has no 'text' or 'say-audio'; a prompt says something",
                    at: location(of: item))
            }
            prompts.append(TimedPrompt(position: position, text: text, sayAudio: sayAudio))
            earlier = ("prompt \(index + 1)", position, offset)
        }
        return prompts
    }

    /// `bells: {every: 30s}` or `bells: [50%, 1m]`, each bell clear of the step's chimes.
    private func stepBells(_ node: Node, duration: SessionDuration, context: String) throws(RoutineError)
        -> StepBells
    {
        let window =
            "bells ring from \(BellTiming.leadIn.seconds.plainText) s after the step starts to "
            + "\(BellTiming.endMargin.seconds.plainText) s before it ends, clear of the chimes between steps"
        switch node {
        case .mapping(let fields):
            try checkFields(fields, allowed: Self.bellFields, context: "the bells of \(context)")
            guard let everyNode = fields["every"] else {
                throw missing("every", context: "the bells of \(context)", in: node)
            }
            let interval = try self.duration(everyNode, field: "every", context: "the bells of \(context)")
            guard interval >= BellTiming.minimumInterval else {
                throw RoutineError(
                    .invalidValue,
                    "the bells of \(context) ring every \(interval.writtenForm); bells ring at least "
                        + "\(BellTiming.minimumInterval.seconds.plainText) s apart (for a steady pulse, use tempo)",
                    at: location(of: everyNode))
            }
            let bells = StepBells.every(interval)
            guard !bells.offsets(inStepOf: duration).isEmpty else {
                throw RoutineError(
                    .invalidValue,
                    "the bells of \(context) ring every \(interval.writtenForm), which rings none in a step of "
                        + "\(duration); \(window)",
                    at: location(of: everyNode))
            }
            return bells
        case .sequence(let items):
            guard !items.isEmpty else {
                throw RoutineError(
                    .invalidValue, "'bells' of \(context) is an empty list; give positions such as [50%, 1m]",
                    at: location(of: node))
            }
            guard items.count <= Routine.maximumStepCount else {
                throw RoutineError(
                    .invalidValue,
                    "'bells' of \(context) lists \(items.count) bells; a step has at most \(Routine.maximumStepCount)",
                    at: location(of: node))
            }
            var positions: [StepPosition] = []
            var offsets: [SessionDuration] = []
            for item in items {
                let position = try stepPosition(item, field: "bells", context: context)
                let offset = position.offset(inStepOf: duration)
                guard offset >= BellTiming.leadIn && offset <= duration - BellTiming.endMargin else {
                    throw RoutineError(
                        .invalidValue,
                        "the bell at \(position) of \(context) would ring \(offset.seconds.secondsText) into a step "
                            + "of \(duration); \(window)",
                        at: location(of: item))
                }
                guard !offsets.contains(offset) else {
                    throw RoutineError(
                        .invalidValue,
                        "the bell at \(position) of \(context) rings at the same time as another; list each bell once",
                        at: location(of: item))
                }
                positions.append(position)
                offsets.append(offset)
            }
            return .at(positions)
        default:
            throw wrongType(
                "bells", of: context, expected: "a mapping such as {every: 30s} or a list such as [50%, 1m]",
                node: node)
        }
    }

    private func stepPosition(_ node: Node, field: String, context: String) throws(RoutineError) -> StepPosition {
        guard case .scalar(let scalar) = node, let position = StepPosition(parsing: scalar.string) else {
            throw wrongType(field, of: context, expected: StepPosition.syntaxHelp, node: node)
        }
        return position
    }

    private func sideBlock(_ node: Node, fields: Node.Mapping, label: String) throws(RoutineError) -> SideBlock {
        try checkFields(fields, allowed: Self.blockFields, context: label)
        let sidesNode = fields["each-side"]!
        let validSides = Side.allCases.map(\.rawValue).joinedAsList()
        guard case .sequence(let sideNodes) = sidesNode else {
            throw wrongType("each-side", of: label, expected: "a list of sides such as [right, left]", node: sidesNode)
        }
        guard !sideNodes.isEmpty else {
            throw RoutineError(
                .invalidValue, "\(label) lists no sides; give one or both of \(validSides), such as [right, left]",
                at: location(of: sidesNode))
        }
        var sides: [Side] = []
        for sideNode in sideNodes {
            guard let text = sideNode.scalar?.string, let side = Side(rawValue: text) else {
                throw RoutineError(
                    .invalidSide,
                    "\(label) has the side '\(sideNode.scalar?.string ?? "(not a name)")'; sides are \(validSides)",
                    at: location(of: sideNode))
            }
            guard !sides.contains(side) else {
                throw RoutineError(
                    .invalidSide, "\(label) lists the side '\(side.rawValue)' twice; each side is done once",
                    at: location(of: sideNode))
            }
            sides.append(side)
        }
        guard let stepsNode = fields["steps"] else { throw missing("steps", context: label, in: node) }
        let steps = try routineItems(stepsNode, context: label, allowsBlocks: false).map { item in
            guard case .step(let step) = item else { preconditionFailure("blocks do not nest") }
            return step
        }
        var block = SideBlock(sides: sides, steps: steps)
        if let switchNode = fields["switch-duration"] {
            block.switchDuration = try duration(switchNode, field: "switch-duration", context: label)
            guard block.switchDuration >= SessionTimeline.minimumStepDuration else {
                throw RoutineError(
                    .stepTooShort,
                    "the side switch of \(label) lasts only \(block.switchDuration); every step lasts at least "
                        + "\(SessionTimeline.minimumStepDuration.seconds.plainText) s",
                    at: location(of: switchNode))
            }
        }
        if let switchSay = try string(fields, "switch-say", context: label, kind: .prose) {
            block.switchSay = switchSay
        }
        return block
    }

    private func bedSettings(_ node: Node) throws(RoutineError) -> BedSettings {
        let context = "the bed"
        let fields = try mapping(
            node, context: context, what: "a mapping with key, noise, noise-level, file, level and tones")
        try checkFields(fields, allowed: Self.bedFields, context: context)
        var bed = BedSettings()
        if let keyText = try string(fields, "key", context: context) {
            guard let key = NoteName(rawValue: keyText) else {
                throw RoutineError(
                    .invalidValue,
                    "the bed's key '\(keyText)' is not a note name; valid keys are \(BedSettings.keyNames.joinedAsList())",
                    at: location(of: fields["key"]!))
            }
            bed.key = key
        }
        if let noiseText = try string(fields, "noise", context: context) {
            guard let noise = NoiseKind(rawValue: noiseText) else {
                throw RoutineError(
                    .invalidValue,
                    "the bed's noise '\(noiseText)' is not known; valid kinds are "
                        + NoiseKind.allCases.map(\.rawValue).joinedAsList(),
                    at: location(of: fields["noise"]!))
            }
            bed.noise = noise
        }
        if let level = try decibels(fields, "noise-level", in: BedSettings.noiseLevelRange, context: context) {
            bed.noiseLevelDecibels = level
        }
        try backgroundFile(fields, context: context, into: &bed)
        return bed
    }

    /// A level in dB (`-12` or `-12 dB`) inside `range`, or `nil` when the field is absent.
    private func decibels(_ fields: Node.Mapping, _ field: String, in range: ClosedRange<Double>, context: String)
        throws(RoutineError) -> Double?
    {
        guard let node = fields[field] else { return nil }
        let text = node.scalar?.string.replacingOccurrencesOfDecibelSuffix()
        guard let text, let level = Double(text), range.contains(level) else {
            throw wrongType(
                field, of: context,
                expected: "a level in dB from \(Int(range.lowerBound)) to \(Int(range.upperBound))", node: node)
        }
        return level
    }

    /// The user's own sound: `file:` (relative to the routine file's folder, as `say-audio:`),
    /// `level:` in dB and `tones:` on or off.
    private func backgroundFile(_ fields: Node.Mapping, context: String, into bed: inout BedSettings)
        throws(RoutineError)
    {
        if let path = try string(fields, "file", context: context, kind: .path) {
            bed.file = path.hasPrefix("/") ? path : (directory as NSString).appendingPathComponent(path)
        }
        if let level = try decibels(fields, "level", in: BedSettings.fileLevelRange, context: context) {
            bed.fileLevelDecibels = level
        }
        if let tonesNode = fields["tones"] {
            switch tonesNode.scalar?.string.lowercased() {
            case "on", "true", "yes": bed.playsTones = true
            case "off", "false", "no": bed.playsTones = false
            default: throw wrongType("tones", of: context, expected: "on or off", node: tonesNode)
            }
        }
        if let problem = bed.silentBedProblem {
            throw RoutineError(
                .invalidValue, "\(problem); add file: with a sound file, or set tones: on",
                at: location(of: fields["tones"] ?? fields.values.first!))
        }
    }

    private func checkUniqueIDs(_ routine: Routine, stepsNode: Node) throws(RoutineError) {
        var seen: Set<String> = []
        for id in routine.writtenStepIDs + routine.switchStepIDs {
            guard seen.insert(id).inserted else {
                throw RoutineError(
                    .duplicateStepID,
                    "the step id '\(id)' is used more than once; every step needs its own id",
                    at: locationOfID(id, in: stepsNode) ?? location(of: stepsNode))
            }
        }
    }

    /// The place of the second use of `id`, or of its only use.
    private func locationOfID(_ id: String, in stepsNode: Node) -> SourceLocation? {
        var found: [SourceLocation] = []
        func visit(_ node: Node) {
            switch node {
            case .sequence(let sequence): sequence.forEach(visit)
            case .mapping(let mapping):
                if let idNode = mapping["id"], idNode.scalar?.string == id { found.append(location(of: idNode)) }
                if let nested = mapping["steps"] { visit(nested) }
            default: break
            }
        }
        visit(stepsNode)
        return found.dropFirst().first ?? found.first
    }

    // MARK: Fields

    private func mapping(_ node: Node, context: String, what: String) throws(RoutineError) -> Node.Mapping {
        guard case .mapping(let mapping) = node else {
            throw RoutineError(.wrongType, "\(context) must be \(what), not \(describe(node))", at: location(of: node))
        }
        return mapping
    }

    private func checkFields(_ fields: Node.Mapping, allowed: [String], context: String) throws(RoutineError) {
        for key in fields.keys {
            guard let name = key.scalar?.string, allowed.contains(name) else {
                throw RoutineError(
                    .unknownField,
                    "\(context) has an unknown field '\(key.scalar?.string ?? describe(key))'; valid fields are "
                        + allowed.joinedAsList(),
                    at: location(of: key))
            }
        }
    }

    /// What a text field holds, which decides what it may contain.
    enum TextKind {
        /// One line shown in tables and the status line: a name, a title, a key.
        case label
        /// A file's path, relative to the routine file or absolute: one line, as long as a path may be.
        case path
        /// Words to speak or read: line breaks and tabs, as YAML block scalars write them, become
        /// spaces.
        case prose

        var maximumLength: Int {
            switch self {
            case .label: Routine.maximumLabelLength
            case .path: Int(PATH_MAX)
            case .prose: Routine.maximumPromptLength
            }
        }
    }

    /// A text field, trimmed, or `nil` when it is absent. Control characters are refused, so that
    /// text from a file never drives the terminal it is shown on.
    private func string(_ fields: Node.Mapping, _ field: String, context: String, kind: TextKind = .label)
        throws(RoutineError) -> String?
    {
        guard let node = fields[field], node.null == nil else { return nil }
        guard case .scalar(let scalar) = node else {
            throw wrongType(field, of: context, expected: "text", node: node)
        }
        var text = scalar.string.trimmingWhitespace()
        if kind == .prose { text = text.foldingLineBreaks() }
        guard !text.isEmpty else {
            throw RoutineError(.invalidValue, "'\(field)' of \(context) is empty", at: location(of: node))
        }
        if let control = text.unicodeScalars.first(where: \.isControlCharacter) {
            let rule =
                kind == .prose
                ? "text to speak or read is printable characters, with spaces, tabs or line breaks between words"
                : kind == .path
                    ? "a path is one line of printable characters"
                    : "a name, title or key is one line of printable characters"
            throw RoutineError(
                .invalidValue,
                "'\(field)' of \(context) holds the control character \(control.codePointName); \(rule)",
                at: location(of: node))
        }
        let length = text.count
        guard length <= kind.maximumLength else {
            let what =
                kind == .prose
                ? "spoken or read text is at most \(Routine.maximumPromptLength) characters "
                    + "(\(Routine.maximumPromptDescription)); shorten it or spread it over more steps"
                : "it is at most \(kind.maximumLength) characters"
            throw RoutineError(
                .invalidValue, "'\(field)' of \(context) is \(length) characters long; \(what)", at: location(of: node))
        }
        return text
    }

    private func duration(_ node: Node, field: String, context: String) throws(RoutineError) -> SessionDuration {
        guard case .scalar(let scalar) = node else {
            throw wrongType(field, of: context, expected: SessionDuration.syntaxHelp, node: node)
        }
        do {
            return try SessionDuration(parsing: scalar.string)
        } catch {
            throw RoutineError(.invalidDuration, "'\(field)' of \(context): \(error)", at: location(of: node))
        }
    }

    // MARK: Messages

    private func missing(_ field: String, context: String, in node: Node) -> RoutineError {
        RoutineError(.missingField, "\(context) has no '\(field)'", at: location(of: node))
    }

    private func wrongType(_ field: String, of context: String, expected: String, node: Node) -> RoutineError {
        RoutineError(
            .wrongType, "'\(field)' of \(context) must be \(expected), not \(describe(node))", at: location(of: node))
    }

    private func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return "'\(scalar.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    private func location(of node: Node) -> SourceLocation {
        location(line: node.mark?.line, column: node.mark?.column)
    }

    private func location(line: Int?, column: Int?) -> SourceLocation {
        guard let line, let column else { return SourceLocation(file: fileName, line: line, column: column) }
        return SourceLocation(file: fileName, line: line, column: columnShifts.originalColumn(column, line: line))
    }

    private func syntaxError(_ error: YamlError) -> RoutineError {
        func make(_ problem: String, _ mark: Mark?, _ context: YamlError.Context?) -> RoutineError {
            let detail = context.map { " \($0.text)" } ?? ""
            return RoutineError(
                .syntax, "syntax error: \(problem)\(detail)",
                at: location(line: mark?.line, column: mark?.column))
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return make(problem, mark, context)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joinedAsList()
            return RoutineError(
                .syntax, "the key \(keys) appears more than once in one mapping",
                at: location(line: context.mark.line, column: context.mark.column))
        case .reader(let problem, _, _, _):
            return make(problem, nil, nil)
        default:
            return RoutineError(.syntax, "could not be read: \(error)", at: SourceLocation(file: fileName))
        }
    }

    static func isKebabCase(_ text: String) -> Bool {
        guard let first = text.first, let last = text.last, first != "-", last != "-" else { return false }
        guard !text.contains("--") else { return false }
        return text.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
    }
}

extension String {
    /// Tabs and line breaks as single spaces.
    fileprivate func foldingLineBreaks() -> String {
        let breaks: Set<Unicode.Scalar> = ["\t", "\n", "\r", "\u{0B}", "\u{0C}", "\u{85}"]
        guard unicodeScalars.contains(where: breaks.contains) else { return self }
        var folded = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            if breaks.contains(scalar) {
                if folded.last != " " { folded.append(" ") }
            } else {
                folded.append(scalar)
            }
        }
        return String(folded)
    }

    /// `-18 dB` or `-18dB` as `-18`.
    fileprivate func replacingOccurrencesOfDecibelSuffix() -> String {
        var text = trimmingWhitespace()
        if text.lowercased().hasSuffix("db") { text.removeLast(2) }
        return text.trimmingWhitespace()
    }
}
