import AudioFiles
import Glibc
import Sequencer
import Termination

/// A file Soothe is about to write, checked before anything is written: a name in an existing
/// directory, and either nothing there or — only when `overwrites` — a regular file.
///
/// Device nodes, FIFOs, sockets, symbolic links (dangling or not) and directories are never
/// replaced, with or without `--force`: replacing one with a regular file is never what was meant.
struct OutputTarget {
    let path: String
    let directoryPath: String
    let name: String
    let overwrites: Bool

    init(path: String, overwrites: Bool) throws(ExportError) {
        let (directory, name) = Self.split(path)
        guard !name.isEmpty, name != ".", name != "..", !path.hasSuffix("/") else {
            throw ExportError(.cannotCreate, "'\(path)' is not a file name; give the name of a file to write")
        }
        guard name.utf8.count <= OutputTarget.nameLimitBytes else {
            throw ExportError(
                .cannotCreate,
                "the name of '\(path)' is \(name.utf8.count) bytes long; file names hold at most "
                    + "\(OutputTarget.nameLimitBytes)")
        }
        self.path = path
        self.directoryPath = directory
        self.name = name
        self.overwrites = overwrites
        guard let directoryStatus = system_stat(directory) else {
            throw ExportError(.cannotCreate, "cannot write '\(path)': the directory '\(directory)' does not exist")
        }
        guard (directoryStatus.st_mode & S_IFMT) == S_IFDIR else {
            throw ExportError(.cannotCreate, "cannot write '\(path)': '\(directory)' is not a directory")
        }
        let descriptor = system_open(directory, O_RDONLY | O_DIRECTORY)
        guard descriptor >= 0 else {
            throw ExportError(.cannotCreate, "cannot write '\(path)': '\(directory)' is not readable")
        }
        defer { system_close(descriptor) }
        try checkExisting(in: descriptor)
    }

    /// The longest file name Soothe writes, in bytes: the limit of Linux file systems.
    static let nameLimitBytes = 255

    /// Refuses what is at the target unless it is a regular file that may be replaced.
    func checkExisting(in directory: Int32) throws(ExportError) {
        guard let status = system_fstatat_nofollow(directory, name) else { return }
        if let kind = FileKind.name(ofMode: status.st_mode) {
            throw ExportError(
                .cannotCreate,
                "'\(path)' is \(kind); Soothe replaces only regular files, so it is kept. Give another name")
        }
        guard overwrites else {
            throw ExportError(.targetExists, "'\(path)' already exists; pass --force to replace it")
        }
        // In a folder with the sticky bit (/tmp), only a file's owner or the folder's may replace
        // it: found now, rather than when the finished file is renamed.
        let user = system_geteuid()
        if user != 0, status.st_uid != user, let folder = system_fstat(directory),
            folder.st_mode & mode_t(S_ISVTX) != 0, folder.st_uid != user
        {
            throw ExportError(
                .cannotCreate,
                "'\(path)' belongs to another user, and '\(directoryPath)' lets only a file's owner replace it; "
                    + "give another name")
        }
    }

    /// The directory part and the last component of a path.
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }
}

/// A hidden temporary file beside the target, that becomes the target only when complete.
///
/// Until `commit()` renames it, an existing target is untouched; if the work fails or is dropped,
/// `deinit` deletes it. A new file gets the mode `open` gives (0666 less the umask); a replaced
/// file's permission bits are kept, but never its set-user-ID, set-group-ID or sticky bits.
///
/// Its name (`TemporaryFiles.name`, `.NAME.soothe-PID-XXXXXX.tmp`) says whose it is:
/// `sweepStaleFiles` removes those of processes that are gone. NAME is shortened so that the whole
/// fits wherever the target's name fits.
struct TemporaryOutputFile: ~Copyable {
    let target: OutputTarget
    let temporaryName: String
    let directoryDescriptor: Int32
    let fileDescriptor: Int32
    private var isFinished = false

    init(for target: OutputTarget) throws(ExportError) {
        // Every step works on this descriptor, so a directory renamed or replaced meanwhile cannot
        // send the file elsewhere, and a long directory path never makes a name too long.
        let directory = system_open(target.directoryPath, O_RDONLY | O_DIRECTORY)
        guard directory >= 0 else {
            throw ExportError(.cannotCreate, "cannot write '\(target.path)': '\(target.directoryPath)' is not readable")
        }
        do throws(ExportError) {
            // Checked again on the directory that will be written: it may have changed since.
            try target.checkExisting(in: directory)
            Self.sweepStaleFiles(in: target.directoryPath, descriptor: directory)
            let replacedMode = system_fstatat_nofollow(directory, target.name).map { $0.st_mode & 0o777 }
            let nameLimit = min(system_fpathconf_nameMax(directory), OutputTarget.nameLimitBytes)
            var created: (name: String, descriptor: Int32)?
            for _ in 0..<100 {
                let name = TemporaryFiles.name(for: target.name, nameLimit: nameLimit)
                let descriptor = system_openat(directory, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0o666)
                if descriptor >= 0 {
                    created = (name, descriptor)
                    break
                }
                guard errno == EEXIST else {
                    let reason = errno
                    let detail =
                        reason == EACCES || reason == EROFS || reason == EPERM
                        ? "'\(target.directoryPath)' is not writable" : system_strerror(reason)
                    throw ExportError(
                        reason == ENOSPC || reason == EDQUOT ? .diskFull : .cannotCreate,
                        "cannot write '\(target.path)': \(detail)")
                }
            }
            guard let created else {
                throw ExportError(.cannotCreate, "cannot write '\(target.path)': no free temporary name beside it")
            }
            if let replacedMode { system_fchmod(created.descriptor, replacedMode) }
            self.target = target
            self.temporaryName = created.name
            self.directoryDescriptor = directory
            self.fileDescriptor = created.descriptor
        } catch {
            system_close(directory)
            throw error
        }
    }

