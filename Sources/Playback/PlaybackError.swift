/// A PortAudio failure, told as what Soothe was doing and what PortAudio said.
///
/// "could not open output device 'pulse': Invalid sample rate"
public struct PortAudioError: Error, CustomStringConvertible, Sendable {
    /// PortAudio's error code (`PaError`).
    public var code: Int32
    /// What was being done, such as "could not open output device 'pulse'".
    public var action: String

    init(code: Int32, action: String) {
        self.code = code
        self.action = action
    }

    public var description: String { "\(action): \(system_Pa_GetErrorText(code))" }
}

/// Why playback could not start or go on, each case with a message that says what to do.
public enum PlaybackError: Error, CustomStringConvertible, Sendable {
    /// No output device at all.
    case noOutputDevice
    /// `--device` matched nothing; the message lists the devices.
    case unknownDevice(request: String, devices: [OutputDevice])
    /// No input device at all, for recording.
    case noInputDevice
    /// `--device` matched no input device; the message lists them.
    case unknownInputDevice(request: String, devices: [InputDevice])
    /// The input device lost sound or stopped while recording a take.
    case inputFailed(device: String, reason: String)
    /// The device stopped taking audio in the middle of a session.
    case deviceFailed(device: String, reason: String)
    /// A PortAudio call failed.
    case portAudio(PortAudioError)

    public var description: String {
        switch self {
        case .noOutputDevice:
            return "no audio output device found; to listen elsewhere, write the session to a file with `soothe export`"
        case .noInputDevice:
            return "no audio input device found; connect a microphone (or headset) and try again, "
                + "or record the prompts elsewhere and point the routine's say-audio at the files"
        case .unknownInputDevice(let request, let devices):
            let list = devices.map { "  \($0.index)  \($0.name) (\($0.hostAPIName))" }.joined(separator: "\n")
            return "there is no input device '\(request)'; choose an index or part of a name:\n\(list)"
        case .unknownDevice(let request, let devices):
            let list = devices.map { "  \($0.index)  \($0.name) (\($0.hostAPIName))" }.joined(separator: "\n")
            return "there is no output device '\(request)'; choose an index or part of a name:\n\(list)"
        case .inputFailed(let device, let reason):
            return "the input device '\(device)' failed while recording: \(reason)"
        case .deviceFailed(let device, let reason):
            return "the output device '\(device)' stopped playing (\(reason)); the session was stopped"
        case .portAudio(let error):
            return error.description
        }
    }
}
