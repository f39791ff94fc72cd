/// Stable least-significant-digit radix sorts of row numbers by integer
/// keys: the orders the analytics need (by distance, ping, loss, clock
/// gap, and player and time) in O(n) passes instead of comparison sorts.
///
/// Every sort is stable, so starting from `0..<n` the result lists rows by
/// key and equal keys by row number: exactly the order of a comparison
/// sort on (value, row). Digits of 11 bits keep the histogram (2048
/// counters) in the L1 cache; a digit on which every key agrees is
/// skipped, so small keys (ping in ms, a constant clock gap) cost one pass
/// or none.
enum RadixOrder {
    private static let digitBits = 11
    private static let digitCount = (64 + digitBits - 1) / digitBits
    private static let buckets = 1 << digitBits

    /// Rows `0..<count` ordered by `key(row)`, ties by row number.
    static func rows(count: Int, key: (Int) -> UInt64) -> [Int32] {
        var rows = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count { buffer[i] = Int32(i) }
            initialized = count
        }
        sort(&rows, key: key)
        return rows
    }

    /// Reorders `rows` stably by `key(row)`.
    static func sort(_ rows: inout [Int32], key: (Int) -> UInt64) {
        let n = rows.count
        guard n > 1 else { return }
        var keys = [UInt64](unsafeUninitializedCapacity: n) { buffer, initialized in
            rows.withUnsafeBufferPointer { r in
                for k in 0..<n { buffer[k] = key(Int(r[k])) }
            }
            initialized = n
        }
        // All digits' histograms in one pass over the keys.
        var counts = [Int](repeating: 0, count: digitCount * buckets)
        let mask = UInt64(buckets - 1)
        counts.withUnsafeMutableBufferPointer { c in
            keys.withUnsafeBufferPointer { ks in
                for k in ks {
                    for d in 0..<digitCount {
                        c[d * buckets + Int((k >> UInt64(d * digitBits)) & mask)] += 1
                    }
                }
            }
        }
        var spareKeys = [UInt64](repeating: 0, count: 0)
        var spareRows = [Int32](repeating: 0, count: 0)
        for d in 0..<digitCount {
            let base = d * buckets
            // A digit every key shares leaves the order as it is.
            if counts[base + Int((keys[0] >> UInt64(d * digitBits)) & mask)] == n { continue }
            if spareKeys.isEmpty {
                spareKeys = [UInt64](repeating: 0, count: n)
                spareRows = [Int32](repeating: 0, count: n)
            }
            var next = [Int](repeating: 0, count: buckets)
            var total = 0
            for b in 0..<buckets {
                next[b] = total
                total += counts[base + b]
            }
            let shift = UInt64(d * digitBits)
            keys.withUnsafeBufferPointer { ks in
                rows.withUnsafeBufferPointer { rs in
                    spareKeys.withUnsafeMutableBufferPointer { ok in
                        spareRows.withUnsafeMutableBufferPointer { or in
                            next.withUnsafeMutableBufferPointer { nx in
                                for k in 0..<n {
                                    let b = Int((ks[k] >> shift) & mask)
                                    let to = nx[b]
                                    ok[to] = ks[k]
                                    or[to] = rs[k]
                                    nx[b] = to + 1
                                }
                            }
                        }
                    }
                }
            }
            swap(&keys, &spareKeys)
            swap(&rows, &spareRows)
        }
    }

    /// A key that orders doubles as `<` does: the sign bit flipped for
    /// positive values, every bit for negative ones. -0.0 is keyed as 0.0,
    /// since `<` finds them equal. (NaN has no place in `<`'s order; the
    /// inputs' range checks keep it out.)
    @inline(__always)
    static func key(_ value: Double) -> UInt64 {
        let bits = value == 0 ? 0 : value.bitPattern
        return bits >> 63 == 0 ? bits | (1 << 63) : ~bits
    }

    /// A key that orders signed integers as `<` does.
    @inline(__always)
    static func key(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: value) ^ (1 << 63)
    }

    /// A key that orders signed 32-bit integers as `<` does.
    @inline(__always)
    static func key(_ value: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: value) ^ (1 << 31))
    }
}
