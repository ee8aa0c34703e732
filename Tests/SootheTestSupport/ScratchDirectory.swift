import Foundation

/// A scratch directory removed when the test ends.
public struct ScratchDirectory: ~Copyable {
    public let path: String

    public init() throws {
        path = FileManager.default.temporaryDirectory.appending(path: "soothe-export-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    public func file(_ name: String) -> String { path + "/" + name }

    /// Everything in the directory, hidden files included.
    public func contents() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }
}
