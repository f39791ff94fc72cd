/// The Arrow column types the reader understands, parsed from a `Field` in
/// an IPC schema message.
enum ArrowType: Equatable {
    /// Signed integer of 8, 16, 32 or 64 bits.
    case int(bitWidth: Int)
    /// IEEE float: 32 (single) or 64 (double) bits.
    case floatingPoint(bitWidth: Int)
    case utf8
    case bool
    /// Timestamp; `divisor`/`multiplier` turn the stored unit into microseconds.
    case timestamp(unit: Int16, timeZone: String?)
    case null

    /// Type union tags from `Schema.fbs`.
    private enum Tag {
        static let null: UInt8 = 1
        static let int: UInt8 = 2
        static let floatingPoint: UInt8 = 3
        static let utf8: UInt8 = 5
        static let bool: UInt8 = 6
        static let timestamp: UInt8 = 10
    }

    /// Parses `Field.type_type` (field 2) and `Field.type` (field 3).
    init(field: FlatBufferTable, name: String) throws(SparkConnectError) {
        let tag = UInt8(bitPattern: try field.int8(2))
        let details = try field.table(3)
        switch tag {
        case Tag.null:
            self = .null
        case Tag.int:
            let width = Int(try details?.int32(0) ?? 0)
            let signed = try details?.bool(1) ?? false
            guard signed, [8, 16, 32, 64].contains(width) else {
                throw Self.unsupported(name, "int\(width) signed=\(signed)")
            }
            self = .int(bitWidth: width)
        case Tag.floatingPoint:
            switch try details?.int16(0) ?? -1 {
            case 1: self = .floatingPoint(bitWidth: 32)
            case 2: self = .floatingPoint(bitWidth: 64)
            default: throw Self.unsupported(name, "half-precision float")
            }
        case Tag.utf8:
            self = .utf8
        case Tag.bool:
            self = .bool
        case Tag.timestamp:
            let unit = try details?.int16(0) ?? 0
            guard (0...3).contains(unit) else {
                throw Self.unsupported(name, "timestamp unit \(unit)")
            }
            self = .timestamp(unit: unit, timeZone: try details?.string(1))
        default:
            throw Self.unsupported(name, "Arrow type tag \(tag)")
        }
    }

    /// How many body buffers a column of this type uses in a record batch.
    var bufferCount: Int {
        switch self {
        case .null: 0
        case .utf8: 3
        default: 2
        }
    }

    private static func unsupported(_ column: String, _ what: String) -> SparkConnectError {
        SparkConnectError(
            .arrow,
            "column \(column) has an Arrow type the client does not read (\(what)); cast it in "
                + "the query to BIGINT, INT, DOUBLE, STRING, BOOLEAN or TIMESTAMP")
    }
}
