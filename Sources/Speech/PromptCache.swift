import AudioFiles
public import Foundation
import Sequencer
import Synchronization

/// Spoken prompts kept on disk, so that the same routine with the same voice is synthesised once.
///
/// An entry is keyed by engine, voice, rate, text and sample rate; its file name is a hash of the
/// key, and the file repeats the key and holds a checksum of its samples, so that a collision, a
/// corrupt or a truncated entry reads as missing and is rebuilt. Entries are written to a temporary
/// file and renamed into place, so a reader never sees half an entry. When the directory cannot be
/// written, the cache warns once and Soothe carries on without it.
///
/// The entries together stay under `maximumByteCount`: after each store, the least recently used
/// go (an entry's modification time is its last use; a read touches it).
public final class PromptCache: Sendable {
    public let directory: URL
    public let maximumByteCount: Int
    private let warn: @Sendable (String) -> Void
    private let hasWarned = Mutex(false)
    /// Evictions run one at a time, so two threads never count the same files.
    private let evicting = Mutex(())

    /// Enough for every built-in routine at every session rate with two voices.
    public static let defaultMaximumByteCount = 256 << 20

    /// A cache in `directory`, made when first written; `warn` receives the one warning about an
    /// unwritable directory (standard error unless given).
    public init(
        directory: URL, maximumByteCount: Int = PromptCache.defaultMaximumByteCount,
        warn: @escaping @Sendable (String) -> Void = PromptCache.printToStandardError
    ) {
        self.directory = directory
        self.maximumByteCount = maximumByteCount
        self.warn = warn
    }

    /// `$XDG_CACHE_HOME/soothe`, or `~/.cache/soothe`.
    public static func standardDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let base = environment["XDG_CACHE_HOME"], base.hasPrefix("/") {
            return URL(fileURLWithPath: base).appending(path: "soothe")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appending(path: ".cache/soothe")
    }

    /// The folder in the cache `directory` where Piper voices' prepared files and remembered
    /// checks go.
    public static func piperVoicesFolder(in directory: URL) -> URL {
        directory.appending(path: "piper-voices")
    }

    @Sendable public static func printToStandardError(_ message: String) {
        FileHandle.standardError.write(Data("soothe: warning: \(message)\n".utf8))
    }

    // MARK: Entries

    /// The current layout of an entry; older entries read as missing.
    static let magic = Array("SOOTHEVC".utf8)
    static let formatVersion: UInt32 = 2
    /// magic, version, sample rate, key length, sample count, checksum.
    static let headerByteCount = 8 + 4 + 4 + 4 + 8 + 8

    func fileURL(for key: PromptCacheKey) -> URL {
        directory.appending(path: key.fileName)
    }

    /// The file of `key`'s entry, open just past its header, with the sample count and checksum
    /// the header gives; `nil` when there is none or its header does not match the key and the
    /// file's size. The samples are checked when they are loaded.
    private func openEntry(_ key: PromptCacheKey) -> (handle: FileHandle, sampleCount: Int, checksum: UInt64)? {
        guard let handle = FileHandle(forReadingAtPath: fileURL(for: key).path) else { return nil }
        let keyBytes = Array(key.text.utf8)
        let headerEnd = Self.headerByteCount + keyBytes.count
        guard let data = try? handle.read(upToCount: headerEnd), let fileSize = try? handle.seekToEnd(),
            (try? handle.seek(toOffset: UInt64(headerEnd))) != nil
        else {
            try? handle.close()
            return nil
        }
        let header = data.withUnsafeBytes { bytes -> (sampleCount: Int, checksum: UInt64)? in
            guard bytes.count == headerEnd, bytes.prefix(8).elementsEqual(Self.magic),
                bytes.readLittleEndian(UInt32.self, at: 8) == Self.formatVersion,
                bytes.readLittleEndian(UInt32.self, at: 12) == UInt32(key.sampleRate),
                Int(bytes.readLittleEndian(UInt32.self, at: 16)) == keyBytes.count,
                bytes[Self.headerByteCount...].elementsEqual(keyBytes)
            else { return nil }
            let sampleCount = bytes.readLittleEndian(UInt64.self, at: 20)
            guard sampleCount <= UInt64(Int32.max), fileSize == UInt64(headerEnd) + sampleCount * 4 else { return nil }
            return (Int(sampleCount), bytes.readLittleEndian(UInt64.self, at: 28))
        }
        guard let header else {
            try? handle.close()
            return nil
        }
        return (handle, header.sampleCount, header.checksum)
    }

