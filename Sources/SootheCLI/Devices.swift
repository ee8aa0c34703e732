import ArgumentParser
import Foundation
import Playback
import Termination

struct Devices: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the audio output devices; * marks the one `play` uses unless --device says otherwise.")

    @Flag(help: "Print the devices as JSON.")
    var json = false

    @Flag(help: "List the input devices, for `soothe record --device`, instead.")
    var input = false

    @Flag(help: "Let the audio libraries print their own diagnostics.")
    var verbose = false

    struct Entry: Encodable {
        var index: Int
        var name: String
        var hostAPI: String
        var maxOutputChannels: Int
        var defaultSampleRate: Double
        var isDefault: Bool
    }

    struct InputEntry: Encodable {
        var index: Int
        var name: String
        var hostAPI: String
        var maxInputChannels: Int
        var isDefault: Bool
    }

    func run() throws {
        if input { return try listInputs() }
        // The audio system keeps stderr quiet while it lives, so it lives only in `listing()`,
        // and a missing device is reported once it is gone.
        let (devices, preferred) = try PlaybackFailure.reporting { () throws(PlaybackError) in try listing() }
        if json {
            let entries = devices.map {
                Entry(
                    index: $0.index, name: $0.name, hostAPI: $0.hostAPIName, maxOutputChannels: $0.maxOutputChannels,
                    defaultSampleRate: $0.defaultSampleRate, isDefault: $0 == preferred)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            StandardOutput.print(entries.isEmpty ? "[]" : String(decoding: try encoder.encode(entries), as: UTF8.self))
            return
        }
        guard !devices.isEmpty else {
            throw PlaybackFailure.reporting(.noOutputDevice)
        }
        for device in devices {
            var line = device.listingLine
            line.replaceSubrange(line.startIndex...line.startIndex, with: device == preferred ? "*" : " ")
            StandardOutput.print(line)
        }
    }

    /// Like the outputs: * marks the device `record` uses unless --device says otherwise.
    private func listInputs() throws {
        let (devices, preferred) = try PlaybackFailure.reporting { () throws(PlaybackError) in
            let system = try AudioSystem(isVerbose: verbose)
            return (system.inputDevices, InputDevice.preferred(among: system.inputDevices))
        }
        if json {
            let entries = devices.map {
                InputEntry(
                    index: $0.index, name: $0.name, hostAPI: $0.hostAPIName, maxInputChannels: $0.maxInputChannels,
                    isDefault: $0 == preferred)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            StandardOutput.print(entries.isEmpty ? "[]" : String(decoding: try encoder.encode(entries), as: UTF8.self))
            return
        }
        guard !devices.isEmpty else { throw PlaybackFailure.reporting(.noInputDevice) }
        for device in devices {
            var line = device.listingLine
            line.replaceSubrange(line.startIndex...line.startIndex, with: device == preferred ? "*" : " ")
            StandardOutput.print(line)
        }
    }

    private func listing() throws(PlaybackError) -> ([OutputDevice], OutputDevice?) {
        let system = try AudioSystem(isVerbose: verbose)
        return (system.outputDevices, OutputDevice.preferred(among: system.outputDevices))
    }
}

/// Turns a playback error into its one-line message on stderr and the exit status that fits it:
/// 69 (EX_UNAVAILABLE) when there is no device, 64 (EX_USAGE) for an unknown one, 74 (EX_IOERR)
/// when the device fails.
enum PlaybackFailure {
    static func reporting<Result>(_ body: () throws(PlaybackError) -> Result) throws -> Result {
        do {
            return try body()
        } catch {
            throw reporting(error)
        }
    }

    static func reporting(_ error: PlaybackError) -> ExitCode {
        FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
        switch error {
        case .noOutputDevice, .noInputDevice: return ExitCode(69)
        case .unknownDevice, .unknownInputDevice: return ExitCode(64)
        case .deviceFailed, .inputFailed: return ExitCode(74)
        case .portAudio: return ExitCode(69)
        }
    }
}
