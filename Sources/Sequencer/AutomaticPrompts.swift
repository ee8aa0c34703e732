/// The prompts of a session: each step's own words, plus the ones Soothe adds from the shape of the
/// timeline (the side switch, the last step and the close), so no routine has to write them.
extension Routine {
    /// Said before the last step's own prompt, so a listener knows the session is nearly over.
    public static let defaultLastStepSay = "Last step."
    /// Said near the end of the last step, before the final fade.
    public static let defaultCloseSay = "That's the end of the session. Rest as long as you like."
}

/// Why a prompt is spoken.
public enum PromptKind: String, CaseIterable, Equatable, Sendable, Codable {
    /// A step's own `say`.
    case step
    /// The prompt of the generated step between the sides of an each-side block.
    case sideSwitch = "side-switch"
    /// The last step's prompt, led in by the routine's `last-step-say`.
    case lastStep = "last-step"
    /// The routine's `close-say`, near the end of the last step.
    case close
}

/// Where a prompt sits in its step.
public enum PromptAnchor: Equatable, Sendable {
    /// It starts `PromptTiming.leadIn` after the step's first frame, just after its chime.
    case afterChime
    /// It ends `PromptTiming.closeMargin` before the step's last frame, before the final fade.
    case beforeStepEnd
    /// It starts on this frame of the session (an item of a `say:` list), or just after the
    /// step's chime, `PromptTiming.leadIn` after it, if that is later.
    case atFrame(Int64)
}

/// The spacing of prompts inside their steps.
public enum PromptTiming {
    /// From a step's chime to the start of its prompt.
    public static let leadIn = SessionDuration(seconds: 0.8)
    /// The least quiet time left after a prompt before its step ends.
    public static let tail = SessionDuration(seconds: 1)
    /// The least pause between two prompts of one step.
    public static let gap = SessionDuration(seconds: 1.5)
    /// From the end of the closing words to the end of the session: the final fade (15 s) and a
    /// breath before it, so the words are never faded.
    public static let closeMargin = SessionDuration(seconds: 15.5)
    /// How long after the session's first frame its start chime strikes: the bed fades in from
    /// silence first, which also gives a Bluetooth sink time to wake. The first prompt follows
    /// the chime by `leadIn`.
    public static let startChimeDelay = SessionDuration(seconds: 1.75)
}

/// A prompt to be spoken: which step it belongs to, why, what it says and where it sits.
public struct PlannedPrompt: Equatable, Sendable {
    /// The index into `SessionTimeline.steps`.
    public var stepIndex: Int
    public var kind: PromptKind
    /// What is said; for a recording, its `say` as a transcript (empty when none).
    public var text: String
    public var anchor: PromptAnchor
    /// The user's recording spoken instead of synthesised text.
    public var recordingPath: String?
    /// Where the routine places it, for a later prompt of a `say:` list; `nil` otherwise.
    public var position: StepPosition?
    /// The index into the step's `laterPrompts`, for a later prompt; `nil` otherwise.
    public var laterPromptIndex: Int?

    public init(
        stepIndex: Int, kind: PromptKind, text: String, anchor: PromptAnchor, recordingPath: String? = nil,
        position: StepPosition? = nil, laterPromptIndex: Int? = nil
    ) {
        self.stepIndex = stepIndex
        self.kind = kind
        self.text = text
        self.anchor = anchor
        self.recordingPath = recordingPath
        self.position = position
        self.laterPromptIndex = laterPromptIndex
    }
}

extension SessionTimeline {
    /// Every prompt of the session in playing order.
    ///
    /// Each step with a `say` has one prompt after its chime (the side switch's comes from the
    /// block's `switch-say`), and then the later prompts of a `say:` list at their frames. The last step's prompt is led in by `lastStepSay` (or is only that,
    /// when the step has no `say`), unless the session has a single step; and `closeSay` ends the
    /// last step. A step with a recording (`say-audio`) has the recording instead, the last step's
    /// too: the user's own words are not led in by a synthesised voice.
    public var plannedPrompts: [PlannedPrompt] {
        var prompts: [PlannedPrompt] = []
        let lastIndex = steps.count - 1
        for (index, step) in steps.enumerated() {
            if let recording = step.sayAudio {
                let kind: PromptKind =
                    index == lastIndex && steps.count > 1 ? .lastStep : step.isSideSwitch ? .sideSwitch : .step
                prompts.append(
                    PlannedPrompt(
                        stepIndex: index, kind: kind, text: step.say ?? "", anchor: .afterChime,
                        recordingPath: recording))
            } else if index == lastIndex && steps.count > 1 {
                let text = [lastStepSay, step.say].compactMap { $0 }.joined(separator: " ")
                prompts.append(PlannedPrompt(stepIndex: index, kind: .lastStep, text: text, anchor: .afterChime))
            } else if let say = step.say {
                let kind: PromptKind = step.isSideSwitch ? .sideSwitch : .step
                prompts.append(PlannedPrompt(stepIndex: index, kind: kind, text: say, anchor: .afterChime))
            }
            for (laterIndex, later) in step.laterPrompts.enumerated() {
                prompts.append(
                    PlannedPrompt(
                        stepIndex: index, kind: .step, text: later.text ?? "", anchor: .atFrame(later.startFrame),
                        recordingPath: later.sayAudio, position: later.position,
                        laterPromptIndex: laterIndex))
            }
        }
        prompts.append(PlannedPrompt(stepIndex: lastIndex, kind: .close, text: closeSay, anchor: .beforeStepEnd))
        return prompts
    }
}
