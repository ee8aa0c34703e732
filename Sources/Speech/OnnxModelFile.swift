/// The little of the ONNX file format that checking and preparing a Piper voice takes.
///
/// An ONNX model is a protocol buffer (`ModelProto`). Soothe walks its top level and its graph
/// without decoding the weights: every field must be well formed and end exactly at the end of the
/// file, so a truncated or foreign file is found before sherpa-onnx reads it. Metadata is a
/// repeated field (`metadata_props`, number 14), and protocol buffers merge repeated fields that
/// follow each other, so appending entries to a copy of the file adds metadata without rewriting it.
struct OnnxModelSummary: Equatable {
    /// The graph's input and output names, such as `input`, `input_lengths`, `scales` and `sid`.
    var inputNames: [String] = []
    var outputNames: [String] = []
    /// `metadata_props`; where a key repeats, the last value, as ONNX Runtime reads it.
    var metadata: [String: String] = [:]
    var hasGraph = false
}

struct OnnxFormatError: Error, Equatable {
    var message: String
}

enum OnnxModelFile {
    // Field numbers from onnx.proto.
    private static let modelGraphField = 7
    private static let modelMetadataField = 14
    private static let graphInputField = 11
    private static let graphOutputField = 12
    private static let valueInfoNameField = 1
    private static let entryKeyField = 1
    private static let entryValueField = 2

    /// Walks `bytes` as a `ModelProto`.
    static func summary(of bytes: UnsafeRawBufferPointer) throws(OnnxFormatError) -> OnnxModelSummary {
        var summary = OnnxModelSummary()
        try walk(bytes, 0..<bytes.count, what: "the model") { field, range throws(OnnxFormatError) in
            guard let range else { return }
            switch field {
            case modelGraphField:
                summary.hasGraph = true
                try walk(bytes, range, what: "the model's graph") { field, range throws(OnnxFormatError) in
                    guard let range, field == graphInputField || field == graphOutputField else { return }
                    var name = ""
                    try walk(bytes, range, what: "a graph input") { field, range throws(OnnxFormatError) in
                        if field == valueInfoNameField, let range { name = string(bytes, range) }
                    }
                    if field == graphInputField {
                        summary.inputNames.append(name)
                    } else {
                        summary.outputNames.append(name)
                    }
                }
            case modelMetadataField:
                var key = ""
                var value = ""
                try walk(bytes, range, what: "the model's metadata") { field, range throws(OnnxFormatError) in
                    guard let range else { return }
                    if field == entryKeyField { key = string(bytes, range) }
                    if field == entryValueField { value = string(bytes, range) }
                }
                summary.metadata[key] = value
            default: break
            }
        }
        return summary
    }

    /// The bytes that, appended to a model file, add `entries` to its metadata.
    static func metadataBytes(_ entries: [(key: String, value: String)]) -> [UInt8] {
        var bytes: [UInt8] = []
        for entry in entries {
            var inner: [UInt8] = []
            appendLengthDelimited(field: entryKeyField, Array(entry.key.utf8), to: &inner)
            appendLengthDelimited(field: entryValueField, Array(entry.value.utf8), to: &inner)
            appendLengthDelimited(field: modelMetadataField, inner, to: &bytes)
        }
        return bytes
    }

    private static func appendLengthDelimited(field: Int, _ payload: [UInt8], to bytes: inout [UInt8]) {
        appendVarint(UInt64(field << 3 | 2), to: &bytes)
        appendVarint(UInt64(payload.count), to: &bytes)
        bytes += payload
    }

    private static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7f) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    private static func string(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// Calls `body` with each field of the message in `range`: its number, and for a
    /// length-delimited field its payload's range (`nil` for the other wire types).
    private static func walk(
        _ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, what: String,
        _ body: (Int, Range<Int>?) throws(OnnxFormatError) -> Void
    ) throws(OnnxFormatError) {
        var offset = range.lowerBound
        let end = range.upperBound
        func varint() throws(OnnxFormatError) -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard offset < end else { throw OnnxFormatError(message: "\(what) ends in the middle of a field") }
                let byte = bytes[offset]
                offset += 1
                guard shift < 64 else { throw OnnxFormatError(message: "\(what) holds a malformed number") }
                value |= UInt64(byte & 0x7f) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
        }
        while offset < end {
            let tag = try varint()
            let field = Int(truncatingIfNeeded: tag >> 3)
            guard field > 0 else {
                throw OnnxFormatError(message: "\(what) holds a field numbered 0, which is not ONNX")
            }
            switch tag & 7 {
            case 0:
                _ = try varint()
                try body(field, nil)
            case 1, 5:
                let size = tag & 7 == 1 ? 8 : 4
                guard end - offset >= size else {
                    throw OnnxFormatError(message: "\(what) ends in the middle of a field")
                }
                offset += size
                try body(field, nil)
            case 2:
                let length = try varint()
                guard length <= UInt64(end - offset) else {
                    throw OnnxFormatError(message: "\(what) is cut short: a field runs past its end")
                }
                let payload = offset..<(offset + Int(length))
                offset = payload.upperBound
                try body(field, payload)
            default:
                throw OnnxFormatError(message: "\(what) holds a field of an unknown kind (\(tag & 7)); it is not ONNX")
            }
        }
    }
}
