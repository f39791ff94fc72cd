import Foundation

/// Finds the duplicates of a spilled stream with exactly the rule
/// `StreamReader.removeDuplicates` applies in memory: in file order, a row
/// whose id, or whose (session, player, timestamp), equals that of an
/// earlier *kept* row is dropped.
///
/// Ids repeat across session partitions, so they are compared one id-hash
/// bucket at a time; keys never leave their partition. Only rows sharing an
/// id or a key with another row can be dropped or cause a drop, so the
/// file-order rule is then replayed over those rows alone.
///
/// Memory: one bucket or one partition at a time, plus the rows that share
/// an id or a key (normally a handful; a file made of copies makes it grow
/// with the copies).
struct DuplicateResolver {
    /// A row to drop: the line of the kept row it repeats, and whether the
    /// id (rather than the key) matched.
    struct Drop: Sendable {
        var original: Int64
        var byID: Bool
    }

    /// The rows to drop, by line.
    // FIXME: the rows sharing an id or a key are held in memory together
    // (two dictionary entries each), which a file made mostly of copies
    // would make large; they could be sorted on disk like the ids.
    static func resolve(_ spill: StreamSpill) throws -> [Int64: Drop] {
        // Each row sharing an id (or a key) names its group by the first
        // line holding that id (or key).
        var idGroup: [Int64: Int64] = [:]
        var keyGroup: [Int64: Int64] = [:]
        for path in spill.idPaths {
            try sharedIDs(path, into: &idGroup)
            unlink(path)  // read once; its disk space is better spent on results
        }
        for (p, path) in spill.partitionPaths.enumerated() {
            try sharedKeys(path, spill.stream, rows: spill.rows[p], into: &keyGroup)
        }
        guard !idGroup.isEmpty || !keyGroup.isEmpty else { return [:] }

        var drops: [Int64: Drop] = [:]
        var keptID: [Int64: Int64] = [:]
        var keptKey: [Int64: Int64] = [:]
        let lines = Set(idGroup.keys).union(keyGroup.keys).sorted()
        for line in lines {
            let id = idGroup[line]
            let key = keyGroup[line]
            let sameID = id.flatMap { keptID[$0] }
            let sameKey = key.flatMap { keptKey[$0] }
            if let original = sameID ?? sameKey {
                drops[line] = Drop(original: original, byID: sameID != nil)
            } else {
                if let id { keptID[id] = line }
                if let key { keptKey[key] = line }
            }
        }
        return drops
    }

    /// Reads one id bucket (line, id) and records every row whose id
    /// another row of the bucket shares.
    private static func sharedIDs(_ path: String, into groups: inout [Int64: Int64]) throws {
        var lines: [Int64] = []
        var ids = StringColumn()
        let reader = try SpillReader(path: path)
        while try !reader.finished() {
            lines.append(try reader.read(Int64.self))
            let length = Int(try reader.read(UInt32.self))
            try reader.bytes(length) { ids.append($0) }
        }
        var table = RowKeyTable(capacity: lines.count)
        var first = [Int32](repeating: -1, count: lines.count)
        for i in 0..<lines.count {
            let hash = ids.withBytes(i) { RowKeyTable.hash(bytes: $0) }
            let existing = table.insert(Int32(i), hash: hash) { ids.rowsEqual(Int($0), i) }
            if let existing { first[i] = existing }
        }
        for i in 0..<lines.count where first[i] >= 0 {
            // Rows arrive in line order, so the one in the table is the
            // first line with this id.
            let head = lines[Int(first[i])]
            groups[lines[i]] = head
            groups[head] = head
        }
    }

    /// Reads one partition and records every row whose (session, player,
    /// timestamp) another row shares.
    private static func sharedKeys(
        _ path: String, _ stream: Stream, rows: Int64, into groups: inout [Int64: Int64]
    ) throws {
        let (session, player, time, lines) = try StreamSpill.loadKeys(path, stream, rows: rows)
        var table = RowKeyTable(capacity: lines.count)
        for i in 0..<lines.count {
            let hash = RowKeyTable.hash(session: session[i], player: player[i], time: time[i])
            let existing = table.insert(Int32(i), hash: hash) { o in
                let o = Int(o)
                return session[o] == session[i] && player[o] == player[i] && time[o] == time[i]
            }
            if let existing {
                let head = lines[Int(existing)]
                groups[lines[i]] = head
                groups[head] = head
            }
        }
    }
}
