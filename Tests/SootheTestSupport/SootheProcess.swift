public import Foundation

/// The `soothe` executable built beside the test bundle, run as a user would run it, for the
/// tests of every module that check a command end to end.
public enum SootheProcess {
    public struct Result: Sendable {
        public var status: Int32
        /// What the process wrote on standard output, as bytes (audio from `-o -`, say).
        public var standardOutputData: Data
        public var standardError: String

        public var standardOutput: String { String(decoding: standardOutputData, as: UTF8.self) }
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
        // Both pipes are read at once, each on its own thread, so that a child that fills one
        // while the other is being read cannot block either side.
        let errorReader = PipeReader(error.fileHandleForReading)
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errorReader.waitForAll()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, standardOutputData: outputData,
            standardError: String(decoding: errorData, as: UTF8.self))
    }
}

/// Reads a pipe to its end on a thread of its own.
private final class PipeReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
        thread.start()
    }

    /// Waits for the end of the pipe and returns everything read.
    func waitForAll() -> Data {
        done.wait()
        return data
    }
}
