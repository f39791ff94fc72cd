import Foundation

/// Where `StreamReader` sends a stream's accepted rows when the input is
/// too large to hold: one temporary file per partition, chosen by session
/// (every join key, every player's ticks and every session's ticks live in
/// one partition), and one per id-hash bucket holding each row's id and
/// line, so that ids repeated across partitions can be found one bucket at
/// a time (`DuplicateResolver`).
///
/// Rows are written in file order, so each file lists its rows by line.
/// Unchecked `Sendable`: the reader's merge task is its only user while
/// the stream is read, then the pipeline's thread.
final class StreamSpill: @unchecked Sendable {
    let stream: Stream
    let partitionPaths: [String]
    let idPaths: [String]
    private var partitions: [SpillWriter]
    private var ids: [SpillWriter]
    /// Rows written to each partition.
    private(set) var rows: [Int64]

    init(stream: Stream, folder: String, partitions: Int, idBuckets: Int) throws {
        self.stream = stream
        partitionPaths = (0..<partitions).map { "\(folder)/\(stream.rawValue)-\($0).bin" }
        idPaths = (0..<idBuckets).map { "\(folder)/\(stream.rawValue)-ids-\($0).bin" }
        self.partitions = try partitionPaths.map {
            try SpillWriter(path: $0, bufferBytes: 128 << 10)
        }
        ids = try idPaths.map { try SpillWriter(path: $0, bufferBytes: 64 << 10) }
        rows = Array(repeating: 0, count: partitions)
    }

    // FIXME: a session is never split, so one session larger than a
    // partition is processed whole and memory grows with it (episodes,
    // clock offsets and per-session rows need all of its ticks together).
    static func partition(ofSession session: Int32, _ count: Int) -> Int {
        Int(UInt32(bitPattern: session)) % count
    }

    /// Appends a parsed chunk's rows, its local ids already mapped to the
    /// shared ones by the `session`, `player` and `type` tables.
    func add(
        _ chunk: ParsedChunk, lineShift: Int64, sessions: [Int32], players: [Int32],
        types: [Int32]
    ) throws {
        if stream == .playerEvents {
            let e = chunk.events
            for i in 0..<e.count {
                let session = sessions[Int(e.session[i])]
                let line = e.line[i] + lineShift
                let p = Self.partition(ofSession: session, partitions.count)
                let w = partitions[p]
                w.append(line)
                w.append(session)
                w.append(players[Int(e.player[i])])
                w.append(types[Int(e.eventType[i])])
                w.append(e.timestamp[i])
                w.append(e.x[i])
                w.append(e.y[i])
                w.append(e.z[i])
                try e.eventID.withBytes(i) { id in
                    w.append(UInt32(id.count))
                    w.append(bytes: id)
                    try addID(id, line: line)
                }
                rows[p] += 1
                try w.recordDone()
            }
        } else {
            let s = chunk.states
            for i in 0..<s.count {
                let session = sessions[Int(s.session[i])]
                let line = s.line[i] + lineShift
                let p = Self.partition(ofSession: session, partitions.count)
                let w = partitions[p]
                w.append(line)
                w.append(session)
                w.append(players[Int(s.player[i])])
                w.append(s.timestamp[i])
                w.append(s.x[i])
                w.append(s.y[i])
                w.append(s.z[i])
                w.append(s.ping[i])
                w.append(s.packetLoss[i])
                try s.stateID.withBytes(i) { id in
                    w.append(UInt32(id.count))
                    w.append(bytes: id)
                    try addID(id, line: line)
                }
                rows[p] += 1
                try w.recordDone()
            }
        }
    }

    private func addID(_ id: UnsafeBufferPointer<UInt8>, line: Int64) throws {
        // High bits: the hash table in `DuplicateResolver` indexes by the low ones.
        let w = ids[Int((RowKeyTable.hash(bytes: id) >> 40) % UInt64(ids.count))]
        w.append(line)
        w.append(UInt32(id.count))
        w.append(bytes: id)
        try w.recordDone()
    }

    /// Writes out what is buffered; the files are complete after this.
    func finish() throws {
        for w in partitions { try w.flush() }
        for w in ids { try w.flush() }
        partitions = []
        ids = []
    }

    /// The duplicate key and line of each row of one partition, in line
    /// order, without the rest of the row.
    static func loadKeys(_ path: String, _ stream: Stream, rows: Int64) throws -> (
        session: [Int32], player: [Int32], time: [Int64], line: [Int64]
    ) {
        var keys = (session: [Int32](), player: [Int32](), time: [Int64](), line: [Int64]())
        keys.session.reserveCapacity(Int(rows))
        keys.player.reserveCapacity(Int(rows))
        keys.time.reserveCapacity(Int(rows))
        keys.line.reserveCapacity(Int(rows))
        let r = try SpillReader(path: path)
        while try !r.finished() {
            keys.line.append(try r.read(Int64.self))
            keys.session.append(try r.read(Int32.self))
            keys.player.append(try r.read(Int32.self))
            if stream == .playerEvents {
                try r.skip(4)  // event type
                keys.time.append(try r.read(Int64.self))
                try r.skip(24)  // x, y, z
            } else {
                keys.time.append(try r.read(Int64.self))
                try r.skip(24 + 4 + 8)  // x, y, z, ping, packet loss
            }
            try r.skip(Int(try r.read(UInt32.self)))  // the id
        }
        return keys
    }

    /// Reads one partition's client events back, in line order.
    static func loadEvents(_ path: String, rows: Int64) throws -> PlayerEvents {
        var e = PlayerEvents()
        e.reserve(Int(rows))
        let r = try SpillReader(path: path)
        while try !r.finished() {
            e.line.append(try r.read(Int64.self))
            e.session.append(try r.read(Int32.self))
            e.player.append(try r.read(Int32.self))
            e.eventType.append(try r.read(Int32.self))
            e.timestamp.append(try r.read(Int64.self))
            e.x.append(try r.read(Double.self))
            e.y.append(try r.read(Double.self))
            e.z.append(try r.read(Double.self))
            let length = Int(try r.read(UInt32.self))
            try r.bytes(length) { e.eventID.append($0) }
        }
        return e
    }

    /// Reads one partition's server states back, in line order.
    static func loadStates(_ path: String, rows: Int64) throws -> ServerStates {
        var s = ServerStates()
        s.reserve(Int(rows))
        let r = try SpillReader(path: path)
        while try !r.finished() {
            s.line.append(try r.read(Int64.self))
            s.session.append(try r.read(Int32.self))
            s.player.append(try r.read(Int32.self))
            s.timestamp.append(try r.read(Int64.self))
            s.x.append(try r.read(Double.self))
            s.y.append(try r.read(Double.self))
            s.z.append(try r.read(Double.self))
            s.ping.append(try r.read(Int32.self))
            s.packetLoss.append(try r.read(Double.self))
            let length = Int(try r.read(UInt32.self))
            try r.bytes(length) { s.stateID.append($0) }
        }
        return s
    }
}
