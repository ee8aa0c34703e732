/// A prompt as `soothe show` reports it, once it has been spoken and placed.
public struct PromptReport: Equatable, Sendable {
    /// The index into `SessionTimeline.steps`.
    public var stepIndex: Int
    public var kind: PromptKind
    public var text: String
    /// When the prompt starts, from the start of the session.
    public var startSeconds: Double
    /// How long it is spoken for.
    public var spokenSeconds: Double
    /// The user's recording, when the prompt is one.
    public var recordingPath: String?
    /// The index into its step's `laterPrompts`, for a later prompt of a `say:` list.
    public var laterPromptIndex: Int?

    public init(
        stepIndex: Int, kind: PromptKind, text: String, startSeconds: Double, spokenSeconds: Double,
        recordingPath: String? = nil, laterPromptIndex: Int? = nil
    ) {
        self.stepIndex = stepIndex
        self.kind = kind
        self.text = text
        self.startSeconds = startSeconds
        self.spokenSeconds = spokenSeconds
        self.recordingPath = recordingPath
        self.laterPromptIndex = laterPromptIndex
    }
}
