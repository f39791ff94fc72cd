/// Read-only view of one FlatBuffers table inside a byte buffer, enough to
/// walk Arrow's IPC metadata (`Message.fbs`, `Schema.fbs`) without the
/// FlatBuffers library.
///
/// Layout reminder: a table starts with a signed 32-bit offset back to its
/// vtable; the vtable lists, per field, the field's offset from the table
/// start (0 = absent, use the default). Strings, vectors and sub-tables are
/// stored as unsigned 32-bit offsets relative to where the offset sits.
/// Every read is bounds-checked: the data comes from the network.
struct FlatBufferTable {
    let bytes: ArraySlice<UInt8>
    /// Absolute index of the table start in `bytes`.
    let position: Int
    private let vtable: Int
    private let vtableSize: Int

    /// The root table of a buffer (its first 4 bytes point to it).
    static func root(of bytes: ArraySlice<UInt8>) throws(SparkConnectError) -> FlatBufferTable {
        let offset = try readUInt32(bytes, at: bytes.startIndex)
        return try FlatBufferTable(bytes, at: bytes.startIndex + Int(offset))
    }

    init(_ bytes: ArraySlice<UInt8>, at position: Int) throws(SparkConnectError) {
        self.bytes = bytes
        self.position = position
        let back = Int(Int32(bitPattern: try Self.readUInt32(bytes, at: position)))
        vtable = position - back
        vtableSize = Int(try Self.readUInt16(bytes, at: vtable))
        guard vtableSize >= 4, vtableSize % 2 == 0 else {
            throw Self.malformed("bad vtable size \(vtableSize)")
        }
    }

    /// Absolute position of field `index`, or nil when the field is absent.
    func fieldPosition(_ index: Int) throws(SparkConnectError) -> Int? {
        let entry = 4 + 2 * index
        guard entry + 2 <= vtableSize else { return nil }
        let offset = Int(try Self.readUInt16(bytes, at: vtable + entry))
        return offset == 0 ? nil : position + offset
    }

    func int8(_ index: Int, default value: Int8 = 0) throws(SparkConnectError) -> Int8 {
        guard let at = try fieldPosition(index) else { return value }
        guard at >= bytes.startIndex, at < bytes.endIndex else { throw Self.malformed("int8") }
        return Int8(bitPattern: bytes[at])
    }

    func bool(_ index: Int, default value: Bool = false) throws(SparkConnectError) -> Bool {
        try int8(index, default: value ? 1 : 0) != 0
    }

    func int16(_ index: Int, default value: Int16 = 0) throws(SparkConnectError) -> Int16 {
        guard let at = try fieldPosition(index) else { return value }
        return Int16(bitPattern: try Self.readUInt16(bytes, at: at))
    }

    func int32(_ index: Int, default value: Int32 = 0) throws(SparkConnectError) -> Int32 {
        guard let at = try fieldPosition(index) else { return value }
        return Int32(bitPattern: try Self.readUInt32(bytes, at: at))
    }

    func int64(_ index: Int, default value: Int64 = 0) throws(SparkConnectError) -> Int64 {
        guard let at = try fieldPosition(index) else { return value }
        return Int64(bitPattern: try Self.readUInt64(bytes, at: at))
    }

    /// A sub-table field, or nil when absent.
    func table(_ index: Int) throws(SparkConnectError) -> FlatBufferTable? {
        guard let at = try fieldPosition(index) else { return nil }
        return try FlatBufferTable(bytes, at: at + Int(try Self.readUInt32(bytes, at: at)))
    }

    /// A string field, or nil when absent.
    func string(_ index: Int) throws(SparkConnectError) -> String? {
        guard let (start, count) = try vector(index) else { return nil }
        guard start + count <= bytes.endIndex else { throw Self.malformed("string") }
        return String(decoding: bytes[start..<start + count], as: UTF8.self)
    }

    /// A vector field as (absolute start of the elements, element count);
    /// checks that `count` elements of `elementSize` bytes fit the buffer.
    func vector(_ index: Int, elementSize: Int = 1) throws(SparkConnectError)
        -> (start: Int, count: Int)?
    {
        guard let at = try fieldPosition(index) else { return nil }
        let vectorAt = at + Int(try Self.readUInt32(bytes, at: at))
        let count = Int(try Self.readUInt32(bytes, at: vectorAt))
        guard count * elementSize <= bytes.endIndex - (vectorAt + 4) else {
            throw Self.malformed("vector of \(count) elements longer than the buffer")
        }
        return (vectorAt + 4, count)
    }

    /// The tables of a vector-of-tables field (empty when absent).
    func tables(_ index: Int) throws(SparkConnectError) -> [FlatBufferTable] {
        guard let (start, count) = try vector(index, elementSize: 4) else { return [] }
        var result: [FlatBufferTable] = []
        result.reserveCapacity(count)
        for element in 0..<count {
            let at = start + 4 * element
            result.append(
                try FlatBufferTable(bytes, at: at + Int(try Self.readUInt32(bytes, at: at))))
        }
        return result
    }

    static func readUInt16(_ bytes: ArraySlice<UInt8>, at index: Int) throws(SparkConnectError)
        -> UInt16
    {
        UInt16(truncatingIfNeeded: try readLittleEndian(bytes, at: index, size: 2))
    }

    static func readUInt32(_ bytes: ArraySlice<UInt8>, at index: Int) throws(SparkConnectError)
        -> UInt32
    {
        UInt32(truncatingIfNeeded: try readLittleEndian(bytes, at: index, size: 4))
    }

    static func readUInt64(_ bytes: ArraySlice<UInt8>, at index: Int) throws(SparkConnectError)
        -> UInt64
    {
        try readLittleEndian(bytes, at: index, size: 8)
    }

    /// A non-negative 64-bit length or offset; anything above 2^48 is
    /// treated as corrupt (no Arrow buffer from Spark comes close).
    static func readLength(_ bytes: ArraySlice<UInt8>, at index: Int) throws(SparkConnectError)
        -> Int
    {
        let value = try readUInt64(bytes, at: index)
        guard value < 1 << 48 else { throw malformed("length \(value) out of range") }
        return Int(value)
    }

    private static func readLittleEndian(_ bytes: ArraySlice<UInt8>, at index: Int, size: Int)
        throws(SparkConnectError) -> UInt64
    {
        guard index >= bytes.startIndex, index <= bytes.endIndex - size else {
            throw malformed("read of \(size) bytes at \(index - bytes.startIndex) out of bounds")
        }
        var value: UInt64 = 0
        for offset in 0..<size {
            value |= UInt64(bytes[index + offset]) << (8 * UInt64(offset))
        }
        return value
    }

    static func malformed(_ what: String) -> SparkConnectError {
        SparkConnectError(.arrow, "malformed Arrow IPC metadata from Spark (\(what))")
    }
}
