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
        DeviceChoice.preferred(among: devices)
    }

    /// The device a `--device` value names: an index, or a case-insensitive part of a name (an
    /// exact name wins over a partial one, then the first match).
    public static func matching(_ request: String, among devices: [OutputDevice]) throws(PlaybackError)
        -> OutputDevice
    {
        guard let device = DeviceChoice.matching(request, among: devices) else {
            throw .unknownDevice(request: request, devices: devices)
        }
        return device
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

/// One audio input device as PortAudio lists it, for recording takes.
///
/// Wraps a `PaDeviceIndex`; the index is valid for the `AudioSystem` that listed it.
public struct InputDevice: Equatable, Sendable {
    /// PortAudio's device index.
    public var index: Int
    public var name: String
    /// The host API the device belongs to, such as "ALSA".
    public var hostAPIName: String
    public var maxInputChannels: Int
    /// PortAudio's latency for robust, non-interactive capture, in seconds.
    public var defaultHighInputLatency: Double
    /// Whether PortAudio names this device its default input.
    public var isDefault: Bool

    /// One line of `soothe devices --input`: index, default mark, name, host API and channels.
    public var listingLine: String {
        "\(isDefault ? "*" : " ") \(String(index).leftPadded(to: 3))  \(name)  (\(hostAPIName), \(maxInputChannels) ch in)"
    }

    /// The device to record from when the user names none, chosen as for output; `nil` when
    /// there is no input device.
    public static func preferred(among devices: [InputDevice]) -> InputDevice? {
        DeviceChoice.preferred(among: devices)
    }

    /// The device a `--device` value names, matched as for output.
    public static func matching(_ request: String, among devices: [InputDevice]) throws(PlaybackError)
        -> InputDevice
    {
        guard let device = DeviceChoice.matching(request, among: devices) else {
            throw .unknownInputDevice(request: request, devices: devices)
        }
        return device
    }
}

/// What choosing a device needs to know of it, the same for output and input.
protocol ListedDevice {
    var index: Int { get }
    var name: String { get }
    var hostAPIName: String { get }
    var isDefault: Bool { get }
}

extension OutputDevice: ListedDevice {}
extension InputDevice: ListedDevice {}

/// How a device is chosen, for output and input alike.
enum DeviceChoice {
    /// The sound servers' ALSA devices first (`OutputDevice.preferredALSANames`), then PortAudio's
    /// default, then the first.
    static func preferred<Device: ListedDevice>(among devices: [Device]) -> Device? {
        for name in OutputDevice.preferredALSANames {
            if let device = devices.first(where: { $0.hostAPIName == "ALSA" && $0.name == name }) { return device }
        }
        return devices.first(where: \.isDefault) ?? devices.first
    }

    /// An index, or a case-insensitive part of a name (an exact name wins over a partial one, then
    /// the first match); `nil` when nothing matches.
    static func matching<Device: ListedDevice>(_ request: String, among devices: [Device]) -> Device? {
        let trimmed = request.trimmingWhitespace()
        if let index = Int(trimmed), let device = devices.first(where: { $0.index == index }) { return device }
        let wanted = trimmed.lowercased()
        guard !wanted.isEmpty else { return nil }
        return devices.first(where: { $0.name.lowercased() == wanted })
            ?? devices.first(where: { $0.name.lowercased().contains(wanted) })
    }
}
