import Glibc
public import Sequencer
import Synthesis

/// The folder `soothe record` fills: one FLAC file per take, and a copy of the routine whose
/// recorded prompts point at them.
///
/// Everything it will write is checked before the first take: the folder is created if missing
/// (and refused if it is a file), and no take or routine already there is replaced unless
/// `overwrites`. Each file is written as Export writes audio: to a temporary file beside it, then
/// renamed into place, so an interrupted write leaves the files already written and nothing
/// half-written.
public struct RecordingFolder {
    public let path: String
    public let overwrites: Bool
    /// The copy of the routine, `NAME.yaml`.
    public let routineFileName: String
    /// Whether this folder's copy of the routine has been written once: from then on it is ours to
    /// replace as takes are added.
    private var hasWrittenRoutine = false

    /// The file format of a take: lossless, and with the headroom of 24 bits, so no dither is added
    /// to the user's voice.
    public static let takeFormat = AudioFileFormat.flac24

    /// Prepares `path` for a recording of `routineName` with takes named `takeNames`.
    public init(path: String, routineName: String, takeNames: [String], overwrites: Bool) throws(ExportError) {
        self.path = path
        self.overwrites = overwrites
        routineFileName = "\(routineName).yaml"
        if let status = system_stat(path) {
            guard status.st_mode & S_IFMT == S_IFDIR else {
                throw ExportError(
                    .cannotCreate,
                    "'\(path)' is \(FileKind.name(ofMode: status.st_mode) ?? "a file"), not a folder; give a folder "
                        + "to put the takes in (it is created)")
            }
        } else {
            try Self.createFolder(path)
        }
        for name in takeNames + [routineFileName] {
            _ = try OutputTarget(path: filePath(name), overwrites: overwrites)
        }
    }

    /// The path of `name` inside the folder.
    public func filePath(_ name: String) -> String {
        path.hasSuffix("/") ? path + name : "\(path)/\(name)"
    }

    /// Writes one take, mono at `sampleRate`, as `name`.
    public func writeTake(_ samples: [Float], sampleRate: Int, named name: String) throws(ExportError)
        -> ExportSummary
    {
        let options = ExportOptions(
            format: Self.takeFormat, overwrites: overwrites, rendersConcurrently: false, measuresLoudness: false)
        return try AudioExporter.export(
            source: SampleArraySource(samples: samples, sampleRate: sampleRate), to: filePath(name), options: options)
    }

    /// Writes the copy of `routine`, replacing the one written before it by this folder.
    public mutating func writeRoutine(_ routine: Routine) throws(ExportError) {
        let text: String
        do { text = try RoutineFileEncoder.yaml(for: routine) } catch {
            throw ExportError(.encoding, "could not write the routine '\(routine.name)': \(error.message)")
        }
        try SafeFileWriter.write(
            Array(text.utf8), to: filePath(routineFileName), overwrites: overwrites || hasWrittenRoutine)
        hasWrittenRoutine = true
    }

    /// `mkdir -p`: the folder and any missing folders above it.
    private static func createFolder(_ path: String) throws(ExportError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if system_stat(prefix) == nil, system_mkdir(prefix) != 0, errno != EEXIST {
                let reason = errno
                throw ExportError(
                    reason == ENOSPC || reason == EDQUOT ? .diskFull : .cannotCreate,
                    "cannot create the folder '\(path)': \(system_strerror(reason))")
            }
            prefix += "/"
        }
        guard let status = system_stat(path), status.st_mode & S_IFMT == S_IFDIR else {
            // Say what is in the way: a link that leads nowhere (what `init` cannot see), or, should
            // something appear meanwhile, whatever it is.
            let mode = system_fstatat_nofollow(AT_FDCWD, path)?.st_mode
            let what =
                mode.map { $0 & S_IFMT == S_IFLNK } == true
                ? "a symbolic link that leads to no folder" : mode.flatMap { FileKind.name(ofMode: $0) } ?? "a file"
            throw ExportError(
                .cannotCreate, "cannot create the folder '\(path)': \(what) is in its place; move it away first")
        }
    }
}

/// Samples already in memory, as a source to export.
final class SampleArraySource: AudioFrameSource {
    let samples: [Float]
    let sampleRate: Int
    let channelCount = 1
    private(set) var position: Int64 = 0

    init(samples: [Float], sampleRate: Int) {
        self.samples = samples
        self.sampleRate = sampleRate
    }

    var totalFrames: Int64 { Int64(samples.count) }

    func render(into buffer: UnsafeMutablePointer<Float>, frameCount: Int) -> Int {
        let start = Int(position)
        let count = min(frameCount, samples.count - start)
        guard count > 0 else { return 0 }
        samples.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress! + start, count: count) }
        position += Int64(count)
        return count
    }
}
