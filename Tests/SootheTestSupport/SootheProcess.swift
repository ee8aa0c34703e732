public import Foundation

/// The `soothe` executable built beside the test bundle, run as a user would run it, for the
/// tests of every module that check a command end to end.
public enum SootheProcess {
    public struct Result: Sendable {
        public var status: Int32
        public var standardOutput: String
        public var standardError: String
    }

    public static var executableURL: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appending(path: "soothe")
    }

    public static var executablePath: String { executableURL.path }

    /// Runs `executable` (by default `soothe`) with `arguments` and no standard input, and
    /// returns its status and what it printed. Spoken prompts are cached in a directory of the
    /// test run's own, never the user's, unless `environment` says otherwise.
    public static func run(
        _ arguments: [String], executable: URL = executableURL, directory: String? = nil,
        environment: [String: String] = [:]
    ) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let cache = FileManager.default.temporaryDirectory.appending(path: "soothe-test-cache-\(getpid())").path
        process.environment = ProcessInfo.processInfo.environment.merging(["XDG_CACHE_HOME": cache]) { $1 }
            .merging(environment) { $1 }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes before waiting, so a full pipe cannot stall the child.
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self))
    }
}