    deinit {
        if !isFinished {
            system_close(fileDescriptor)
            system_unlinkat(directoryDescriptor, temporaryName)
        }
        system_close(directoryDescriptor)
    }

    /// Writes all of `bytes` at the current offset.
    func write(_ bytes: [UInt8]) throws(ExportError) {
        let written = bytes.withUnsafeBytes { system_write(fileDescriptor, $0.baseAddress!, $0.count) }
        guard written == bytes.count else { throw failure("could not write") }
    }

    /// Flushes the file to disk, renames it onto the target and flushes the directory, so that
    /// after a crash there is either the old target or the complete new one.
    consuming func commit() throws(ExportError) {
        guard system_fsync(fileDescriptor) == 0 else { throw failure("could not write") }
        guard system_close(fileDescriptor) == 0 else {
            isFinished = true
            let error = failure("could not write")
            system_unlinkat(directoryDescriptor, temporaryName)
            throw error
        }
        isFinished = true
        do throws(ExportError) {
            // Something may have appeared at the target during a long export.
            try target.checkExisting(in: directoryDescriptor)
        } catch {
            system_unlinkat(directoryDescriptor, temporaryName)
            throw error
        }
        if target.overwrites {
            guard system_renameat(directoryDescriptor, temporaryName, target.name) == 0 else {
                let error = failure("could not rename the finished file to")
                system_unlinkat(directoryDescriptor, temporaryName)
                throw error
            }
        } else if system_linkat(directoryDescriptor, temporaryName, target.name) == 0 {
            // link fails if the target appeared meanwhile, so nothing is replaced behind the
            // user's back.
            system_unlinkat(directoryDescriptor, temporaryName)
        } else if errno == EEXIST {
            system_unlinkat(directoryDescriptor, temporaryName)
            throw ExportError(.targetExists, "'\(target.path)' already exists; pass --force to replace it")
        } else {
            // File systems without hard links fall back to a checked rename.
            guard system_renameat(directoryDescriptor, temporaryName, target.name) == 0 else {
                let error = failure("could not rename the finished file to")
                system_unlinkat(directoryDescriptor, temporaryName)
                throw error
            }
        }
        _ = system_fsync(directoryDescriptor)
    }

    private func failure(_ action: String) -> ExportError {
        FileSink.classify(errno, path: target.path) ?? ExportError(.io, "\(action) '\(target.path)'")
    }

    /// Removes the temporary files that killed runs left in `path` (by SIGKILL, a power cut):
    /// only names of Soothe's own pattern, only regular files of this user, only when the process
    /// that made them is gone and they have not changed for `TemporaryFiles.staleAgeSeconds`.
    static func sweepStaleFiles(in path: String, descriptor: Int32) {
        for name in system_readdir(path) where TemporaryFiles.ownerProcessID(ofName: name) != nil {
            guard let status = system_fstatat_nofollow(descriptor, name),
                TemporaryFiles.isLeftBehind(
                    name: name, isRegularFile: (status.st_mode & S_IFMT) == S_IFREG, ownerUserID: status.st_uid,
                    modificationSeconds: Int(status.st_mtim.tv_sec))
            else { continue }
            system_unlinkat(descriptor, name)
        }
    }
}

/// Writes whole files the safe way Export writes audio, for the small files other commands write
/// (pictures, routine files, chapter sheets).
public enum SafeFileWriter {
    /// Writes `bytes` to `path` through a temporary file beside it: the file appears only when
    /// complete, only a regular file is replaced and only when `overwrites`, and a termination
    /// signal meanwhile leaves nothing behind.
    public static func write(_ bytes: [UInt8], to path: String, overwrites: Bool) throws(ExportError) {
        let watch = TerminationSignals.watch()
        // Open until the file is in place or removed, not only until its last use.
        defer { withExtendedLifetime(watch) {} }
        let target = try OutputTarget(path: path, overwrites: overwrites)
        let output = try TemporaryOutputFile(for: target)
        try output.write(bytes)
        if watch.isStopRequested {
            throw ExportError(
                .interrupted,
                "stopped by \(TerminationSignals.name(of: watch.receivedSignal)); '\(path)' was not written")
        }
        try output.commit()
    }
}
