/// Decides whether an existing column can hold what we write into it.
enum SchemaCheck {
    static func compatible(declared: String, wanted: ColumnType) -> Bool {
        let d = declared.uppercased()
        switch wanted {
        case .text:
            return ["TEXT", "CHARACTER VARYING", "VARCHAR", "CHARACTER", "STRING"].contains {
                d.hasPrefix($0)
            }
        case .timestamp:
            return d.hasPrefix("TIMESTAMP")
        case .double:
            return ["DOUBLE PRECISION", "DOUBLE", "REAL", "FLOAT", "FLOAT8", "NUMERIC"].contains(d)
        case .integer, .bigint:
            return ["INTEGER", "INT", "INT4", "INT8", "BIGINT", "SMALLINT"].contains(d)
        case .boolean:
            return ["BOOLEAN", "BOOL"].contains(d)
        }
    }

    /// The error for a column of the wrong type. `canAlterType` is false
    /// for SQLite, which has no `ALTER COLUMN ... TYPE`.
    static func mismatch(
        table: String, column: String, found: String, wanted: ColumnType, store: String,
        canAlterType: Bool = true
    ) -> DesyncError {
        let change =
            canAlterType
            ? " (or change the column: ALTER TABLE \(table) ALTER COLUMN \(column) TYPE"
                + " \(wanted.rawValue))"
            : " (SQLite cannot change a column's type: ALTER TABLE \(table) RENAME TO"
                + " \(table)_old keeps its rows, and desync creates a new \(table))"
        return DesyncError(
            .schema,
            "table \(table) in \(store) has column \(column) of type \(found), but desync writes"
                + " \(wanted.rawValue) there; rename or drop that table\(change),"
                + " or point --db at another database")
    }
}
