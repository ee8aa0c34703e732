import Foundation

/// Small helpers every module needs, kept here because every module imports Sequencer, so each
/// lives in one place.
extension Array where Element == String {
    /// `a, b and c`, for listing what is valid.
    public func joinedAsList() -> String {
        switch count {
        case 0: return "none"
        case 1: return self[0]
        default: return dropLast().joined(separator: ", ") + " and " + last!
        }
    }
}

extension String {
    /// The text with `pad` before it to make it `width` characters long, for columns of a table
    /// or fixed-width hex; longer text is left as it is.
    public func leftPadded(to width: Int, with pad: Character = " ") -> String {
        String(repeating: pad, count: max(0, width - count)) + self
    }

    /// The text with spaces after it to make it `width` characters long.
    public func rightPadded(to width: Int) -> String {
        self + String(repeating: " ", count: max(0, width - count))
    }

    /// The text without whitespace (line breaks included) at either end.
    public func trimmingWhitespace() -> String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }

    /// The text with every control character (`isControlCharacter`) written as `\u{1B}`, so that text
    /// from a file or the command line can be printed without driving the terminal.
    public var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: \.isControlCharacter) else { return self }
        var escaped = ""
        for scalar in unicodeScalars {
            if scalar.isControlCharacter {
                escaped += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// The text with its control characters escaped line by line, its line breaks kept.
    public var escapingControlCharactersByLine: String {
        split(separator: "\n", omittingEmptySubsequences: false).map { String($0).escapingControlCharacters }
            .joined(separator: "\n")
    }
}

extension Unicode.Scalar {
    /// Whether this is a control character: C0 (U+0000 to U+001F), DEL or C1 (U+0080 to U+009F),
    /// or one that reorders or breaks the text around it unseen, so that a terminal would show it
    /// other than it is: the bidirectional embeddings, overrides and isolates (U+202A to U+202E,
    /// U+2066 to U+2069) and the line and paragraph separators (U+2028, U+2029). The
    /// left-to-right and right-to-left marks reorder nothing around them and stay allowed.
    public var isControlCharacter: Bool {
        switch value {
        case 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029: true
        default: properties.generalCategory == .control
        }
    }

    /// `U+001B (escape)`: the code point as Unicode writes it, with a name for the control
    /// characters people meet.
    public var codePointName: String {
        let digits = String(value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        let names: [UInt32: String] = [
            0x00: "null", 0x07: "bell", 0x08: "backspace", 0x09: "tab", 0x0A: "line feed", 0x0D: "carriage return",
            0x1B: "escape", 0x7F: "delete", 0x9B: "control sequence introducer", 0x202A: "left-to-right embedding",
            0x202B: "right-to-left embedding", 0x202C: "pop directional formatting", 0x202D: "left-to-right override",
            0x202E: "right-to-left override", 0x2066: "left-to-right isolate", 0x2067: "right-to-left isolate",
            0x2068: "first strong isolate", 0x2069: "pop directional isolate", 0x2028: "line separator",
            0x2029: "paragraph separator",
        ]
        return names[value].map { "\(code) (\($0))" } ?? code
    }
}

extension Double {
    /// Seconds with one decimal and a unit, such as `6.2 s`.
    public var secondsText: String {
        let tenths = Int64((self * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) s"
    }
}

/// SplitMix64: a small, fast, seedable generator, the same on every platform, so that a seed
/// always gives the same samples.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose first output is SplitMix64's output for `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The 64-bit FNV-1a hash: not cryptographic, but stable across runs and platforms, unlike
/// Swift's `Hasher`.
public struct FNV1a: Sendable {
    /// The hash of everything fed so far.
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    public init() {}

    /// Feeds one byte.
    public mutating func combine(_ byte: UInt8) { value = (value ^ UInt64(byte)) &* Self.prime }

    /// Feeds a 64-bit word as one unit, which is faster than its eight bytes and as good for
    /// telling data apart.
    public mutating func combine(word: UInt64) { value = (value ^ word) &* Self.prime }

    /// Feeds the bytes of `text` in UTF-8.
    public mutating func combine(_ text: String) {
        for byte in text.utf8 { combine(byte) }
    }

    /// The hash of `text` in UTF-8.
    public static func hash(_ text: String) -> UInt64 {
        var hasher = FNV1a()
        hasher.combine(text)
        return hasher.value
    }
}

/// Why a file could not be opened or examined, in words that follow its name.
public enum FileOpenFailure {
    /// The reason `path` could not be opened (or `stat`ed), from the `errno` of the failed call;
    /// `missing` says what is not there, such as `does not exist` or `no such routine file`.
    public static func reason(_ path: String, errorNumber: Int32, missing: String) -> String {
        var status = stat()
        switch errorNumber {
        case EACCES:
            return stat(path, &status) == 0
                ? "cannot be read: permission denied" : "cannot be reached: permission denied on a folder in its path"
        case ENOENT:
            return lstat(path, &status) == 0 ? "is a symbolic link to a file that does not exist" : missing
        case ELOOP: return "cannot be opened: its symbolic links form a loop"
        case ENOTDIR: return "\(missing): a part of its path is a file, not a folder"
        case ENAMETOOLONG: return "cannot be opened: the path is too long"
        default: return "cannot be opened: \(String(cString: strerror(errorNumber)))"
        }
    }
}

/// What is at a path that is not a regular file, for messages.
public enum FileKind {
    /// What a file of `mode` (from `stat`) is, such as `a FIFO (named pipe)`; `nil` for a regular
    /// file.
    public static func name(ofMode mode: UInt32) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "a directory"
        case S_IFLNK: "a symbolic link"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFCHR, S_IFBLK: "a device"
        case S_IFSOCK: "a socket"
        default: "not a regular file"
        }
    }
}
