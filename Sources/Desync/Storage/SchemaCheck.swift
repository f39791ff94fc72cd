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

    static func mismatch(
        table: String, column: String, found: String, wanted: ColumnType, store: String
    ) -> DesyncError {
        DesyncError(
            .schema,
            "table \(table) in \(store) has column \(column) of type \(found), but desync writes"
                + " \(wanted.rawValue) there; rename or drop that table (or change the column:"
                + " ALTER TABLE \(table) ALTER COLUMN \(column) TYPE \(wanted.rawValue)),"
                + " or point --db at another database")
    }
}
