/// An open-addressing hash table of row numbers, keyed by whatever the
/// caller's `hash` and `equal` say about two rows.
///
/// Joining and de-duplicating millions of rows through `Dictionary` would
/// build a key value per row; this stores 4-byte row numbers and compares
/// the columns in place.
struct RowKeyTable {
    private var slots: [Int32]
    private let mask: Int

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: -1, count: size)
        mask = size - 1
    }

    /// Inserts `row` unless an equal row is present; returns the row that
    /// was there, or nil when `row` was inserted.
    @inline(__always)
    mutating func insert(
        _ row: Int32, hash: UInt64, equal: (Int32) -> Bool
    ) -> Int32? {
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let existing = slots[i]
            if existing < 0 {
                slots[i] = row
                return nil
            }
            if equal(existing) { return existing }
            i = (i + 1) & mask
        }
    }

    /// The stored row equal to the probe, if any.
    @inline(__always)
    func find(hash: UInt64, equal: (Int32) -> Bool) -> Int32? {
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let existing = slots[i]
            if existing < 0 { return nil }
            if equal(existing) { return existing }
            i = (i + 1) & mask
        }
    }

    /// A 64-bit mix of a join key (session, player, timestamp).
    @inline(__always)
    static func hash(session: Int32, player: Int32, time: Int64) -> UInt64 {
        var h = UInt64(UInt32(bitPattern: session)) << 32 | UInt64(UInt32(bitPattern: player))
        h ^= UInt64(bitPattern: time) &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return h
    }

    /// FNV-1a over bytes, finished with a mix: for string ids.
    @inline(__always)
    static func hash(bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes {
            h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3
        }
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        return h
    }
}
