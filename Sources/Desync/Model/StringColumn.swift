/// A column of strings kept as one byte buffer plus offsets.
///
/// Millions of 36-byte UUIDs as Swift `String`s would mean millions of heap
/// allocations; here they are appended as bytes and handed to SQLite or to
/// a COPY buffer straight from this storage.
public struct StringColumn: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// `offsets[i] ..< offsets[i + 1]` are the bytes of row `i`.
    public private(set) var offsets: [Int] = [0]

    public init() {}

    public var count: Int { offsets.count - 1 }

    public mutating func reserve(rows: Int, bytesPerRow: Int) {
        offsets.reserveCapacity(rows + 1)
        bytes.reserveCapacity(rows * bytesPerRow)
    }

    public mutating func append(_ value: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: value)
        offsets.append(bytes.count)
    }

    public mutating func append(_ value: String) {
        var value = value
        value.withUTF8 { append($0) }
    }

    public mutating func append(contentsOf other: StringColumn) {
        let base = bytes.count
        bytes.append(contentsOf: other.bytes)
        offsets.reserveCapacity(offsets.count + other.count)
        for i in 1..<other.offsets.count {
            offsets.append(base + other.offsets[i])
        }
    }

    /// Appends row `row` of `other`.
    public mutating func append(row: Int, of other: StringColumn) {
        bytes.append(contentsOf: other.bytes[other.offsets[row]..<other.offsets[row + 1]])
        offsets.append(bytes.count)
    }

    public subscript(row: Int) -> String {
        String(decoding: bytes[offsets[row]..<offsets[row + 1]], as: UTF8.self)
    }

    /// Calls `body` with the bytes of one row, without copying.
    @inline(__always)
    public func withBytes<R>(
        _ row: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R
    ) rethrows -> R {
        try bytes.withUnsafeBufferPointer { all in
            let start = offsets[row]
            return try body(UnsafeBufferPointer(rebasing: all[start..<offsets[row + 1]]))
        }
    }

    public func rowsEqual(_ a: Int, _ b: Int) -> Bool {
        let la = offsets[a + 1] - offsets[a]
        guard la == offsets[b + 1] - offsets[b] else { return false }
        return bytes[offsets[a]..<offsets[a + 1]].elementsEqual(bytes[offsets[b]..<offsets[b + 1]])
    }
}

/// Maps distinct strings (session ids, player ids, event types) to small
/// integers, so joins and groupings compare integers.
public struct Interner: Sendable {
    public private(set) var values: [String] = []
    private var ids: [String: Int32] = [:]

    public init() {}

    public mutating func id(for value: String) -> Int32 {
        if let id = ids[value] { return id }
        let id = Int32(values.count)
        values.append(value)
        ids[value] = id
        return id
    }

    public func existingID(for value: String) -> Int32? { ids[value] }

    public subscript(id: Int32) -> String { values[Int(id)] }

    public var count: Int { values.count }
}
