/// What a key press asks for.
public enum KeyAction: Equatable, Sendable {
    case command(TransportCommand)
    case lengthenStep
    case shortenStep
}

/// Turns the bytes a terminal sends into key actions, arrow-key escape sequences included
/// (`ESC [ A` and the application-mode `ESC O A`). Keeps an incomplete sequence for the next
/// bytes.
public struct KeyDecoder {
    private var pending: [UInt8] = []

    public init() {}

    public mutating func decode(_ bytes: [UInt8]) -> [KeyAction] {
        pending += bytes
        var actions: [KeyAction] = []
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
                    case UInt8(ascii: "A"): actions.append(.command(.volumeUp))
                    case UInt8(ascii: "B"): actions.append(.command(.volumeDown))
                    case UInt8(ascii: "C"): actions.append(.command(.nextStep))
                    case UInt8(ascii: "D"): actions.append(.command(.previousStep))
                    default: break
                    }
                    index += 3
                } else {
                    index += 1
                }
                continue
            }
            switch byte {
            case UInt8(ascii: " "): actions.append(.command(.togglePause))
            case UInt8(ascii: "n"), UInt8(ascii: "N"): actions.append(.command(.nextStep))
            case UInt8(ascii: "b"), UInt8(ascii: "B"): actions.append(.command(.previousStep))
            case UInt8(ascii: "+"), UInt8(ascii: "="): actions.append(.lengthenStep)
            case UInt8(ascii: "-"), UInt8(ascii: "_"): actions.append(.shortenStep)
            case UInt8(ascii: "q"), UInt8(ascii: "Q"), 0x03: actions.append(.command(.stop))
            default: break
            }
            index += 1
        }
        pending.removeFirst(index)
        return actions
    }
}
