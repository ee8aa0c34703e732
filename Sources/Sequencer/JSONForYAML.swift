/// JSON text made readable by the YAML parser, which reads JSON as YAML's flow style so that both
/// kinds of routine file get the same line-numbered messages.
///
/// Two things valid in JSON are not in YAML, and both are rewritten here:
/// - tabs between tokens, which become spaces (JSON never has a raw tab inside a string);
/// - a character outside the Basic Multilingual Plane written as a UTF-16 surrogate pair
///   (`\uD83E\uDDB6`, as JSONEncoder and Python's json module write 🦶), which YAML refuses as two
///   invalid code points; it becomes YAML's own eight-digit escape, `\U0001F9B6`.
///
/// The second is two characters shorter, so `columnShifts` maps a position the YAML parser reports
/// back to the column in the file as written.
struct JSONForYAML {
    /// Where the rewritten text is shorter than the file, line by line.
    struct ColumnShifts {
        /// For each 1-based line, the 1-based columns of the rewritten text at which a shortened
        /// escape ended, in order; every position at or after one lies `shiftPerEscape` further
        /// right in the file.
        fileprivate var escapeEnds: [Int: [Int]] = [:]
        static let shiftPerEscape = 2

        /// The column in the file of `column` on `line` of the rewritten text.
        func originalColumn(_ column: Int, line: Int) -> Int {
            guard let ends = escapeEnds[line] else { return column }
            return column + ends.filter { $0 <= column }.count * Self.shiftPerEscape
        }
    }

    private(set) var yamlText: String
    private(set) var columnShifts = ColumnShifts()

    init(_ json: String) {
        let input = Array(json.unicodeScalars)
        var output = String.UnicodeScalarView()
        var line = 1
        var column = 1
        var isInString = false
        var index = 0
        func append(_ scalar: Unicode.Scalar) {
            output.append(scalar)
            column += 1
        }
        while index < input.count {
            let scalar = input[index]
            if !isInString {
                switch scalar {
                case "\n":
                    output.append(scalar)
                    line += 1
                    column = 1
                case "\t": append(" ")
                case "\"":
                    isInString = true
                    append(scalar)
                default: append(scalar)
                }
                index += 1
                continue
            }
            switch scalar {
            case "\"":
                isInString = false
                append(scalar)
                index += 1
            case "\\":
                if let combined = Self.surrogatePair(in: input, at: index) {
                    for escaped in ("\\U" + Self.hexDigits(combined.value, count: 8)).unicodeScalars { append(escaped) }
                    columnShifts.escapeEnds[line, default: []].append(column)
                    index += 12
                } else {
                    // Any other escape is copied whole, so an escaped quote does not end the string.
                    append(scalar)
                    if index + 1 < input.count { append(input[index + 1]) }
                    index += 2
                }
            case "\n":
                // Not valid JSON; copied so the YAML parser reports it where it is.
                output.append(scalar)
                line += 1
                column = 1
                index += 1
            default:
                append(scalar)
                index += 1
            }
        }
        yamlText = String(output)
    }

    /// The character of a `\uD8xx\uDCxx` pair starting at `index`, or `nil` if there is none.
    private static func surrogatePair(in input: [Unicode.Scalar], at index: Int) -> Unicode.Scalar? {
        func codeUnit(at start: Int) -> UInt32? {
            guard input[start] == "\\" else { return nil }
            var value: UInt32 = 0
            for scalar in input[(start + 2)..<(start + 6)] {
                guard let digit = Character(scalar).hexDigitValue else { return nil }
                value = value * 16 + UInt32(digit)
            }
            return value
        }
        // JSON's escape is a lowercase u; YAML's \U takes eight digits, so only \u is a pair.
        guard index + 12 <= input.count, input[index + 1] == "u", let high = codeUnit(at: index),
            (0xD800...0xDBFF).contains(high), input[index + 7] == "u", let low = codeUnit(at: index + 6),
            (0xDC00...0xDFFF).contains(low)
        else { return nil }
        return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
    }

    private static func hexDigits(_ value: UInt32, count: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, count - digits.count)) + digits
    }
}
