import Desync
import Foundation

/// A `RowSink` that renders one row as PostgreSQL literals, so a
/// `TableRows` described once for COPY (the ledger row) can also be written
/// with a plain `INSERT` inside a larger SQL transaction.
final class SQLLiteralSink: RowSink {
    private(set) var values: [String] = []

    func text(_ bytes: UnsafeBufferPointer<UInt8>) {
        text(String(decoding: bytes, as: UTF8.self))
    }

    func text(_ value: String) {
        // standard_conforming_strings is on since PostgreSQL 9.1: only ' escapes.
        values.append("'" + value.replacingOccurrences(of: "'", with: "''") + "'")
    }

    func timestamp(_ microseconds: Int64) {
        values.append("TIMESTAMP '\(Timestamp(microseconds: microseconds).sqlText)'")
    }

    func double(_ value: Double) {
        values.append(value.isFinite ? "\(value)::float8" : "'\(value)'::float8")
    }

    func integer(_ value: Int64) {
        values.append("\(value)")
    }

    func boolean(_ value: Bool) {
        values.append(value ? "TRUE" : "FALSE")
    }

    func null() {
        values.append("NULL")
    }

    /// `INSERT INTO table (columns) VALUES (...)` for every row of `rows`.
    static func insert(_ rows: TableRows) -> String {
        let columns = rows.spec.columns.map { "\"\($0.name)\"" }.joined(separator: ", ")
        let tuples = (0..<rows.count).map { row -> String in
            let sink = SQLLiteralSink()
            rows.emit(row, sink)
            return "(" + sink.values.joined(separator: ", ") + ")"
        }
        return "INSERT INTO \"\(rows.spec.name)\" (\(columns)) VALUES "
            + tuples.joined(separator: ", ")
    }
}
