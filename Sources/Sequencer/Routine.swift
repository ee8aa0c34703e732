/// A named list of massage steps, some of them done once per side.
public struct Routine: Equatable, Sendable {
    /// The short kebab-case name used on the command line, such as `bedtime-foot`.
    public var name: String
    /// The title spoken of and shown to people, such as "Bedtime foot massage".
    public var title: String
    /// One sentence on what the routine is for.
    public var description: String
    /// The sound of the tone bed under the session.
    public var bed: BedSettings
    /// The steps and per-side blocks in order.
    public var items: [RoutineItem]
    /// The lead-in spoken before the last step's own prompt, or `nil` for the default.
    public var lastStepSay: String?
    /// The words that close the session near the end of the last step, or `nil` for the default.
    public var closeSay: String?
    /// How long the tone bed goes on after the last step, fading to silence, unless the command
    /// line says otherwise; `nil` for none.
    public var sleepTail: SessionDuration?
    /// The pace of its prompts in words per minute (`speech-rate:`), unless the command line
    /// gives one; `nil` for the default. Speech checks the range it can speak.
    public var speechRatePerMinute: Double?
    /// The file it was read from, as the user named it; `nil` for a built-in routine. Faults of
    /// the file's own making name it.
    public var sourceFile: String?

    /// The most characters a prompt (or any text to speak or read) may have: about 170 words, two
    /// minutes of speech at the slowest pace. Longer text is not a cue but a lecture, and takes
    /// the speech engines seconds and hundreds of megabytes.
    public static let maximumPromptLength = 1000
    /// How long a prompt of `maximumPromptLength` takes to say, for messages.
    public static let maximumPromptDescription = "about two minutes of speech"
    /// The most characters of a name, title or other one-line text.
    public static let maximumLabelLength = 200
    /// The most steps in one list of a routine.
    public static let maximumStepCount = 500

    public init(
        name: String, title: String, description: String = "", bed: BedSettings = BedSettings(),
        items: [RoutineItem], lastStepSay: String? = nil, closeSay: String? = nil, sleepTail: SessionDuration? = nil
    ) {
        self.name = name
        self.title = title
        self.description = description
        self.bed = bed
        self.items = items
        self.lastStepSay = lastStepSay
        self.closeSay = closeSay
        self.sleepTail = sleepTail
    }
}

extension Routine {
    /// A copy with a pace of its own.
    public func withSpeechRate(_ wordsPerMinute: Double?) -> Routine {
        var routine = self
        routine.speechRatePerMinute = wordsPerMinute
        return routine
    }
}

/// One entry of a routine: a single step, or a block of steps done once for each side.
public enum RoutineItem: Equatable, Sendable {
    case step(RoutineStep)
    case eachSide(SideBlock)
}

/// One step of a routine as written, before sides are expanded.
public struct RoutineStep: Equatable, Sendable {
    /// Kebab-case and unique within the routine, such as `thumb-circles`.
    public var id: String
    public var title: String
    public var duration: SessionDuration
    /// The spoken prompt, or `nil` for a step that starts with its chime alone.
    public var say: String?
    /// The path of the user's recording spoken instead of `say` (`say-audio:` in a routine file,
    /// resolved against the file's folder).
    public var sayAudio: String?
    /// In live play, wait for the user before moving on.
    public var isHold: Bool
    /// A quiet pulse that paces strokes, in pulses per minute.
    public var tempoPerMinute: Double?
    /// The prompts said later in the step, in order, after the opening `say` or `sayAudio` (the
    /// items of a `say:` list after the one at the start).
    public var laterPrompts: [TimedPrompt]
    /// Soft bells rung inside the step, or `nil` for none.
    public var bells: StepBells?

    public init(
        id: String, title: String, duration: SessionDuration, say: String? = nil, isHold: Bool = false,
        tempoPerMinute: Double? = nil, sayAudio: String? = nil, laterPrompts: [TimedPrompt] = [],
        bells: StepBells? = nil
    ) {
        self.id = id
        self.title = title
        self.duration = duration
        self.say = say
        self.sayAudio = sayAudio
        self.isHold = isHold
        self.tempoPerMinute = tempoPerMinute
        self.laterPrompts = laterPrompts
        self.bells = bells
    }

