import Foundation

/// The built-in routines and the routine files a user names.
public enum RoutineLibrary {
    /// The routine played when none is named.
    public static let defaultRoutineName = "bedtime-foot"

    /// The names of the built-in routines, in order.
    public static var builtInNames: [String] { embeddedRoutineFiles.map(\.name) }

    /// The largest routine file Soothe reads, in bytes: a thousand times the largest built-in.
    public static let maximumFileSize = 1_000_000

    /// The YAML text of a built-in routine, as shipped under `Audio/routines`.
    public static func builtInSource(named name: String) throws(RoutineError) -> String {
        guard let file = embeddedRoutineFiles.first(where: { $0.name == name }) else {
            throw RoutineError(
                .unknownRoutine,
                "there is no built-in routine '\(name)'; the built-in routines are \(builtInNames.joinedAsList())")
        }
        return file.yaml
    }

    /// A built-in routine by name.
    public static func builtIn(named name: String) throws(RoutineError) -> Routine {
        let source = try builtInSource(named: name)
        return try RoutineFileDecoder(fileName: "\(name).yaml").decode(source, defaultName: name, isJSON: false)
    }

    /// Every built-in routine, in order.
    public static func builtIns() throws(RoutineError) -> [Routine] {
        var routines: [Routine] = []
        for name in builtInNames { routines.append(try builtIn(named: name)) }
        return routines
    }

    /// A routine named on the command line: a built-in's name, or the path of a YAML or JSON file.
    public static func load(_ nameOrPath: String) throws(RoutineError) -> Routine {
        if builtInNames.contains(nameOrPath) { return try builtIn(named: nameOrPath) }
        var status = stat()
        if lstat(nameOrPath, &status) == 0 || looksLikePath(nameOrPath) {
            return try loadFile(atPath: nameOrPath)
        }
        throw unknownRoutine(nameOrPath)
    }

    /// A routine from a YAML (`.yaml`, `.yml`) or JSON (`.json`) file.
    public static func loadFile(atPath path: String) throws(RoutineError) -> Routine {
        let location = SourceLocation(file: path)
        // Opened first and examined through the descriptor, so that what is checked is what is
        // read; without blocking, so that a pipe is refused rather than waited on.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            let errorNumber = errno
            var status = stat()
            let exists = stat(path, &status) == 0
            throw RoutineError(
                exists ? .unreadableFile : .fileNotFound,
                FileOpenFailure.reason(path, errorNumber: errorNumber, missing: "no such routine file"),
                at: location)
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw RoutineError(.unreadableFile, "cannot be read: \(String(cString: strerror(errno)))", at: location)
        }
        guard status.st_mode & S_IFMT != S_IFDIR else {
            throw RoutineError(.unreadableFile, "is a directory, not a routine file", at: location)
        }
        // A device or a pipe would be read forever or not at all; a routine is a file.
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw RoutineError(
                .unreadableFile, "is not a regular file (a device, pipe or socket); a routine is a YAML or JSON file",
                at: location)
        }
        guard status.st_size <= maximumFileSize else {
            throw RoutineError(
                .unreadableFile,
                "is \(status.st_size) bytes; a routine file is at most \(maximumFileSize) bytes (1 MB)",
                at: location)
        }
        // No more than the limit, in case the file grew after it was measured.
        guard let data = try? handle.read(upToCount: maximumFileSize + 1) ?? Data() else {
            throw RoutineError(.unreadableFile, "cannot be read", at: location)
        }
        guard data.count <= maximumFileSize else {
            throw RoutineError(
                .unreadableFile, "is larger than \(maximumFileSize) bytes (1 MB), the most a routine file may be",
                at: location)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RoutineError(.unreadableFile, "is not UTF-8 text; a routine file is YAML or JSON", at: location)
        }
        let url = URL(fileURLWithPath: path)
        let isJSON =
            url.pathExtension.lowercased() == "json" || text.trimmingWhitespace().first == "{"
        var routine = try RoutineFileDecoder(fileName: path, directory: url.deletingLastPathComponent().path).decode(
            text, defaultName: defaultName(forFileNamed: url.deletingPathExtension().lastPathComponent),
            isJSON: isJSON)
        routine.sourceFile = path
        return routine
    }

    /// The name of a routine whose file gives none: the file's name in kebab-case, such as
    /// `my-routine` for `My Routine.yaml`, or `routine` when nothing of it is a letter or digit.
    static func defaultName(forFileNamed fileName: String) -> String {
        var words: [String] = []
        var word = ""
        for character in fileName.lowercased() {
            if character.isASCII && (character.isLetter || character.isNumber) {
                word.append(character)
            } else if !word.isEmpty {
                words.append(word)
                word = ""
            }
        }
        if !word.isEmpty { words.append(word) }
        let name = String(words.joined(separator: "-").prefix(Routine.maximumLabelLength))
        return name.hasSuffix("-") ? String(name.dropLast()) : name.isEmpty ? "routine" : name
    }

    /// Why `path` could not be opened, in words: missing, a loop of links, a folder on the way
    /// that may not be entered, or a file that may not be read.
    private static func looksLikePath(_ text: String) -> Bool {
        let fileExtensions = ["yaml", "yml", "json"]
        return text.contains("/") || fileExtensions.contains(URL(fileURLWithPath: text).pathExtension.lowercased())
    }

    private static func unknownRoutine(_ name: String) -> RoutineError {
        RoutineError(
            .unknownRoutine,
            "there is no built-in routine '\(name)' and no file of that name; the built-in routines are "
                + "\(builtInNames.joinedAsList()), or give the path of a .yaml or .json routine file")
    }
}
