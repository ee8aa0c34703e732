import Sequencer

/// One audio output device as PortAudio lists it.
///
/// Wraps a `PaDeviceIndex`; the index is valid for the `AudioSystem` that listed it.
public struct OutputDevice: Equatable, Sendable, Codable {
    /// PortAudio's device index.
    public var index: Int
    public var name: String
    /// The host API the device belongs to, such as "ALSA" or "JACK Audio Connection Kit".
    public var hostAPIName: String
    public var maxOutputChannels: Int
    public var defaultSampleRate: Double
    /// PortAudio's latency for robust, non-interactive playback, in seconds.
    public var defaultHighOutputLatency: Double
    /// Whether PortAudio names this device its default output.
    public var isDefault: Bool

    public init(
        index: Int, name: String, hostAPIName: String, maxOutputChannels: Int, defaultSampleRate: Double,
        defaultHighOutputLatency: Double, isDefault: Bool
    ) {
        self.index = index
        self.name = name
        self.hostAPIName = hostAPIName
        self.maxOutputChannels = maxOutputChannels
        self.defaultSampleRate = defaultSampleRate
        self.defaultHighOutputLatency = defaultHighOutputLatency
        self.isDefault = isDefault
    }

    /// The ALSA devices to use, best first, when the user names none: the sound servers' own
    /// devices mix with other programs and follow the desktop's choice of output, and `default`
    /// is what the system configured; raw hardware devices come last.
    public static let preferredALSANames = ["pipewire", "pulse", "default"]

    /// The device to play on when the user names none; `nil` when there is no output device.
    public static func preferred(among devices: [OutputDevice]) -> OutputDevice? {
        for name in preferredALSANames {
            if let device = devices.first(where: { $0.hostAPIName == "ALSA" && $0.name == name }) { return device }
        }
        return devices.first(where: \.isDefault) ?? devices.first
    }

    /// The device a `--device` value names: an index, or a case-insensitive part of a name (an
    /// exact name wins over a partial one, then the first match).
    public static func matching(_ request: String, among devices: [OutputDevice]) throws(PlaybackError)
        -> OutputDevice
    {
        let trimmed = request.trimmingWhitespace()
        if let index = Int(trimmed), let device = devices.first(where: { $0.index == index }) { return device }
        let wanted = trimmed.lowercased()
        if !wanted.isEmpty {
            if let exact = devices.first(where: { $0.name.lowercased() == wanted }) { return exact }
            if let partial = devices.first(where: { $0.name.lowercased().contains(wanted) }) { return partial }
        }
        throw .unknownDevice(request: request, devices: devices)
    }

    /// One line of `soothe devices`: index, default mark, name, host API, channels and rate.
    public var listingLine: String {
        let mark = isDefault ? "*" : " "
        let rate =
            defaultSampleRate == defaultSampleRate.rounded()
            ? String(Int(defaultSampleRate)) : String(defaultSampleRate)
        return
            "\(mark) \(String(index).leftPadded(to: 3))  \(name)  (\(hostAPIName), \(maxOutputChannels) ch, \(rate) Hz)"
    }
}
