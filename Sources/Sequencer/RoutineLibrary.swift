import Foundation

/// The built-in routines and the routine files a user names.
public enum RoutineLibrary {
    /// The routine played when none is named.
    public static let defaultRoutineName = "bedtime-foot"

    /// The names of the built-in routines, in order.
    public static var builtInNames: [String] { embeddedRoutineFiles.map(\.name) }

    /// The YAML text of a built-in routine, as shipped under `Audio/routines`.
    public static func builtInSource(named name: String) throws(RoutineError) -> String {
        guard let file = embeddedRoutineFiles.first(where: { $0.name == name }) else {
            throw unknownRoutine(name)
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
        if FileManager.default.fileExists(atPath: nameOrPath) || looksLikePath(nameOrPath) {
            return try loadFile(atPath: nameOrPath)
        }
        throw unknownRoutine(nameOrPath)
    }

    /// A routine from a YAML (`.yaml`, `.yml`) or JSON (`.json`) file.
    public static func loadFile(atPath path: String) throws(RoutineError) -> Routine {
        let location = SourceLocation(file: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RoutineError(.fileNotFound, "no such routine file", at: location)
        }
        guard !isDirectory.boolValue else {
            throw RoutineError(.unreadableFile, "is a directory, not a routine file", at: location)
        }
        // A device or a pipe would be read forever or not at all; a routine is a file.
        let resolvedPath = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let type = (try? FileManager.default.attributesOfItem(atPath: resolvedPath))?[.type] as? FileAttributeType
        guard type == nil || type == .typeRegular else {
            throw RoutineError(
                .unreadableFile, "is not a regular file (a device, pipe or socket); a routine is a YAML or JSON file",
                at: location)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RoutineError(.unreadableFile, "cannot be read; check its permissions", at: location)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RoutineError(.unreadableFile, "is not UTF-8 text; a routine file is YAML or JSON", at: location)
        }
        let url = URL(fileURLWithPath: path)
        let isJSON =
            url.pathExtension.lowercased() == "json" || text.trimmingWhitespace().first == "{"
        return try RoutineFileDecoder(fileName: path, directory: url.deletingLastPathComponent().path).decode(
            text, defaultName: url.deletingPathExtension().lastPathComponent, isJSON: isJSON)
    }

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
