import Glibc
import Sequencer

/// Why a path is not a file Soothe can read, checked before libsndfile opens it.
enum ReadableFile {
    /// What is wrong with `path` as a file to read, in words that follow its name (`does not
    /// exist`, `is a folder, not an audio file` …), or `nil` when it is a regular file this user
    /// may read. A FIFO, device or socket is refused: reading one may never end, or never start.
    static func problem(_ path: String) -> String? {
        guard let status = system_stat(path) else {
            return FileOpenFailure.reason(path, errorNumber: errno, missing: "does not exist")
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return "is a folder, not an audio file"
        default: return "is not a regular file (a device, pipe or socket), not an audio file"
        }
        guard system_access_readable(path) else { return "cannot be read: permission denied" }
        return nil
    }
}
