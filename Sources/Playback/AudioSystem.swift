/// PortAudio, initialised for the life of this object, with its device list.
///
/// ALSA and JACK print diagnostics on stderr while PortAudio probes them (missing cards, no JACK
/// server); unless `isVerbose`, stderr is pointed at /dev/null while that happens and ALSA's
/// error handler drops its messages for the rest of the run, so that the user sees only Soothe.
public final class AudioSystem {
    public let isVerbose: Bool
    /// Every device that can play at least two channels.
    public let outputDevices: [OutputDevice]

    public init(isVerbose: Bool = false) throws(PlaybackError) {
        self.isVerbose = isVerbose
        if !isVerbose { system_snd_lib_error_set_quiet(true) }
        let silencer = isVerbose ? nil : StandardErrorSilencer()
        defer { silencer?.restore() }
        let result = system_Pa_Initialize()
        guard result == portAudioNoError else {
            throw .portAudio(PortAudioError(code: result, action: "could not start the audio system"))
        }
        let count = max(0, system_Pa_GetDeviceCount())
        let defaultIndex = system_Pa_GetDefaultOutputDevice()
        var devices: [OutputDevice] = []
        for index in 0..<count {
            guard let info = system_Pa_GetDeviceInfo(index), info.maxOutputChannels >= 2 else { continue }
            devices.append(
                OutputDevice(
                    index: Int(index), name: info.name, hostAPIName: info.hostAPIName,
                    maxOutputChannels: info.maxOutputChannels, defaultSampleRate: info.defaultSampleRate,
                    defaultHighOutputLatency: info.defaultHighOutputLatencySeconds, isDefault: index == defaultIndex))
        }
        outputDevices = devices
    }

    deinit {
        let silencer = isVerbose ? nil : StandardErrorSilencer()
        system_Pa_Terminate()
        silencer?.restore()
    }

    /// The device for a `--device` value, or the preferred one for `nil`.
    public func device(named request: String?) throws(PlaybackError) -> OutputDevice {
        guard !outputDevices.isEmpty else { throw .noOutputDevice }
        guard let request else { return OutputDevice.preferred(among: outputDevices)! }
        return try OutputDevice.matching(request, among: outputDevices)
    }

    /// Runs `body` with stderr pointed at /dev/null unless verbose: opening a device wakes ALSA
    /// plugins and JACK, which talk there.
    func quietly<Result>(_ body: () throws(PlaybackError) -> Result) throws(PlaybackError) -> Result {
        let silencer = isVerbose ? nil : StandardErrorSilencer()
        defer { silencer?.restore() }
        return try body()
    }
}
