import CSQLite

/// The embedded default store: one SQLite file.
///
/// Types read back as written: timestamps are stored as
/// `YYYY-MM-DD HH:MM:SS.ffffff` text in UTC (sortable, microseconds kept),
/// booleans as 0 and 1, doubles as IEEE doubles.
public final class SQLiteStore: ResultStore {
    let connection: SQLiteConnection

    public init(path: String) throws {
        connection = try SQLiteConnection(path: path)
        // Rollback journal plus `synchronous=FULL` (SQLite's default) keeps
        // a killed run from leaving anything half-written; the checks below
        // also surface "not a database" before any work is done.
        _ = try connection.query("PRAGMA schema_version")
    }

    public var displayName: String { "sqlite:\(connection.path)" }

    public func query(_ sql: String) throws -> [[String?]] {
        try connection.query(sql)
    }

    public func write(
        _ batch: RunBatch, progress: ((Int) -> Void)?,
        _ body: (TableAppender) throws -> RunOutput.Closing
    ) throws {
        var deferred: [TableRows] = []
        var early: RunOutput.Closing? = nil
        if batch.mayDefer {
            early = try body(Collector { deferred.append($0) })
        }
        try connection.withTransaction {
            for spec in Tables.all { try ensure(spec) }
            if batch.succeeded && batch.mode == .replace {
                for spec in Tables.batchTables {
                    try connection.execute("DELETE FROM \(quoted(spec.name))")
                }
            }
            let closing: RunOutput.Closing
            if let early {
                for rows in deferred {
                    try batch.busy.time { try insert(rows, progress: progress) }
                }
                closing = early
            } else {
                closing = try BackgroundAppender { [self] rows in
                    try batch.busy.time { try insert(rows, progress: progress) }
                }.run(body)
            }
            try removeEarlierBatches(batch, fingerprint: closing.fingerprint)
            try batch.busy.time {
                try insert(closing.rejects, progress: progress)
                try insert(closing.ledger, progress: nil)
            }
        }
    }

    /// Removes the earlier batches of the same input (append mode; the
    /// batch's own rows carry another run id). A failed run only removes
    /// the rejects of earlier failed runs of the same input, so that
    /// retrying never doubles them. Replace mode emptied the tables first.
    private func removeEarlierBatches(_ output: RunBatch, fingerprint: String) throws {
        guard !(output.succeeded && output.mode == .replace) else { return }
        // An empty fingerprint is no input (a store check with no run).
        guard !fingerprint.isEmpty else { return }
        let earlier = try connection.query(
            BatchRule.earlierRunsSQL(succeeded: output.succeeded, parameter: "?"),
            [fingerprint])
        let tables = BatchRule.tablesToClear(succeeded: output.succeeded)
        for row in earlier {
            guard let id = row[0] else { continue }
            for spec in tables {
                let delete = try connection.prepare(
                    "DELETE FROM \(quoted(spec.name)) WHERE run_id = ?")
                sqlite3_bind_text(delete.handle, 1, id, -1, desync_sqlite_transient())
                let rc = sqlite3_step(delete.handle)
                guard rc == SQLITE_DONE else {
                    throw connection.error(rc, "removing batch \(id) from \(spec.name)")
                }
            }
        }
    }

    /// Creates the table if it is missing, adds columns a newer desync
    /// writes, and refuses a table whose columns have other types.
    private func ensure(_ spec: TableSpec) throws {
        let columns = spec.columns.map { "\(quoted($0.name)) \($0.type.rawValue)" }
        try connection.execute(
            "CREATE TABLE IF NOT EXISTS \(quoted(spec.name)) (\(columns.joined(separator: ", ")))")
        let existing = try connection.query("PRAGMA table_info(\(quoted(spec.name)))")
        var types: [String: String] = [:]
        for row in existing {
            types[row[1] ?? ""] = (row[2] ?? "").uppercased()
        }
        for column in spec.columns {
            guard let type = types[column.name] else {
                try connection.execute(
                    "ALTER TABLE \(quoted(spec.name)) ADD COLUMN \(quoted(column.name))"
                        + " \(column.type.rawValue)")
                continue
            }
            guard SchemaCheck.compatible(declared: type, wanted: column.type) else {
                throw SchemaCheck.mismatch(
                    table: spec.name, column: column.name, found: type, wanted: column.type,
                    store: displayName, canAlterType: false)
            }
        }
    }

