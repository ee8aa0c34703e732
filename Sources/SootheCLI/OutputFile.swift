import ArgumentParser
import Export
import Foundation

/// A command that could not do what it was asked, with what to change.
struct CommandError: Error, CustomStringConvertible {
    var description: String
    /// 73 when the output cannot be created, 64 when the option naming it is wrong.
    var exitStatus: Int32

    init(_ description: String, exitStatus: Int32 = 73) {
        self.description = description
        self.exitStatus = exitStatus
    }
}

/// Writing a file the user named: all of it or nothing, with a message that says what to change.
enum OutputFile {
    /// Writes `data` to a temporary file beside `path`, then renames it into place (Export's
    /// `SafeFileWriter`), so a failed or interrupted write never leaves a partial file and an
    /// existing file is replaced whole. Only regular files are ever replaced; a failure exits with
    /// 73 (cannot create), 74 (an I/O error) or 130 (a signal).
    ///
    /// An existing file is replaced only when it is of the kind `replacing` names, so a slip of
    /// the keyboard cannot turn a routine file into a picture; with `nil`, never.
    static func write(_ data: Data, toPath path: String, example: String, replacing: ReplaceableKind? = nil) throws {
        try check(path, example: example, replacing: replacing)
        do {
            try SafeFileWriter.write(Array(data), to: path, overwrites: replacing != nil)
        } catch {
            FileHandle.standardError.write(Data("Error: \(error.message)\n".utf8))
            throw ExitCode(ExportCommand.exitStatus(for: error.kind))
        }
    }

    /// Refuses an empty name, `-`, a directory, a missing directory, and an existing file that is
    /// not a regular one of the kind `replacing` names.
    private static func check(_ path: String, example: String, replacing: ReplaceableKind?) throws(CommandError) {
        guard !path.isEmpty else {
            throw CommandError(
                "the file name is empty; give the path of the file to write, such as \(example)", exitStatus: 64)
        }
        guard path != "-" else {
            throw CommandError(
                "'-' names standard output, not a file; give a file name such as \(example)", exitStatus: 64)
        }
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        if path.hasSuffix("/")
            || FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        {
            throw CommandError(
                "'\(path)' is a directory; give the name of a file to write in it, such as "
                    + url.appending(path: example).path)
        }
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw CommandError(
                "cannot write '\(path)': the directory '\(directory)' does not exist; create it first")
        }
        // Not followed: a link, a device or a pipe is never opened here, let alone replaced.
        if let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType {
            guard type == .typeRegular else {
                throw CommandError(
                    "'\(path)' is not a regular file (a link, device, pipe or socket), so it is kept; choose "
                        + "another name")
            }
            let start = FileHandle(forReadingAtPath: path).flatMap { try? $0.read(upToCount: 256) } ?? Data()
            guard let replacing else {
                throw CommandError("'\(path)' already exists; choose another name or remove it first")
            }
            guard replacing.matches(start) else {
                throw CommandError(
                    "'\(path)' already exists and is not \(replacing.name), so it is kept; choose another name or "
                        + "remove it first")
            }
        }
    }

    /// A kind of file that may be replaced by a new one of its kind.
    enum ReplaceableKind {
        case svg

        var name: String {
            switch self {
            case .svg: "an SVG picture"
            }
        }

        /// Whether `start`, the first bytes of a file, are those of this kind of file.
        func matches(_ start: Data) -> Bool {
            switch self {
            case .svg:
                let text = String(decoding: start, as: UTF8.self).drop { $0.isWhitespace }
                return text.hasPrefix("<?xml") || text.hasPrefix("<svg")
            }
        }
    }
}