    /// How many samples the entry for `key` holds, from its header alone, or `nil` when there is
    /// none or its header does not match the key and the file's size.
    func storedSampleCount(_ key: PromptCacheKey) -> Int? {
        guard let entry = openEntry(key) else { return nil }
        try? entry.handle.close()
        return entry.sampleCount
    }

    /// The samples stored for `key`, or `nil` when there are none or they do not check out. They
    /// are read from the file straight into the array, so a prompt is in memory once, not twice.
    func load(_ key: PromptCacheKey) -> [Float]? {
        guard let entry = openEntry(key) else { return nil }
        defer { try? entry.handle.close() }
        var isLoaded = false
        let samples = [Float](unsafeUninitializedCapacity: entry.sampleCount) { buffer, initializedCount in
            buffer.initialize(repeating: 0)
            initializedCount = entry.sampleCount
            isLoaded = readSamples(entry, of: key, into: buffer)
        }
        return isLoaded ? samples : nil
    }

    /// Reads the samples stored for `key` straight into `samples`, which must be just as long;
    /// `false` (and `samples` in any state) when there are none, they are another length or they do
    /// not check out.
    func load(_ key: PromptCacheKey, into samples: UnsafeMutableBufferPointer<Float>) -> Bool {
        guard let entry = openEntry(key) else { return false }
        defer { try? entry.handle.close() }
        return readSamples(entry, of: key, into: samples)
    }

    /// Reads the samples of `entry`, opened for `key` and just past its header, into `samples`;
    /// `false` when they are another length or do not check out.
    private func readSamples(
        _ entry: (handle: FileHandle, sampleCount: Int, checksum: UInt64), of key: PromptCacheKey,
        into samples: UnsafeMutableBufferPointer<Float>
    ) -> Bool {
        let handle = entry.handle
        guard entry.sampleCount == samples.count else { return false }
        let keyBytes = Array(key.text.utf8)
        let bytes = UnsafeMutableRawBufferPointer(samples)
        var done = 0
        while done < bytes.count {
            let count = read(handle.fileDescriptor, bytes.baseAddress! + done, bytes.count - done)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            done += count
        }
        guard done == bytes.count,
            keyBytes.withUnsafeBytes({ Self.checksum(of: [$0, UnsafeRawBufferPointer(bytes)]) }) == entry.checksum
        else { return false }
        #if !_endian(little)
            for index in samples.indices {
                samples[index] = Float(bitPattern: UInt32(littleEndian: samples[index].bitPattern))
            }
        #endif
        // The time of last use, for eviction; a read-only cache simply keeps its times.
        _ = utimes(fileURL(for: key).path, nil)
        return true
    }

    // MARK: Notes

    /// The note file of `name` kept beside `key`'s entry, such as `3f...e1-0a...9c.note`.
    func noteURL(named name: String, for key: PromptCacheKey) -> URL {
        let stem = key.fileName.dropLast(".voice".count)
        let nameHash = String(Self.checksum(Array(name.utf8)), radix: 16).leftPadded(to: 16, with: "0")
        return directory.appending(path: "\(stem)-\(nameHash).note")
    }

    /// The checksum in the header of `key`'s entry: it names the entry's samples, so a note
    /// kept for one take of a prompt never applies to another.
    private func storedChecksum(_ key: PromptCacheKey) -> UInt64? {
        guard let entry = openEntry(key) else { return nil }
        try? entry.handle.close()
        return entry.checksum
    }

    /// The lines of a note file: what it is, the entry's checksum, the note's name and value, and
    /// a checksum of those.
    private static func noteLines(name: String, value: String, entryChecksum: UInt64) -> [String] {
        let lines = ["soothe-note 1", String(entryChecksum, radix: 16), name, value]
        return lines + [String(checksum(Array(lines.joined(separator: "\n").utf8)), radix: 16)]
    }

