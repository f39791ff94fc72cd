import Desync
import Foundation

/// Reads every analytics table back from a store, for comparing stores.
public enum AnalyticsReadBack {
    /// Each analytics table's rows without `run_id`, in a fixed order,
    /// numbers parsed so that SQLite's and PostgreSQL's texts compare.
    public static func tables(_ store: ResultStore) throws -> [String: [[Value]]] {
        var out: [String: [[Value]]] = [:]
        for spec in AnalyticsTables.all {
            let columns = spec.columns.filter { $0.name != "run_id" }
            let list = columns.map { "\"\($0.name)\"" }.joined(separator: ", ")
            let rows = try store.query("SELECT \(list) FROM \(spec.name)")
            // Sorted here: the stores' text collations differ.
            out[spec.name] = rows.map { row in
                zip(row, columns).map { text, column in Value(text, column.type) }
            }.sorted {
                $0.map(\.sortKey).joined(separator: "|") < $1.map(\.sortKey).joined(separator: "|")
            }
        }
        return out
    }

    /// One cell: text, or a number compared to a relative 1e-12.
    public enum Value: Equatable, CustomStringConvertible {
        case null
        case text(String)
        case number(Double)

        init(_ text: String?, _ type: ColumnType) {
            guard let text else {
                self = .null
                return
            }
            switch type {
            case .double, .integer, .bigint: self = .number(Double(text)!)
            case .boolean: self = .text(["1", "t", "true"].contains(text) ? "true" : "false")
            case .timestamp: self = .number(Double(Timestamp.parse(text)!.microseconds))
            case .text: self = .text(text)
            }
        }

        public static func == (a: Value, b: Value) -> Bool {
            switch (a, b) {
            case (.null, .null): return true
            case (.text(let x), .text(let y)): return x == y
            case (.number(let x), .number(let y)):
                return abs(x - y) <= 1e-12 * max(1, abs(x), abs(y))
            default: return false
            }
        }

        var sortKey: String {
            switch self {
            case .null: "~"
            case .text(let t): t
            case .number(let n): String(format: "%+025.9e", n)
            }
        }

        public var description: String {
            switch self {
            case .null: "NULL"
            case .text(let t): t
            case .number(let n): "\(n)"
            }
        }
    }
}
