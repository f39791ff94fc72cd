import CLibPQ
import Foundation

/// Owns one libpq connection; finished in `deinit`. Every result is
/// checked and failures become `DesyncError`s with the server's message.
/// Messages name the server by its redacted connection string only.
final class PGConnection {
    let handle: OpaquePointer
    let display: String

    init(conninfo: String) throws {
        display = ConnectionString.redacted(conninfo)
        guard let connection = PQconnectdb(conninfo) else {
            throw DesyncError(.database, "cannot allocate a PostgreSQL connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = ConnectionString.redacted(String(cString: PQerrorMessage(connection)))
            PQfinish(connection)
            let hint: String
            if message.contains("password authentication failed") || message.contains("no password") {
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
            throw DesyncError(.database, "PostgreSQL at \(display) did not answer", cause: lastError)
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
                row.append(PQgetisnull(result, r, c) == 1 ? nil : String(cString: PQgetvalue(result, r, c)))
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
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }

    /// Streams rows into `table` with binary COPY.
    func copy(_ table: TableRows, progress: ((Int) -> Void)?) throws {
        let names = table.spec.columns.map { quoted($0.name) }.joined(separator: ", ")
        let sql = "COPY \(quoted(table.spec.name)) (\(names)) FROM STDIN (FORMAT binary)"
        guard let start = PQexec(handle, sql) else {
            throw DesyncError(.database, "PostgreSQL at \(display) did not answer", cause: lastError)
        }
        let status = PQresultStatus(start)
        PQclear(start)
        guard status == PGRES_COPY_IN else {
            throw DesyncError(
                .database, "PostgreSQL at \(display) refused COPY into \(table.spec.name)",
                cause: lastError)
        }
        let encoder = PGBinaryCopyEncoder(columns: table.spec.columns)
        var failure: DesyncError?
        func flush() {
            guard failure == nil, !encoder.buffer.isEmpty else { return }
            let rc = encoder.buffer.withUnsafeBufferPointer { b in
                b.withMemoryRebound(to: CChar.self) {
                    PQputCopyData(handle, $0.baseAddress, Int32($0.count))
                }
            }
            if rc != 1 {
                failure = DesyncError(
                    .database, "COPY into \(table.spec.name) on \(display) failed",
                    cause: lastError)
            }
            encoder.buffer.removeAll(keepingCapacity: true)
        }
        for row in 0..<table.count {
            encoder.beginRow()
            table.emit(row, encoder)
            if encoder.buffer.count >= 1 << 20 {
                flush()
                if failure != nil { break }
            }
            if row & 0xFFFF == 0xFFFF { progress?(0x10000) }
        }
        encoder.finish()
        flush()
        progress?(table.count & 0xFFFF)
        let end = failure == nil ? PQputCopyEnd(handle, nil) : PQputCopyEnd(handle, "desync aborted")
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

/// Encodes rows in PostgreSQL's binary COPY format: a header, then per row
/// a field count and each field as a length and big-endian bytes.
final class PGBinaryCopyEncoder: RowSink {
    var buffer: [UInt8] = []
    /// Whether each column is a 4-byte INTEGER (else integers are BIGINT).
    private let narrow: [Bool]
    private var field = 0
    /// Microseconds between 1970-01-01 and PostgreSQL's epoch, 2000-01-01.
    static let epochShift: Int64 = 946_684_800_000_000

    init(columns: [ColumnSpec]) {
        narrow = columns.map { $0.type == .integer }
        buffer.reserveCapacity(1 << 20 + 4096)
        buffer.append(contentsOf: Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00])
        append32(0)
        append32(0)
    }

    @inline(__always) private func append16(_ v: Int16) {
        let u = UInt16(bitPattern: v)
        buffer.append(UInt8(u >> 8))
        buffer.append(UInt8(u & 0xFF))
    }

    @inline(__always) private func append32(_ v: Int32) {
        withUnsafeBytes(of: UInt32(bitPattern: v).bigEndian) { buffer.append(contentsOf: $0) }
    }

    @inline(__always) private func append64(_ v: UInt64) {
        withUnsafeBytes(of: v.bigEndian) { buffer.append(contentsOf: $0) }
    }

    func beginRow() {
        append16(Int16(narrow.count))
        field = 0
    }

    func finish() { append16(-1) }

    func text(_ bytes: UnsafeBufferPointer<UInt8>) {
        append32(Int32(bytes.count))
        buffer.append(contentsOf: bytes)
        field += 1
    }

    func text(_ value: String) {
        var value = value
        value.withUTF8 { text($0) }
    }

    func timestamp(_ microseconds: Int64) {
        append32(8)
        append64(UInt64(bitPattern: microseconds - Self.epochShift))
        field += 1
    }

    func double(_ value: Double) {
        append32(8)
        append64(value.bitPattern)
        field += 1
    }

    func integer(_ value: Int64) {
        if narrow[field] {
            append32(4)
            append32(Int32(truncatingIfNeeded: value))
        } else {
            append32(8)
            append64(UInt64(bitPattern: value))
        }
        field += 1
    }

    func boolean(_ value: Bool) {
        append32(1)
        buffer.append(value ? 1 : 0)
        field += 1
    }

    func null() {
        append32(-1)
        field += 1
    }
}
