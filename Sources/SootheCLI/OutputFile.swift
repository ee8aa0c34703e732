import ArgumentParser
import Foundation

/// Writing a file the user named: all of it or nothing, with a message that says what to change.
enum OutputFile {
    /// Writes `data` to a temporary file beside `path`, then renames it into place, so a failed
    /// write never leaves a partial file and an existing file is replaced whole.
    static func write(_ data: Data, toPath path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        if path.hasSuffix("/")
            || FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        {
            throw ValidationError(
                "'\(path)' is a directory; give the name of a file to write, such as \(url.appending(path: "timeline.svg").path)"
            )
        }
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw ValidationError(
                "cannot write '\(path)': the directory '\(directory)' does not exist; create it first")
        }
        do {
            try data.write(to: url, options: [.atomic])
        } catch {
            throw ValidationError("cannot write '\(path)'; check that '\(directory)' is writable")
        }
    }
}
