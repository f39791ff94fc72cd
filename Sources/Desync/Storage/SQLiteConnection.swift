import CSQLite

/// Owns one `sqlite3` handle; closes it in `deinit`. Every call's result
/// code is checked and turned into a `DesyncError` with SQLite's message.
final class SQLiteConnection {
    let path: String
    private(set) var handle: OpaquePointer

    init(path: String) throws {
        self.path = path
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw DesyncError(
                .database, "cannot open SQLite database '\(path)'",
                cause: message + "; check that the folder exists and is writable")
        }
        handle = db
        sqlite3_busy_timeout(db, 10_000)
        sqlite3_extended_result_codes(db, 1)
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Turns a failed result code into our error, naming the database and,
    /// for the codes a user can act on, what to do.
    func error(_ rc: Int32, _ doing: String) -> DesyncError {
        let message = String(cString: sqlite3_errmsg(handle))
        switch rc & 0xFF {
        case SQLITE_NOTADB:
            return DesyncError(
                .database,
                "'\(path)' is not an SQLite database; point --db at another file"
                    + " (sqlite:PATH) or move this one away",
                cause: message)
        case SQLITE_FULL:
            return DesyncError(
                .database,
                "the disk under '\(path)' is full while \(doing); nothing of this run was"
                    + " kept, free some space and run again",
                cause: message)
        case SQLITE_READONLY, SQLITE_PERM, SQLITE_CANTOPEN:
            return DesyncError(
                .database, "cannot write SQLite database '\(path)' while \(doing)",
                cause: message + "; check the file's permissions")
        case SQLITE_CONSTRAINT:
            // Our tables declare no constraints: this is one a user added.
            return DesyncError(
                .schema,
                "a constraint on a table in '\(path)' refused a row while \(doing); nothing of"
                    + " this run was kept. Drop or relax that constraint (desync writes rows as"
                    + " CONTRACT.md defines them), or point --db at another database",
                cause: message)
        case SQLITE_BUSY, SQLITE_LOCKED:
            return DesyncError(
                .database, "SQLite database '\(path)' is locked by another process",
                cause: message + "; wait for it to finish and run again")
        default:
            return DesyncError(
                .database, "SQLite failed while \(doing) in '\(path)'", cause: message)
        }
    }

    func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        sqlite3_free(errorMessage)
        guard rc == SQLITE_OK else { throw error(rc, "running \(sql.prefix(60))") }
    }

    func prepare(_ sql: String) throws -> SQLiteStatement {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw error(rc, "preparing \(sql.prefix(60))")
        }
        return SQLiteStatement(statement, connection: self)
    }

    /// Runs `body` in one transaction: committed when it returns, rolled
    /// back when it throws.
    func withTransaction<R>(_ body: () throws -> R) throws -> R {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    func query(_ sql: String, _ parameters: [String] = []) throws -> [[String?]] {
        let statement = try prepare(sql)
        for (i, p) in parameters.enumerated() {
            sqlite3_bind_text(statement.handle, Int32(i + 1), p, -1, desync_sqlite_transient())
        }
        var rows: [[String?]] = []
        let columns = sqlite3_column_count(statement.handle)
        while true {
            let rc = sqlite3_step(statement.handle)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw error(rc, "reading \(sql.prefix(60))") }
            var row: [String?] = []
            for c in 0..<columns {
                if sqlite3_column_type(statement.handle, c) == SQLITE_NULL {
                    row.append(nil)
                } else if sqlite3_column_type(statement.handle, c) == SQLITE_FLOAT {
                    row.append(String(sqlite3_column_double(statement.handle, c)))
                } else {
                    row.append(String(cString: sqlite3_column_text(statement.handle, c)))
                }
            }
            rows.append(row)
        }
        return rows
    }
}

/// Owns one prepared statement; finalized in `deinit`.
final class SQLiteStatement {
    let handle: OpaquePointer
    let connection: SQLiteConnection

    init(_ handle: OpaquePointer, connection: SQLiteConnection) {
        self.handle = handle
        self.connection = connection
    }

    deinit {
        sqlite3_finalize(handle)
    }
}
