/// Appends protobuf wire-format fields to a byte array.
///
/// Only the wire types the Spark Connect requests need: varint (0) and
/// length-delimited (2). Fields are written in the order they are added;
/// proto3 defaults (empty strings, zero) are written only when asked to.
struct ProtoWriter {
    private(set) var bytes: [UInt8] = []

    /// Writes a varint field.
    mutating func varint(_ field: Int, _ value: UInt64) {
        tag(field, wireType: 0)
        appendVarint(value)
    }

    /// Writes a bool field as a varint.
    mutating func bool(_ field: Int, _ value: Bool) {
        varint(field, value ? 1 : 0)
    }

    /// Writes a string field (UTF-8, length-delimited).
    mutating func string(_ field: Int, _ value: String) {
        bytes(field, Array(value.utf8))
    }

    /// Writes a bytes field (length-delimited).
    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        tag(field, wireType: 2)
        appendVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Writes an embedded message built by `build`.
    mutating func message(_ field: Int, _ build: (inout ProtoWriter) -> Void) {
        var nested = ProtoWriter()
        build(&nested)
        bytes(field, nested.bytes)
    }

    private mutating func tag(_ field: Int, wireType: UInt64) {
        precondition(field > 0 && field < 1 << 29, "protobuf field number out of range")
        appendVarint(UInt64(field) << 3 | wireType)
    }

    private mutating func appendVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }
}
