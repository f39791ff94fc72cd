/// The production store: a PostgreSQL database reached through libpq.
///
/// A run's writes happen in one transaction on one connection: the batch
/// tables are emptied with `TRUNCATE` (transactional in PostgreSQL, and
/// unlike `DROP TABLE` it keeps users' indexes, grants and views) and
/// refilled with binary `COPY`. A killed client or a restarting server
/// rolls the whole run back.
public final class PostgresStore: ResultStore {
    let connection: PGConnection

    public init(conninfo: String) throws {
        connection = try PGConnection(conninfo: conninfo)
    }

    public var displayName: String { connection.display }

    public func query(_ sql: String) throws -> [[String?]] {
        try connection.execute(sql)
    }

    public func write(
        _ batch: RunBatch, progress: ((Int) -> Void)?,
        _ body: (TableAppender) throws -> RunOutput.Closing
    ) throws {
        try connection.withTransaction {
            // Serialises concurrent runs on one database: they would race
            // creating the tables and replacing each other's batches.
            try connection.execute("SELECT pg_advisory_xact_lock(7021965)")
            for spec in Tables.all { try ensure(spec) }
            if batch.succeeded && batch.mode == .replace {
                let names = Tables.batchTables.map { quoted($0.name) }.joined(separator: ", ")
                try connection.execute("TRUNCATE \(names)")
            }
            let connection = self.connection
            let closing = try BackgroundAppender { rows in
                try batch.busy.time { try connection.copy(rows, progress: progress) }
            }.run(body)
            try removeEarlierBatches(batch, fingerprint: closing.fingerprint)
            try batch.busy.time {
                if closing.rejects.count > 0 {
                    try connection.copy(closing.rejects, progress: progress)
                }
                try connection.copy(closing.ledger, progress: nil)
            }
        }
    }

    /// As `SQLiteStore.removeEarlierBatches`.
    private func removeEarlierBatches(_ output: RunBatch, fingerprint: String) throws {
        guard !(output.succeeded && output.mode == .replace) else { return }
        // An empty fingerprint is no input (a store check with no run).
        guard !fingerprint.isEmpty else { return }
        let earlier = try connection.execute(
            BatchRule.earlierRunsSQL(succeeded: output.succeeded, parameter: "$1"),
            [fingerprint])
        let ids = earlier.compactMap { $0[0] }
        guard !ids.isEmpty else { return }
        for spec in BatchRule.tablesToClear(succeeded: output.succeeded) {
            for id in ids {
                try connection.execute("DELETE FROM \(quoted(spec.name)) WHERE run_id = $1", [id])
            }
        }
    }

    /// Creates the table if missing, adds columns a newer desync writes,
    /// and refuses a table whose columns have other types.
    private func ensure(_ spec: TableSpec) throws {
        let columns = spec.columns.map { "\(quoted($0.name)) \($0.type.rawValue)" }
        try connection.execute(
            "CREATE TABLE IF NOT EXISTS \(quoted(spec.name)) (\(columns.joined(separator: ", ")))")
        let existing = try connection.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
                + " WHERE table_schema = current_schema() AND table_name = $1", [spec.name])
        var types: [String: String] = [:]
        for row in existing {
            types[row[0] ?? ""] = (row[1] ?? "").uppercased()
        }
        for column in spec.columns {
            guard let type = types[column.name] else {
                try connection.execute(
                    "ALTER TABLE \(quoted(spec.name)) ADD COLUMN \(quoted(column.name))"
                        + " \(column.type.rawValue)")
                continue
            }
            let exact: Bool
            switch column.type {
            case .integer: exact = type == "INTEGER"
            case .bigint: exact = type == "BIGINT"
            case .double: exact = type == "DOUBLE PRECISION"
            case .boolean: exact = type == "BOOLEAN"
            case .timestamp: exact = type.hasPrefix("TIMESTAMP")
            case .text: exact = type == "TEXT" || type == "CHARACTER VARYING"
            }
            // Binary COPY needs the exact wire type, so PostgreSQL is
            // stricter than SQLite here.
            guard exact else {
                throw SchemaCheck.mismatch(
                    table: spec.name, column: column.name, found: type, wanted: column.type,
                    store: displayName)
            }
        }
    }
}
