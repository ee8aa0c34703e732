import Foundation

/// The temporary files Speech writes beside a file it is about to put in place, named
/// `.NAME.PID.UUID.tmp` after the target and the process writing it, and the sweep that removes
/// those a run ended by a signal or a kill left behind (a prepared Piper model is 60 MB).
enum StaleTemporaryFiles {
    /// How long a temporary file of a process that is gone must have been left untouched before it
    /// is swept: a guard against a process of another machine that shares the folder.
    static let staleAgeSeconds: TimeInterval = 60

    /// The temporary name for `target` written by this process.
    static func temporaryPath(for target: String) -> String {
        (target as NSString).deletingLastPathComponent + "/.\((target as NSString).lastPathComponent)."
            + "\(getpid()).\(UUID().uuidString).tmp"
    }

    /// The process that wrote `name`, when it is such a temporary name (for `targetName`, when
    /// given).
    static func ownerProcessID(ofTemporaryName name: String, targetName: String? = nil) -> Int32? {
        guard name.hasPrefix("."), name.hasSuffix(".tmp") else { return nil }
        let parts = name.dropFirst().dropLast(4).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 3, UUID(uuidString: String(parts[parts.count - 1])) != nil,
            let owner = Int32(parts[parts.count - 2]), owner > 0
        else { return nil }
        if let targetName, parts.dropLast(2).joined(separator: ".") != targetName { return nil }
        return owner
    }

    /// Removes the temporary files for `target` in its folder that killed runs left.
    static func sweep(besides target: String) {
        sweep(in: (target as NSString).deletingLastPathComponent, targetName: (target as NSString).lastPathComponent)
    }

    /// Removes the temporary files in `folder` (for `targetName`, when given) that belong to this
    /// user, whose process is gone and that have not changed for `staleAgeSeconds`.
    static func sweep(in folder: String, targetName: String? = nil) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names {
            guard let owner = ownerProcessID(ofTemporaryName: name, targetName: targetName), owner != getpid() else {
                continue
            }
            let path = (folder as NSString).appendingPathComponent(name)
            var status = stat()
            guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_uid == geteuid(),
                Date().timeIntervalSince1970 - TimeInterval(status.st_mtim.tv_sec) >= staleAgeSeconds,
                kill(owner, 0) != 0, errno == ESRCH
            else { continue }
            unlink(path)
        }
    }
}
