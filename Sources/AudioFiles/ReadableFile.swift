import Glibc

/// Why a path is not a file Soothe can read, checked before libsndfile opens it.
enum ReadableFile {
    /// What is wrong with `path` as a file to read, in words that follow its name (`does not
    /// exist`, `is a folder, not an audio file` …), or `nil` when it is a regular file this user
    /// may read. A FIFO, device or socket is refused: reading one may never end, or never start.
    static func problem(_ path: String) -> String? {
        guard let status = system_stat(path) else {
            let reason = errno
            switch reason {
            case ENOENT:
                return system_lstat(path) != nil ? "is a symbolic link to a file that does not exist" : "does not exist"
            case EACCES: return "cannot be reached: permission denied on a folder in its path"
            case ELOOP: return "cannot be opened: its symbolic links form a loop"
            case ENOTDIR: return "does not exist: a part of its path is a file, not a folder"
            case ENAMETOOLONG: return "cannot be opened: the path is too long"
            default: return "cannot be opened: \(system_strerror(reason))"
            }
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