    /// The note `name` kept beside `key`'s entry, or `nil` when there is none, or it was kept for
    /// other samples, or it does not check out.
    func note(named name: String, for key: PromptCacheKey) -> String? {
        let url = noteURL(named: name, for: key)
        guard !name.contains("\n"), let entryChecksum = storedChecksum(key),
            let data = try? Data(contentsOf: url), data.count <= Self.maximumNoteByteCount,
            let text = String(data: data, encoding: .utf8)
        else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count == 5,
            lines == Self.noteLines(name: name, value: lines[3], entryChecksum: entryChecksum)
        else { return nil }
        _ = utimes(url.path, nil)
        return lines[3]
    }

    /// Keeps `value` as the note `name` beside `key`'s entry (when there is one), replacing any
    /// note of that name. On failure nothing is kept: a note only saves work.
    func keep(note value: String, named name: String, for key: PromptCacheKey) {
        guard !name.contains("\n"), !value.contains("\n"), let entryChecksum = storedChecksum(key) else { return }
        let url = noteURL(named: name, for: key)
        let temporary = URL(fileURLWithPath: TemporaryFiles.path(besides: url.path))
        let text = Self.noteLines(name: name, value: value, entryChecksum: entryChecksum).joined(separator: "\n")
        guard text.utf8.count <= Self.maximumNoteByteCount else { return }
        do {
            try Data(text.utf8).write(to: temporary)
            guard rename(temporary.path, url.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
        }
    }

    /// A note is a line or two; anything longer is not one of ours.
    static let maximumNoteByteCount = 4096

    /// Removes the least recently used entries until the rest fit in `maximumByteCount`; `keeping`
    /// is never removed (the entry just written). The temporary files of killed runs go first.
    func evict(keeping kept: String) {
        evicting.withLock { _ in
            TemporaryFiles.sweep(in: directory.path)
            let keys: [URLResourceKey] = [.fileSizeKey, .contentModificationDateKey]
            guard
                let files = try? FileManager.default.contentsOfDirectory(
                    at: directory, includingPropertiesForKeys: keys)
            else { return }
            var entries: [(url: URL, size: Int, used: Date)] = []
            // Notes are counted and evicted like entries: a note outlives its entry only until
            // it is the least recently used, and never applies to a new entry's samples.
            for file in files
            where ["voice", "note"].contains(file.pathExtension) && !file.lastPathComponent.hasPrefix(".") {
                guard let values = try? file.resourceValues(forKeys: Set(keys)) else { continue }
                entries.append((file, values.fileSize ?? 0, values.contentModificationDate ?? .distantPast))
            }
            var total = entries.reduce(0) { $0 + $1.size }
            guard total > maximumByteCount else { return }
            for entry in entries.sorted(by: { $0.used < $1.used }) where total > maximumByteCount {
                guard entry.url.lastPathComponent != kept else { continue }
                if (try? FileManager.default.removeItem(at: entry.url)) != nil { total -= entry.size }
            }
        }
    }

    /// Stores `samples` for `key` and returns the samples the cache now holds for it: `samples`, or
    /// those of a sound entry another process stored first. Speech differs from run to run, so the
    /// first entry wins and is never replaced: every export using the cache then agrees on each
    /// prompt's length, even while another process speaks the same prompt. On failure it warns
    /// (once), carries on and returns `samples`.
    @discardableResult
    func store(_ samples: [Float], for key: PromptCacheKey) -> [Float] {
        let target = fileURL(for: key)
        let temporary = URL(fileURLWithPath: TemporaryFiles.path(besides: target.path))
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Self.encode(samples, key: key).write(to: temporary)
            // `link` refuses to replace an entry; only a broken one is renamed over.
            if link(temporary.path, target.path) != 0 {
                let linkError = errno
                if linkError == EEXIST, let stored = load(key) {
                    try? FileManager.default.removeItem(at: temporary)
                    return stored
                }
                guard rename(temporary.path, target.path) == 0 else {
                    let reason = String(cString: strerror(errno))
                    try? FileManager.default.removeItem(at: temporary)
                    throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: reason])
                }
            } else {
                try? FileManager.default.removeItem(at: temporary)
            }
            evict(keeping: target.lastPathComponent)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            let isFirst = hasWarned.withLock { hasWarned in
                defer { hasWarned = true }
                return !hasWarned
            }
            if isFirst {
                warn(
                    "could not write the speech cache in '\(directory.path)' (\(Self.reason(error))); "
                        + "speech will be synthesised again next time")
            }
        }
        return samples
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? CocoaError, let underlying = error.underlying as? POSIXError {
            return String(cString: strerror(underlying.code.rawValue))
        }
        return (error as NSError).localizedDescription
    }

    static func encode(_ samples: [Float], key: PromptCacheKey) -> Data {
        let keyBytes = Array(key.text.utf8)
        let sampleBytes = littleEndianBytes(of: samples)
        var data = Data(capacity: headerByteCount + keyBytes.count + sampleBytes.count)
        data.append(contentsOf: magic)
        data.appendLittleEndian(formatVersion)
        data.appendLittleEndian(UInt32(key.sampleRate))
        data.appendLittleEndian(UInt32(keyBytes.count))
        data.appendLittleEndian(UInt64(samples.count))
        data.appendLittleEndian(checksum(keyBytes, sampleBytes))
        data.append(contentsOf: keyBytes)
        data.append(contentsOf: sampleBytes)
        return data
    }

    private static func littleEndianBytes(of samples: [Float]) -> [UInt8] {
        #if _endian(little)
            return samples.withUnsafeBytes { Array($0) }
        #else
            return samples.flatMap { sample in Swift.withUnsafeBytes(of: sample.bitPattern.littleEndian) { Array($0) } }
        #endif
    }

    /// FNV-1a over the key and the samples, eight bytes at a time, and each part's length: not
    /// cryptographic, but any flipped or lost byte shows.
    static func checksum(_ parts: [UInt8]...) -> UInt64 {
        func hash(_ index: Int, _ buffers: [UnsafeRawBufferPointer]) -> UInt64 {
            guard index < parts.count else { return checksum(of: buffers) }
            return parts[index].withUnsafeBytes { hash(index + 1, buffers + [$0]) }
        }
        return hash(0, [])
    }

    /// The same over bytes read in place.
    static func checksum(of parts: [UnsafeRawBufferPointer]) -> UInt64 {
        var hasher = FNV1a()
        for buffer in parts {
            let wordCount = buffer.count / 8
            for index in 0..<wordCount {
                hasher.combine(
                    word: UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)))
            }
            for index in (wordCount * 8)..<buffer.count { hasher.combine(buffer[index]) }
            hasher.combine(word: UInt64(buffer.count))
        }
        return hasher.value
    }
}

