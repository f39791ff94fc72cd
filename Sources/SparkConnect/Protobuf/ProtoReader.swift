/// Reads protobuf wire-format fields one by one from a byte buffer.
///
/// Unknown fields are returned like known ones; callers ignore the numbers
/// they do not know, which is how newer servers stay readable. Groups
/// (wire types 3 and 4, long deprecated) are rejected.
struct ProtoReader {
    /// One decoded field.
    struct Field {
        let number: Int
        let value: Value
    }

    /// The payload of a field, by wire type.
    enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case lengthDelimited(ArraySlice<UInt8>)
        case fixed32(UInt32)
    }

    private let bytes: ArraySlice<UInt8>
    private var position: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.position = bytes.startIndex
    }

    init(_ bytes: [UInt8]) {
        self.init(bytes[...])
    }

    /// The next field, or nil at the end of the buffer.
    mutating func next() throws(SparkConnectError) -> Field? {
        guard position < bytes.endIndex else { return nil }
        let key = try readVarint()
        let number = Int(key >> 3)
        guard number > 0 else { throw Self.malformed("field number 0") }
        switch key & 7 {
        case 0:
            return Field(number: number, value: .varint(try readVarint()))
        case 1:
            return Field(number: number, value: .fixed64(try readFixed(8)))
        case 2:
            let length = try readVarint()
            guard length <= UInt64(bytes.endIndex - position) else {
                throw Self.malformed("field \(number) is longer than its message")
            }
            let end = position + Int(length)
            defer { position = end }
            return Field(number: number, value: .lengthDelimited(bytes[position..<end]))
        case 5:
            return Field(number: number, value: .fixed32(UInt32(try readFixed(4))))
        default:
            throw Self.malformed("unsupported wire type \(key & 7) in field \(number)")
        }
    }

    private mutating func readVarint() throws(SparkConnectError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.endIndex else { throw Self.malformed("truncated varint") }
            guard shift < 64 else { throw Self.malformed("varint longer than 10 bytes") }
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    private mutating func readFixed(_ size: Int) throws(SparkConnectError) -> UInt64 {
        guard bytes.endIndex - position >= size else {
            throw Self.malformed("truncated fixed-size field")
        }
        var result: UInt64 = 0
        for index in 0..<size {
            result |= UInt64(bytes[position + index]) << (8 * UInt64(index))
        }
        position += size
        return result
    }

    static func malformed(_ what: String) -> SparkConnectError {
        SparkConnectError(
            .protocolViolation,
            "malformed protobuf from the Spark Connect server (\(what)); check that the server "
                + "is a Spark Connect endpoint of a supported version (tested: Spark 4.3.0)")
    }
}

extension ProtoReader.Value {
    /// The field as a UTF-8 string, or a protocol error.
    func string() throws(SparkConnectError) -> String {
        guard case .lengthDelimited(let slice) = self else {
            throw ProtoReader.malformed("expected a string")
        }
        return String(decoding: slice, as: UTF8.self)
    }

    /// The field's raw bytes, or a protocol error.
    func data() throws(SparkConnectError) -> ArraySlice<UInt8> {
        guard case .lengthDelimited(let slice) = self else {
            throw ProtoReader.malformed("expected a length-delimited field")
        }
        return slice
    }

    /// The field as an integer (varint), or a protocol error.
    func integer() throws(SparkConnectError) -> Int64 {
        guard case .varint(let value) = self else {
            throw ProtoReader.malformed("expected a varint")
        }
        return Int64(bitPattern: value)
    }
}
