import Foundation
import Glibc

/// The temporary files Soothe writes beside a file it is about to put in place, named
/// `.NAME.soothe-PID-XXXXXX.tmp` after the target and the process writing it, and which of them a
/// run ended by a kill (SIGKILL, a power cut) left behind. Export writes and sweeps them through a
/// directory descriptor, Speech (prompt cache entries, notes, prepared Piper models) by path; both
/// name them and judge them stale by these rules, so each sweep clears what the other left.
public enum TemporaryFiles {
    /// How long a temporary file of a process that is gone must have been left untouched before it
    /// is swept, in seconds: a guard against a process of another machine that shares the folder.
    public static let staleAgeSeconds = 60

    /// The marker between the target's name and the owner's process id.
    private static let marker = ".soothe-"

    /// `.NAME.soothe-PID-XXXXXX.tmp` for this process, with NAME cut (at a character boundary) so
    /// that the whole fits in `nameLimit` bytes.
    public static func name(for targetName: String, nameLimit: Int = 255) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        let random = String((0..<6).map { _ in alphabet.randomElement()! })
        let suffix = "\(marker)\(system_getpid())-\(random).tmp"
        let room = nameLimit - 1 - suffix.utf8.count
        var name = Substring(targetName)
        while name.utf8.count > room { name = name.dropLast() }
        return ".\(name)\(suffix)"
    }

    /// A temporary path beside `targetPath`, named by `name(for:)`.
    public static func path(besides targetPath: String) -> String {
        let target = targetPath as NSString
        return (target.deletingLastPathComponent as NSString).appendingPathComponent(
            name(for: target.lastPathComponent))
    }

    /// The owner's process id when `name` is one of Soothe's temporary names.
    public static func ownerProcessID(ofName name: String) -> Int32? {
        var rest = Substring(name)
        guard rest.hasPrefix("."), rest.hasSuffix(".tmp") else { return nil }
        rest = rest.dropLast(4)
        let random = rest.suffix(6)
        guard random.count == 6, random.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber) }) else {
            return nil
        }
        rest = rest.dropLast(6)
        guard rest.hasSuffix("-") else { return nil }
        rest = rest.dropLast()
        let digits = rest.reversed().prefix { $0.isASCII && $0.isNumber }
        rest = rest.dropLast(digits.count)
        guard rest.hasSuffix(marker), rest.count > marker.count, let processID = Int32(String(digits.reversed())),
            processID > 0
        else { return nil }
        return processID
    }

    /// Whether the file `name`, as `lstat` found it, is one a killed run left: a name of Soothe's
    /// own pattern, a regular file of this user, its process gone, untouched for `staleAgeSeconds`.
    public static func isLeftBehind(
        name: String, isRegularFile: Bool, ownerUserID: UInt32, modificationSeconds: Int
    ) -> Bool {
        guard let owner = ownerProcessID(ofName: name), owner != system_getpid() else { return false }
        return isRegularFile && ownerUserID == system_geteuid()
            && system_time() - modificationSeconds >= staleAgeSeconds && system_kill_isGone(owner)
    }

    /// Removes the temporary files in `folder` that killed runs left.
    public static func sweep(in folder: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where ownerProcessID(ofName: name) != nil {
            let path = (folder as NSString).appendingPathComponent(name)
            guard let status = system_lstat(path),
                isLeftBehind(
                    name: name, isRegularFile: status.st_mode & S_IFMT == S_IFREG, ownerUserID: status.st_uid,
                    modificationSeconds: Int(status.st_mtim.tv_sec))
            else { continue }
            system_unlink(path)
        }
    }
}