/// What identifies a spoken prompt: engine, voice, rate, text and sample rate.
struct PromptCacheKey: Hashable, Sendable {
    /// The engine and voice name, or for a Piper voice its content hash and the library's version.
    var voiceIdentity: String
    var wordsPerMinute: Double
    var sampleRate: Int
    var spokenText: String

    /// Bumped whenever synthesis or resampling changes, so old entries are not reused: 2 when
    /// each engine's pace was calibrated on its output and sentences were joined by calm pauses.
    static let pipelineVersion = 2

    /// The whole key as text, stored in the entry and hashed for its name.
    var text: String {
        [
            "soothe-speech \(Self.pipelineVersion)", voiceIdentity, "\(wordsPerMinute)",
            "\(sampleRate)", spokenText,
        ].joined(separator: "\n")
    }

    /// 128 bits of two FNV-1a hashes, in hex, such as `3f...e1.voice`.
    var fileName: String {
        let bytes = Array(text.utf8)
        let first = PromptCache.checksum(bytes)
        let second = PromptCache.checksum(Array("soothe".utf8), bytes, Array(bytes.reversed()))
        return String(first, radix: 16).leftPadded(to: 16, with: "0")
            + String(second, radix: 16).leftPadded(to: 16, with: "0")
            + ".voice"
    }
}

extension Data {
    fileprivate mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}

extension UnsafeRawBufferPointer {
    fileprivate func readLittleEndian<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        var value = T.zero
        for index in (0..<MemoryLayout<T>.size).reversed() {
            value = value << 8 | T(self[offset + index])
        }
        return value
    }
}
