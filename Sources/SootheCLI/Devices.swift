import ArgumentParser
import Foundation
import Playback

struct Devices: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the audio output devices; * marks the one `play` uses unless --device says otherwise.")

    @Flag(help: "Print the devices as JSON.")
    var json = false

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

    func run() throws {
        let system = try PlaybackFailure.reporting { () throws(PlaybackError) in try AudioSystem(isVerbose: verbose) }
        let preferred = OutputDevice.preferred(among: system.outputDevices)
        if json {
            guard !system.outputDevices.isEmpty else {
                print("[]")
                return
            }
            let entries = system.outputDevices.map {
                Entry(
                    index: $0.index, name: $0.name, hostAPI: $0.hostAPIName, maxOutputChannels: $0.maxOutputChannels,
                    defaultSampleRate: $0.defaultSampleRate, isDefault: $0 == preferred)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(entries), as: UTF8.self))
            return
        }
        guard !system.outputDevices.isEmpty else {
            throw PlaybackFailure.reporting(.noOutputDevice)
        }
        for device in system.outputDevices {
            var line = device.listingLine
            line.replaceSubrange(line.startIndex...line.startIndex, with: device == preferred ? "*" : " ")
            print(line)
        }
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
        case .noOutputDevice: return ExitCode(69)
        case .unknownDevice: return ExitCode(64)
        case .deviceFailed: return ExitCode(74)
        case .portAudio: return ExitCode(69)
        }
    }
}
