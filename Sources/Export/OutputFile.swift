import Glibc

/// A hidden temporary file beside the target, that becomes the target only when complete.
///
/// Creating it is also the check that the target's directory exists and is writable, done before
/// any rendering. Until `commit()` renames it, an existing target is untouched; if the export
/// fails or is dropped, `deinit` deletes it.
struct TemporaryOutputFile: ~Copyable {
    let targetPath: String
    let temporaryPath: String
    let directoryPath: String
    let fileDescriptor: Int32
    let overwrites: Bool
    private var isFinished = false

    /// Creates `.NAME.XXXXXX.tmp` beside `targetPath`, refusing an existing target unless
    /// `overwrites`.
    init(beside targetPath: String, overwrites: Bool) throws(ExportError) {
        let (directory, name) = Self.split(targetPath)
        guard !name.isEmpty, name != ".", name != ".." else {
            throw ExportError(.cannotCreate, "'\(targetPath)' is not a file name")
        }
        var status = stat()
        let targetExists = lstat(targetPath, &status) == 0
        if targetExists && (status.st_mode & S_IFMT) == S_IFDIR {
            throw ExportError(.cannotCreate, "'\(targetPath)' is a directory; give a file name")
        }
        if targetExists && !overwrites {
            throw ExportError(.targetExists, "'\(targetPath)' already exists; pass --force to replace it")
        }
        var directoryStatus = stat()
        guard stat(directory, &directoryStatus) == 0 else {
            throw ExportError(
                .cannotCreate, "cannot write '\(targetPath)': the directory '\(directory)' does not exist")
        }
        guard (directoryStatus.st_mode & S_IFMT) == S_IFDIR else {
            throw ExportError(.cannotCreate, "cannot write '\(targetPath)': '\(directory)' is not a directory")
        }
        let prefix = targetPath.contains("/") ? (directory == "/" ? "/" : directory + "/") : ""
        var template = Array("\(prefix).\(name).XXXXXX.tmp".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, 4) }
        guard descriptor >= 0 else {
            let reason = errno
            let detail =
                reason == EACCES || reason == EROFS || reason == EPERM
                ? "'\(directory)' is not writable" : String(cString: strerror(reason))
            throw ExportError(
                reason == ENOSPC ? .diskFull : .cannotCreate, "cannot write '\(targetPath)': \(detail)")
        }
        // mkstemps makes the file private (0600); give it the mode a new file or the replaced
        // target would have.
        let mask = umask(0)
        umask(mask)
        _ = fchmod(descriptor, targetExists ? status.st_mode & 0o7777 : 0o666 & ~mask)
        self.targetPath = targetPath
        self.temporaryPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        self.directoryPath = directory
        self.fileDescriptor = descriptor
        self.overwrites = overwrites
    }

    deinit {
        if !isFinished {
            close(fileDescriptor)
            unlink(temporaryPath)
        }
    }

    /// Flushes the file to disk, renames it onto the target and flushes the directory, so that
    /// after a crash there is either the old target or the complete new one.
    consuming func commit() throws(ExportError) {
        guard fsync(fileDescriptor) == 0 else { throw failure("could not write") }
        guard close(fileDescriptor) == 0 else {
            isFinished = true
            let error = failure("could not write")
            unlink(temporaryPath)
            throw error
        }
        isFinished = true
        if overwrites {
            guard rename(temporaryPath, targetPath) == 0 else {
                let error = failure("could not rename the finished file to")
                unlink(temporaryPath)
                throw error
            }
        } else {
            // link fails if the target appeared meanwhile, so nothing is replaced behind the
            // user's back; file systems without hard links fall back to a checked rename.
            if link(temporaryPath, targetPath) == 0 {
                unlink(temporaryPath)
            } else if errno == EEXIST {
                unlink(temporaryPath)
                throw ExportError(.targetExists, "'\(targetPath)' already exists; pass --force to replace it")
            } else {
                var status = stat()
                guard lstat(targetPath, &status) != 0 else {
                    unlink(temporaryPath)
                    throw ExportError(.targetExists, "'\(targetPath)' already exists; pass --force to replace it")
                }
                guard rename(temporaryPath, targetPath) == 0 else {
                    let error = failure("could not rename the finished file to")
                    unlink(temporaryPath)
                    throw error
                }
            }
        }
        let directory = open(directoryPath, O_RDONLY | O_DIRECTORY)
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
    }

    private func failure(_ action: String) -> ExportError {
        FileSink.classify(errno, path: targetPath)
            ?? ExportError(.io, "\(action) '\(targetPath)'")
    }

    /// The directory part and the last component of a path.
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }
}
