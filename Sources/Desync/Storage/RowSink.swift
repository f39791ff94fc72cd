/// Receives the values of one row, column by column, in table order.
/// Each store implements it once (SQLite binds parameters, PostgreSQL
/// encodes binary COPY), so each table is described once for both.
public protocol RowSink: AnyObject {
    func text(_ bytes: UnsafeBufferPointer<UInt8>)
    func text(_ value: String)
    func timestamp(_ microseconds: Int64)
    func double(_ value: Double)
    func integer(_ value: Int64)
    func boolean(_ value: Bool)
    func null()
}

/// A table's rows, ready to be written: how many, and how to emit row `i`.
public struct TableRows: Sendable {
    public var spec: TableSpec
    public var count: Int
    public var emit: @Sendable (_ row: Int, _ sink: RowSink) -> Void

    public init(
        _ spec: TableSpec, count: Int, emit: @escaping @Sendable (Int, RowSink) -> Void
    ) {
        self.spec = spec
        self.count = count
        self.emit = emit
    }
}

extension RowSink {
    func text(_ column: StringColumn, _ row: Int) {
        column.withBytes(row) { text($0) }
    }

    func optionalText(_ value: String?) {
        if let value { text(value) } else { null() }
    }

    func optionalDouble(_ value: Double?) {
        if let value { double(value) } else { null() }
    }

    func optionalInteger(_ value: Int64?) {
        if let value { integer(value) } else { null() }
    }
}
