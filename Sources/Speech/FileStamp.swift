import Foundation

/// What tells that a file changed without reading it: its path, size, modification time and
/// inode (`-` and 0 for a file that is not there). Remembered hashes and checks are named by it.
enum FileStamp {
    static func of(_ path: String) -> String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let size = attributes?[.size].map { "\($0)" } ?? "-"
        let time = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let inode = attributes?[.systemFileNumber].map { "\($0)" } ?? "-"
        return "\(path) \(size) \(time) \(inode)"
    }
}
