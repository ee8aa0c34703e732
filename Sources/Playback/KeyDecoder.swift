/// What a key press asks for.
public enum KeyAction: Equatable, Sendable {
    case command(TransportCommand)
    case lengthenStep
    case shortenStep
}

/// A key as a terminal sends it.
public enum TerminalKey: Equatable, Sendable {
    /// A printable ASCII character.
    case character(Character)
    /// Return or Enter (a carriage return or a line feed).
    case enter
    /// Ctrl-C as a byte, when the terminal does not turn it into a signal.
    case interrupt
    case up, down, left, right
}

/// Turns the bytes a terminal sends into keys, arrow-key escape sequences included (`ESC [ A` and
/// the application-mode `ESC O A`), and keys into the player's actions. Keeps an incomplete
/// sequence for the next bytes.
public struct KeyDecoder {
    private var pending: [UInt8] = []
    /// Whether the last byte was a carriage return, so that the line feed of a CR LF pair is not a
    /// second Enter.
    private var followsCarriageReturn = false

    public init() {}

    /// The player's actions for `bytes`.
    public mutating func decode(_ bytes: [UInt8]) -> [KeyAction] {
        keys(bytes).compactMap { key -> KeyAction? in
            switch key {
            case .up: .command(.volumeUp)
            case .down: .command(.volumeDown)
            case .right: .command(.nextStep)
            case .left: .command(.previousStep)
            case .interrupt: .command(.stop)
            case .enter: nil
            case .character(let character):
                switch character {
                case " ": .command(.togglePause)
                case "n", "N": .command(.nextStep)
                case "b", "B": .command(.previousStep)
                case "+", "=": .lengthenStep
                case "-", "_": .shortenStep
                case "q", "Q": .command(.stop)
                default: nil
                }
            }
        }
    }

    /// The keys in `bytes`, with what came before.
    public mutating func keys(_ bytes: [UInt8]) -> [TerminalKey] {
        pending += bytes
        var keys: [TerminalKey] = []
        var index = 0
        while index < pending.count {
            let byte = pending[index]
            if byte == 0x1B {
                guard index + 2 < pending.count else {
                    // A lone escape, or the start of a sequence still on its way.
                    if index + 1 < pending.count, pending[index + 1] != UInt8(ascii: "["),
                        pending[index + 1] != UInt8(ascii: "O")
                    {
                        index += 1
                        continue
                    }
                    break
                }
                let introducer = pending[index + 1]
                if introducer == UInt8(ascii: "[") || introducer == UInt8(ascii: "O") {
                    switch pending[index + 2] {
                    case UInt8(ascii: "A"): keys.append(.up)
                    case UInt8(ascii: "B"): keys.append(.down)
                    case UInt8(ascii: "C"): keys.append(.right)
                    case UInt8(ascii: "D"): keys.append(.left)
                    default: break
                    }
                    index += 3
                } else {
                    index += 1
                }
                followsCarriageReturn = false
                continue
            }
            switch byte {
            case 0x0D: keys.append(.enter)
            case 0x0A where !followsCarriageReturn: keys.append(.enter)
            case 0x03: keys.append(.interrupt)
            case 0x20...0x7E: keys.append(.character(Character(Unicode.Scalar(byte))))
            default: break
            }
            followsCarriageReturn = byte == 0x0D
            index += 1
        }
        pending.removeFirst(index)
        return keys
    }
}
