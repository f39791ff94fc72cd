/// A query result read from Arrow: named columns of equal length.
public struct ArrowTable: Sendable, Equatable {
    /// The columns in the order of the query's select list.
    public var columns: [ArrowColumn]

    public init(columns: [ArrowColumn]) {
        self.columns = columns
    }

    /// Column names in order.
    public var columnNames: [String] { columns.map(\.name) }

    /// Number of rows (0 for a table without columns).
    public var rowCount: Int { columns.first?.count ?? 0 }

    /// The column called `name`, if any (exact match first, then ignoring case).
    public subscript(name: String) -> ArrowColumn? {
        columns.first { $0.name == name }
            ?? columns.first { $0.name.lowercased() == name.lowercased() }
    }

    /// Appends the rows of `other`, which must have the same schema.
    mutating func append(_ other: ArrowTable) throws(SparkConnectError) {
        if columns.isEmpty {
            columns = other.columns
            return
        }
        guard other.columns.count == columns.count else {
            throw SparkConnectError(.arrow, "Arrow batches of one result differ in column count")
        }
        for index in columns.indices {
            try columns[index].append(other.columns[index])
        }
    }
}

/// One named column with its values; `nil` is SQL NULL.
public struct ArrowColumn: Sendable, Equatable {
    /// Values by Arrow type.
    public enum Values: Sendable, Equatable {
        case int32([Int32?])
        case int64([Int64?])
        case double([Double?])
        case string([String?])
        case bool([Bool?])
        /// Microseconds since the Unix epoch, UTC; `timeZone` as Arrow gave it.
        case timestamp([Int64?], timeZone: String?)
        /// Arrow's Null type: every value is null.
        case null(count: Int)
    }

    public var name: String
    public var values: Values

    public init(name: String, values: Values) {
        self.name = name
        self.values = values
    }

    /// Number of values.
    public var count: Int {
        switch values {
        case .int32(let v): v.count
        case .int64(let v): v.count
        case .double(let v): v.count
        case .string(let v): v.count
        case .bool(let v): v.count
        case .timestamp(let v, _): v.count
        case .null(let count): count
        }
    }

    /// Value `row` widened to Int64 (int32 and int64 columns).
    public func int(_ row: Int) -> Int64? {
        switch values {
        case .int32(let v): v[row].map(Int64.init)
        case .int64(let v): v[row]
        default: nil
        }
    }

    /// Value `row` as a Double (double, int32 and int64 columns).
    public func double(_ row: Int) -> Double? {
        switch values {
        case .double(let v): v[row]
        case .int32(let v): v[row].map(Double.init)
        case .int64(let v): v[row].map(Double.init)
        default: nil
        }
    }

    /// Value `row` of a string column.
    public func string(_ row: Int) -> String? {
        if case .string(let v) = values { return v[row] }
        return nil
    }

    /// Value `row` of a boolean column.
    public func bool(_ row: Int) -> Bool? {
        if case .bool(let v) = values { return v[row] }
        return nil
    }

    mutating func append(_ other: ArrowColumn) throws(SparkConnectError) {
        switch (values, other.values) {
        case (.int32(let a), .int32(let b)): values = .int32(a + b)
        case (.int64(let a), .int64(let b)): values = .int64(a + b)
        case (.double(let a), .double(let b)): values = .double(a + b)
        case (.string(let a), .string(let b)): values = .string(a + b)
        case (.bool(let a), .bool(let b)): values = .bool(a + b)
        case (.timestamp(let a, let zone), .timestamp(let b, _)):
            values = .timestamp(a + b, timeZone: zone)
        case (.null(let a), .null(let b)): values = .null(count: a + b)
        default:
            throw SparkConnectError(
                .arrow, "Arrow batches of one result differ in the type of \(name)")
        }
    }
}