    /// Inserts a table's rows with prepared multi-row INSERTs: one
    /// statement step stores up to `rowsPerStatement` rows, which saves
    /// SQLite most of its per-statement work.
    private func insert(_ table: TableRows, progress: ((Int) -> Void)?) throws {
        guard table.count > 0 else { return }
        let width = table.spec.columns.count
        // 999 is the smallest bound-parameter limit any SQLite release has.
        let perStatement = max(1, min(64, 999 / width))
        let names = table.spec.columns.map { quoted($0.name) }.joined(separator: ", ")
        let tuple = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        func prepare(rows: Int) throws -> SQLiteStatement {
            try connection.prepare(
                "INSERT INTO \(quoted(table.spec.name)) (\(names)) VALUES "
                    + Array(repeating: tuple, count: rows).joined(separator: ", "))
        }
        let batch = try prepare(rows: perStatement)
        let single = try prepare(rows: 1)
        let batchBinder = SQLiteBinder(batch.handle)
        let singleBinder = SQLiteBinder(single.handle)
        var row = 0
        var reported = 0
        while row < table.count {
            let full = table.count - row >= perStatement
            let statement = full ? batch : single
            let binder = full ? batchBinder : singleBinder
            binder.beginStatement()
            for r in row..<(row + (full ? perStatement : 1)) { table.emit(r, binder) }
            let rc = sqlite3_step(statement.handle)
            guard rc == SQLITE_DONE else {
                throw connection.error(rc, "inserting into \(table.spec.name)")
            }
            sqlite3_reset(statement.handle)
            row += full ? perStatement : 1
            if row - reported >= 0x10000 {
                progress?(row - reported)
                reported = row
            }
        }
        progress?(row - reported)
    }
}

/// Binds one row's values to a prepared INSERT, left to right.
final class SQLiteBinder: RowSink {
    let statement: OpaquePointer
    var index: Int32 = 1
    /// Text values are copied here and bound without SQLite copying them
    /// again (`SQLITE_STATIC`): one memcpy instead of a malloc, a copy and
    /// a free per value. Blocks are reused from statement to statement.
    private var blocks: [UnsafeMutableRawPointer] = []
    private var block = 0
    private var used = 0
    private static let blockSize = 64 << 10

    init(_ statement: OpaquePointer) {
        self.statement = statement
    }

    deinit {
        for b in blocks { b.deallocate() }
    }

    /// Starts binding a statement's parameters from the first. The text
    /// copied for the previous statement is overwritten: it must have been
    /// stepped already.
    func beginStatement() {
        index = 1
        block = 0
        used = 0
    }

    func text(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let start = bytes.baseAddress else {
            sqlite3_bind_text(statement, index, "", 0, desync_sqlite_transient())
            index += 1
            return
        }
        guard bytes.count <= Self.blockSize else {
            sqlite3_bind_text(
                statement, index, UnsafeRawPointer(start).assumingMemoryBound(to: CChar.self),
                Int32(bytes.count), desync_sqlite_transient())
            index += 1
            return
        }
        if used + bytes.count > Self.blockSize {
            block += 1
            used = 0
        }
        if block == blocks.count {
            blocks.append(.allocate(byteCount: Self.blockSize, alignment: 8))
        }
        let copy = blocks[block] + used
        copy.copyMemory(from: start, byteCount: bytes.count)
        used += bytes.count
        sqlite3_bind_text(
            statement, index, copy.assumingMemoryBound(to: CChar.self), Int32(bytes.count),
            nil)  // nil is SQLITE_STATIC: the bytes stay put until the step
        index += 1
    }

    func text(_ value: String) {
        // withUTF8 hands over the string's own bytes; passing the String
        // itself would build a C string copy on every call.
        var value = value
        value.withUTF8 { text($0) }
    }

    private var stamps = SQLTimestampFormatter()

    func timestamp(_ microseconds: Int64) {
        stamps.withText(microseconds) { text($0) }
    }

    func double(_ value: Double) {
        sqlite3_bind_double(statement, index, value)
        index += 1
    }

    func integer(_ value: Int64) {
        sqlite3_bind_int64(statement, index, value)
        index += 1
    }

    func boolean(_ value: Bool) {
        sqlite3_bind_int(statement, index, value ? 1 : 0)
        index += 1
    }

    func null() {
        sqlite3_bind_null(statement, index)
        index += 1
    }
}

/// Double-quotes an SQL identifier (all of ours are plain, but `timestamp`
/// is a keyword in some dialects).
func quoted(_ identifier: String) -> String {
    "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// Keeps appended tables for a write at the end (`RunBatch.mayDefer`).
private final class Collector: TableAppender {
    let keep: (TableRows) -> Void
    init(_ keep: @escaping (TableRows) -> Void) { self.keep = keep }
    func append(_ rows: TableRows) throws { keep(rows) }
}
