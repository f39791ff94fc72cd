/// Encodes rows in PostgreSQL's binary COPY format: a header, then per row
/// a field count and each field as a length and big-endian bytes.
///
/// Bytes go straight into one growing raw buffer: a value costs one
/// capacity check and one unaligned store, not an `Array.append` per byte.
final class PGBinaryCopyEncoder: RowSink {
    private(set) var base: UnsafeMutableRawPointer
    private var capacity: Int
    /// Bytes encoded so far.
    private(set) var count = 0
    /// Whether each column is a 4-byte INTEGER (else integers are BIGINT).
    private let narrow: [Bool]
    private let fieldCount: Int16
    private var field = 0
    /// Microseconds between 1970-01-01 and PostgreSQL's epoch, 2000-01-01.
    static let epochShift: Int64 = 946_684_800_000_000
    static let header: [UInt8] =
        Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0] + [0, 0, 0, 0, 0, 0, 0, 0]

    init(columns: [ColumnSpec], capacity: Int = (1 << 20) + (64 << 10)) {
        narrow = columns.map { $0.type == .integer }
        fieldCount = Int16(columns.count)
        self.capacity = capacity
        base = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        base.deallocate()
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Forgets the encoded bytes, keeping the memory.
    func clear() { count = 0 }

    /// The 19-byte signature and flags that open a COPY stream.
    func beginStream() {
        for b in Self.header { put8(b) }
    }

    @inline(__always) private func reserve(_ n: Int) {
        if count + n > capacity { grow(count + n) }
    }

    private func grow(_ needed: Int) {
        let size = max(needed, capacity * 2)
        let bigger = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        bigger.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = bigger
        capacity = size
    }

    @inline(__always) private func put8(_ v: UInt8) {
        reserve(1)
        base.storeBytes(of: v, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    @inline(__always) private func put16(_ v: Int16) {
        base.storeBytes(of: UInt16(bitPattern: v).bigEndian, toByteOffset: count, as: UInt16.self)
        count += 2
    }

    @inline(__always) private func put32(_ v: Int32) {
        base.storeBytes(of: UInt32(bitPattern: v).bigEndian, toByteOffset: count, as: UInt32.self)
        count += 4
    }

    @inline(__always) private func put64(_ v: UInt64) {
        base.storeBytes(of: v.bigEndian, toByteOffset: count, as: UInt64.self)
        count += 8
    }

    func beginRow() {
        reserve(2)
        put16(fieldCount)
        field = 0
    }

    /// The trailer that closes a COPY stream.
    func finish() {
        reserve(2)
        put16(-1)
    }

    func text(_ bytes: UnsafeBufferPointer<UInt8>) {
        reserve(4 + bytes.count)
        put32(Int32(bytes.count))
        if let source = bytes.baseAddress {
            (base + count).copyMemory(from: source, byteCount: bytes.count)
        }
        count += bytes.count
        field += 1
    }

    func text(_ value: String) {
        var value = value
        value.withUTF8 { text($0) }
    }

    func timestamp(_ microseconds: Int64) {
        reserve(12)
        put32(8)
        put64(UInt64(bitPattern: microseconds - Self.epochShift))
        field += 1
    }

    func double(_ value: Double) {
        reserve(12)
        put32(8)
        put64(value.bitPattern)
        field += 1
    }

    func integer(_ value: Int64) {
        reserve(12)
        if narrow[field] {
            put32(4)
            put32(Int32(truncatingIfNeeded: value))
        } else {
            put32(8)
            put64(UInt64(bitPattern: value))
        }
        field += 1
    }

    func boolean(_ value: Bool) {
        reserve(5)
        put32(1)
        base.storeBytes(of: value ? 1 : 0, toByteOffset: count, as: UInt8.self)
        count += 1
        field += 1
    }

    func null() {
        reserve(4)
        put32(-1)
        field += 1
    }
}
