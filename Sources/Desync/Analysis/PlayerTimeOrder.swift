/// Rows ordered by (session, player, time, row): the order in which a
/// player's ticks are walked by the nearest join, the speed computation
/// and the episode detector.
enum PlayerTimeOrder {
    /// One row's sort key. Sorting these plain values is several times
    /// faster than sorting row numbers through a comparator that reads
    /// three columns.
    struct Key: Comparable {
        /// Session in the high 32 bits, player in the low 32.
        var group: UInt64
        var time: Int64
        var row: Int32

        @inline(__always)
        static func < (a: Key, b: Key) -> Bool {
            if a.group != b.group { return a.group < b.group }
            if a.time != b.time { return a.time < b.time }
            return a.row < b.row
        }

        var session: Int32 { Int32(bitPattern: UInt32(truncatingIfNeeded: group >> 32)) }
    }

    @inline(__always)
    static func group(session: Int32, player: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: session)) << 32 | UInt64(UInt32(bitPattern: player))
    }

    /// The keys of rows `0..<count`, sorted.
    static func sorted(
        count: Int, session: (Int) -> Int32, player: (Int) -> Int32, time: (Int) -> Int64
    ) -> [Key] {
        var keys = [Key]()
        keys.reserveCapacity(count)
        for i in 0..<count {
            keys.append(
                Key(
                    group: group(session: session(i), player: player(i)), time: time(i),
                    row: Int32(i)))
        }
        keys.sort()
        return keys
    }
}