    /// The range a tempo may take, in pulses per minute.
    public static let tempoRange: ClosedRange<Double> = 10...180
}

/// A block of steps done once for each side, with a short switch step between the sides.
public struct SideBlock: Equatable, Sendable {
    /// The sides in the order they are done, such as right then left.
    public var sides: [Side]
    public var steps: [RoutineStep]
    /// How long the user has to change sides.
    public var switchDuration: SessionDuration
    /// The prompt at the switch; `{side}` stands for the side that comes next.
    public var switchSay: String

    public static let defaultSwitchDuration = SessionDuration(seconds: 15)
    public static let defaultSwitchSay = "Gently change sides. Now the {side} side."

    public init(
        sides: [Side], steps: [RoutineStep], switchDuration: SessionDuration = defaultSwitchDuration,
        switchSay: String = defaultSwitchSay
    ) {
        self.sides = sides
        self.steps = steps
        self.switchDuration = switchDuration
        self.switchSay = switchSay
    }
}

/// A side of the body.
public enum Side: String, CaseIterable, Equatable, Sendable, Codable {
    case left, right
}

/// The sound of the tone bed: its key and the surf-like noise under it, and the user's own
/// sound file under or instead of it.
public struct BedSettings: Equatable, Sendable {
    /// The key of the pad.
    public var key: NoteName
    public var noise: NoiseKind
    /// The level of the noise relative to the pad, in dB.
    public var noiseLevelDecibels: Double
    /// The user's own sound, looped under the session (`file:`); a path relative to the routine
    /// file's folder is resolved when the routine is read.
    public var file: String?
    /// The file's level in dB (`level:`): at 0 it sits where the tone bed sits against the voice.
    public var fileLevelDecibels: Double
    /// Whether the tone bed (pad and noise) plays (`tones:`); off leaves only the file.
    public var playsTones: Bool

    public static let noiseLevelRange: ClosedRange<Double> = -60...0
    public static let defaultFileLevelDecibels = 0.0
    public static let fileLevelRange: ClosedRange<Double> = -30...12
    public static var keyNames: [String] { NoteName.allCases.map(\.rawValue) }

    public init(
        key: NoteName = .d, noise: NoiseKind = .brown, noiseLevelDecibels: Double = -18, file: String? = nil,
        fileLevelDecibels: Double = defaultFileLevelDecibels, playsTones: Bool = true
    ) {
        self.key = key
        self.noise = noise
        self.noiseLevelDecibels = noiseLevelDecibels
        self.file = file
        self.fileLevelDecibels = fileLevelDecibels
        self.playsTones = playsTones
    }

    /// The key as semitones above C.
    public var keySemitonesAboveC: Int { key.semitonesAboveC }

    /// Why tones are off with no file to play instead, or `nil` when the bed makes sound.
    public var silentBedProblem: String? {
        playsTones || file != nil ? nil : "with the tones off the bed needs a file of its own to play"
    }
}

/// A note name for the bed's key, with its sharp and flat spellings.
public enum NoteName: String, CaseIterable, Equatable, Sendable {
    case c = "C"
    case cSharp = "C#"
    case dFlat = "Db"
    case d = "D"
    case dSharp = "D#"
    case eFlat = "Eb"
    case e = "E"
    case f = "F"
    case fSharp = "F#"
    case gFlat = "Gb"
    case g = "G"
    case gSharp = "G#"
    case aFlat = "Ab"
    case a = "A"
    case aSharp = "A#"
    case bFlat = "Bb"
    case b = "B"

    /// Semitones above C, 0 to 11.
    public var semitonesAboveC: Int {
        switch self {
        case .c: 0
        case .cSharp, .dFlat: 1
        case .d: 2
        case .dSharp, .eFlat: 3
        case .e: 4
        case .f: 5
        case .fSharp, .gFlat: 6
        case .g: 7
        case .gSharp, .aFlat: 8
        case .a: 9
        case .aSharp, .bFlat: 10
        case .b: 11
        }
    }
}

/// The colour of the noise in the tone bed.
public enum NoiseKind: String, CaseIterable, Equatable, Sendable {
    case none, pink, brown
}
