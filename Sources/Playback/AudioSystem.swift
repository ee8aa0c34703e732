/// PortAudio, initialised for the life of this object, with its device list.
///
/// ALSA, JACK and PortAudio itself print diagnostics on stderr (missing cards, no JACK server,
/// failed expressions); unless `isVerbose`, stderr points at /dev/null for as long as PortAudio
/// is initialised and ALSA's error handler drops its messages, so that the user sees only
/// Soothe. Soothe's own status line goes to the real stderr through `statusDescriptor`.
public final class AudioSystem {
    public let isVerbose: Bool
    /// Every device that can play at least two channels.
    public let outputDevices: [OutputDevice]
    /// Every device that can record at least one channel.
    public let inputDevices: [InputDevice]
    private let silencer: StandardErrorSilencer?

    public init(isVerbose: Bool = false) throws(PlaybackError) {
        self.isVerbose = isVerbose
        if !isVerbose { system_snd_lib_error_set_quiet(true) }
        let silencer = isVerbose ? nil : StandardErrorSilencer()
        self.silencer = silencer
        let result = system_Pa_Initialize()
        guard result == portAudioNoError else {
            silencer?.restore()
            throw .portAudio(PortAudioError(code: result, action: "could not start the audio system"))
        }
        let count = max(0, system_Pa_GetDeviceCount())
        let defaultIndex = system_Pa_GetDefaultOutputDevice()
        let defaultInputIndex = system_Pa_GetDefaultInputDevice()
        var devices: [OutputDevice] = []
        var inputs: [InputDevice] = []
        for index in 0..<count {
            guard let info = system_Pa_GetDeviceInfo(index) else { continue }
            if info.maxInputChannels >= 1 {
                inputs.append(
                    InputDevice(
                        index: Int(index), name: info.name, hostAPIName: info.hostAPIName,
                        maxInputChannels: info.maxInputChannels,
                        defaultHighInputLatency: info.defaultHighInputLatencySeconds,
                        isDefault: index == defaultInputIndex))
            }
            guard info.maxOutputChannels >= 2 else { continue }
            devices.append(
                OutputDevice(
                    index: Int(index), name: info.name, hostAPIName: info.hostAPIName,
                    maxOutputChannels: info.maxOutputChannels, defaultSampleRate: info.defaultSampleRate,
                    defaultHighOutputLatency: info.defaultHighOutputLatencySeconds, isDefault: index == defaultIndex))
        }
        outputDevices = devices
        inputDevices = inputs
    }

    deinit {
        system_Pa_Terminate()
        silencer?.restore()
    }

    /// Where Soothe's own messages go while PortAudio runs: the real stderr.
    var statusDescriptor: Int32 { silencer?.savedDescriptor ?? 2 }

    /// The device for a `--device` value, or the preferred one for `nil`.
    public func device(named request: String?) throws(PlaybackError) -> OutputDevice {
        guard !outputDevices.isEmpty else { throw .noOutputDevice }
        guard let request else { return OutputDevice.preferred(among: outputDevices)! }
        return try OutputDevice.matching(request, among: outputDevices)
    }

    /// The input device for a `--device` value, or the preferred one for `nil`.
    public func inputDevice(named request: String?) throws(PlaybackError) -> InputDevice {
        guard !inputDevices.isEmpty else { throw .noInputDevice }
        guard let request else { return InputDevice.preferred(among: inputDevices)! }
        return try InputDevice.matching(request, among: inputDevices)
    }
}
