import CLibPQ
import Dispatch
import Foundation

/// Owns one libpq connection; finished in `deinit`. Every result is
/// checked and failures become `DesyncError`s with the server's message.
/// Messages name the server by its redacted connection string only.
final class PGConnection {
    let handle: OpaquePointer
    let display: String

    init(conninfo: String) throws {
        display = ConnectionString.redacted(conninfo)
        // A malformed --db (a port that is no number, an unknown sslmode)
        // is the command line's mistake, not the server's: say so before
        // connecting.
        var parseError: UnsafeMutablePointer<CChar>? = nil
        if let options = PQconninfoParse(conninfo, &parseError) {
            PQconninfoFree(options)
        } else {
            let message = parseError.map { String(cString: $0) } ?? "unreadable"
            PQfreemem(parseError)
            throw DesyncError(
                .usage,
                "--db \(display) is not a valid PostgreSQL connection string: "
                    + ConnectionString.redacted(message)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                    + "; for example --db postgresql://user@127.0.0.1:5432/telemetry")
        }
        guard let connection = PQconnectdb(conninfo) else {
            throw DesyncError(.database, "cannot allocate a PostgreSQL connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = ConnectionString.redacted(String(cString: PQerrorMessage(connection)))
            PQfinish(connection)
            // libpq checks option values (port, sslmode, ...) only when it
            // connects; a bad one is still the command line's mistake.
            if message.hasPrefix("invalid ") {
                throw DesyncError(
                    .usage,
                    "--db \(display) has an invalid setting: "
                        + message.trimmingCharacters(in: .whitespacesAndNewlines)
                        + "; for example --db postgresql://user@127.0.0.1:5432/telemetry")
            }
            let hint: String
            if message.contains("password authentication failed") || message.contains("no password")
            {
                hint = "check the user and password (URI, PGPASSWORD or ~/.pgpass)"
            } else if message.contains("does not exist") {
                hint = "create the database first (createdb) or name another one"
            } else {
                hint = "check that the server is running and the host and port are right"
            }
            throw DesyncError(
                .database, "cannot connect to PostgreSQL at \(display): \(hint)",
                cause: message.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        handle = connection
        try execute("SET client_min_messages = warning")
    }

    deinit {
        PQfinish(handle)
    }

    var lastError: String {
        ConnectionString.redacted(String(cString: PQerrorMessage(handle)))
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs a statement with text parameters; returns its rows as text.
    @discardableResult
    func execute(_ sql: String, _ parameters: [String?] = []) throws -> [[String?]] {
        let result: OpaquePointer?
        if parameters.isEmpty {
            result = PQexec(handle, sql)
        } else {
            let cStrings = parameters.map { $0.flatMap { strdup($0) } }
            defer { cStrings.forEach { free($0) } }
            let pointers = cStrings.map { UnsafePointer<CChar>($0) }
            result = pointers.withUnsafeBufferPointer { values in
                PQexecParams(
                    handle, sql, Int32(parameters.count), nil, values.baseAddress, nil, nil, 0)
            }
        }
        guard let result else {
            throw DesyncError(
                .database, "PostgreSQL at \(display) did not answer", cause: lastError)
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            throw failure(result, "PostgreSQL at \(display) failed running \(sql.prefix(80))")
        }
        var rows: [[String?]] = []
        let columns = PQnfields(result)
        for r in 0..<PQntuples(result) {
            var row: [String?] = []
            for c in 0..<columns {
                row.append(
                    PQgetisnull(result, r, c) == 1 ? nil : String(cString: PQgetvalue(result, r, c))
                )
            }
            rows.append(row)
        }
        return rows
    }

    /// The error of a failed result. A violated constraint (SQLSTATE class
    /// 23) is one a user added to our tables, so it says what to do.
    func failure(_ result: OpaquePointer, _ doing: String) -> DesyncError {
        let message = ConnectionString.redacted(String(cString: PQresultErrorMessage(result)))
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        guard let state, state.hasPrefix("23") else {
            return DesyncError(.database, doing, cause: message)
        }
        return DesyncError(
            .schema,
            "\(doing): a constraint on the table refused a row; nothing of this run was kept."
                + " Drop or relax that constraint (desync writes rows as CONTRACT.md defines"
                + " them), or point --db at another database",
            cause: message)
    }

    /// Runs `body` in one transaction: committed when it returns, rolled
    /// back when it throws.
    func withTransaction<R>(_ body: () throws -> R) throws -> R {
        try execute("BEGIN")
        let result: R
        do {
            result = try body()
        } catch {
            guard PQstatus(handle) != CONNECTION_BAD else {
                throw connectionLost(error, committing: false)
            }
            _ = try? execute("ROLLBACK")
            throw error
        }
        do {
            try execute("COMMIT")
        } catch {
            guard PQstatus(handle) != CONNECTION_BAD else {
                throw connectionLost(error, committing: true)
            }
            throw error
        }
        return result
    }

    /// The connection died mid-transaction (the server restarted or
    /// stopped, or the network failed): the server rolls the transaction
    /// back, unless it was lost while committing.
    private func connectionLost(_ error: Error, committing: Bool) -> DesyncError {
        let cause = (error as? DesyncError).map { "\($0.message): \($0.cause ?? "")" } ?? "\(error)"
        let outcome =
            committing
            ? "It is unknown whether the run was stored (desync runs lists it if it was)"
            : "Nothing of this run was kept (the server rolled its transaction back)"
        return DesyncError(
            .database,
            "lost the connection to PostgreSQL at \(display); the server may have restarted or"
                + " stopped. \(outcome); run again once"
                + " it accepts connections",
            cause: cause)
    }

    /// Streams rows into `table` with binary COPY.
    func copy(_ table: TableRows, progress: ((Int) -> Void)?) throws {
        let names = table.spec.columns.map { quoted($0.name) }.joined(separator: ", ")
        let sql = "COPY \(quoted(table.spec.name)) (\(names)) FROM STDIN (FORMAT binary)"
        guard let start = PQexec(handle, sql) else {
            throw DesyncError(
                .database, "PostgreSQL at \(display) did not answer", cause: lastError)
        }
        guard PQresultStatus(start) == PGRES_COPY_IN else {
            // Read the refusal from the result (SQLSTATE included) before
            // freeing it, so a permission or constraint problem says so.
            defer { PQclear(start) }
            throw failure(start, "PostgreSQL at \(display) refused COPY into \(table.spec.name)")
        }
        PQclear(start)
        // Rows are encoded on another thread while this one sends, so the
        // server parses one buffer while the next is being encoded.
        var failure: DesyncError?
        let pipe = CopyBufferPipe(columns: table.spec.columns)
        let encoding = DispatchGroup()
        DispatchQueue.global().async(group: encoding) { pipe.produce(table) }
        while let (encoder, rows) = pipe.next() {
            if failure == nil {
                let bytes = encoder.bytes
                let rc = PQputCopyData(
                    handle, bytes.baseAddress?.assumingMemoryBound(to: CChar.self),
                    Int32(bytes.count))
                if rc != 1 {
                    failure = DesyncError(
                        .database, "COPY into \(table.spec.name) on \(display) failed",
                        cause: lastError)
                    pipe.cancel()
                }
                progress?(rows)
            }
            pipe.recycle(encoder)
        }
        encoding.wait()
        let end =
            failure == nil ? PQputCopyEnd(handle, nil) : PQputCopyEnd(handle, "desync aborted")
        guard end == 1 else {
            throw DesyncError(
                .database, "COPY into \(table.spec.name) on \(display) failed", cause: lastError)
        }
        while let result = PQgetResult(handle) {
            if PQresultStatus(result) != PGRES_COMMAND_OK, failure == nil {
                failure = self.failure(result, "COPY into \(table.spec.name) on \(display) failed")
            }
            PQclear(result)
        }
        if let failure { throw failure }
    }
}

/// Hands encoded COPY buffers from the thread that encodes rows to the
/// thread that sends them, recycling a few buffers so memory stays flat.
private final class CopyBufferPipe: @unchecked Sendable {
    /// A buffer is handed over once it holds this many bytes.
    static let flushBytes = 1 << 20
    private let condition = NSCondition()
    private var free: [PGBinaryCopyEncoder]
    private var filled: [(PGBinaryCopyEncoder, Int)] = []
    private var produced = false
    private var cancelled = false

    init(columns: [ColumnSpec], buffers: Int = 3) {
        free = (0..<buffers).map { _ in PGBinaryCopyEncoder(columns: columns) }
    }

    /// Encodes every row of `table` (header and trailer included) into
    /// buffers; stops early when the sender cancels.
    func produce(_ table: TableRows) {
        var row = 0
        repeat {
            guard let encoder = takeFree() else { break }
            encoder.clear()
            if row == 0 { encoder.beginStream() }
            let first = row
            while row < table.count && encoder.count < Self.flushBytes {
                encoder.beginRow()
                table.emit(row, encoder)
                row += 1
            }
            if row == table.count { encoder.finish() }
            condition.lock()
            filled.append((encoder, row - first))
            condition.broadcast()
            condition.unlock()
        } while row < table.count
        condition.lock()
        produced = true
        condition.broadcast()
        condition.unlock()
    }

    private func takeFree() -> PGBinaryCopyEncoder? {
        condition.lock()
        defer { condition.unlock() }
        while free.isEmpty && !cancelled { condition.wait() }
        return cancelled ? nil : free.removeLast()
    }

    /// The next encoded buffer and its row count, in order; nil once all
    /// are handed over.
    func next() -> (PGBinaryCopyEncoder, Int)? {
        condition.lock()
        defer { condition.unlock() }
        while filled.isEmpty && !produced { condition.wait() }
        return filled.isEmpty ? nil : filled.removeFirst()
    }

    func recycle(_ encoder: PGBinaryCopyEncoder) {
        condition.lock()
        free.append(encoder)
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the encoding thread at its next buffer.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
