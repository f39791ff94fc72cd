/// Decodes one Arrow IPC stream (the bytes of an `arrow_batch.data`) into an
/// ``ArrowTable``.
///
/// A stream is a sequence of messages, each framed as an optional 0xFFFFFFFF
/// continuation marker, a 32-bit metadata length, a FlatBuffers `Message`
/// and a body; a zero length ends the stream. The first message is the
/// schema, the others record batches. Dictionaries and compressed bodies are
/// rejected (Spark sends neither by default).
public enum ArrowStreamReader {
    private enum HeaderType {
        static let schema: UInt8 = 1
        static let dictionaryBatch: UInt8 = 2
        static let recordBatch: UInt8 = 3
    }

    private struct Column {
        let name: String
        let type: ArrowType
    }

    /// Reads every record batch of `stream`, concatenated.
    public static func read(_ stream: [UInt8]) throws(SparkConnectError) -> ArrowTable {
        try read(stream[...])
    }

    /// Reads every record batch of `stream`, concatenated.
    public static func read(_ stream: ArraySlice<UInt8>) throws(SparkConnectError) -> ArrowTable {
        var position = stream.startIndex
        var schema: [Column]?
        var table = ArrowTable(columns: [])

        while position < stream.endIndex {
            var length = try FlatBufferTable.readUInt32(stream, at: position)
            position += 4
            if length == 0xFFFF_FFFF {
                length = try FlatBufferTable.readUInt32(stream, at: position)
                position += 4
            }
            if length == 0 { break }
            guard Int(length) <= stream.endIndex - position else {
                throw FlatBufferTable.malformed("message metadata longer than the stream")
            }
            let metadata = stream[position..<position + Int(length)]
            position += Int(length)

            let message = try FlatBufferTable.root(of: metadata)
            let headerType = UInt8(bitPattern: try message.int8(1))
            let bodyLength64 = try message.int64(3)
            guard bodyLength64 >= 0, bodyLength64 <= Int64(stream.endIndex - position) else {
                throw FlatBufferTable.malformed("message body longer than the stream")
            }
            let bodyLength = Int(bodyLength64)
            let body = stream[position..<position + bodyLength]
            position += bodyLength
            guard let header = try message.table(2) else {
                throw FlatBufferTable.malformed("message without header")
            }

            switch headerType {
            case HeaderType.schema:
                schema = try readSchema(header)
                if table.columns.isEmpty {
                    table.columns = (schema ?? []).map { Self.emptyColumn($0) }
                }
            case HeaderType.recordBatch:
                guard let schema else {
                    throw FlatBufferTable.malformed("record batch before the schema")
                }
                try table.append(readRecordBatch(header, body: body, schema: schema))
            case HeaderType.dictionaryBatch:
                throw SparkConnectError(
                    .arrow, "dictionary-encoded Arrow columns are not supported")
            default:
                throw FlatBufferTable.malformed("unexpected message type \(headerType)")
            }
        }
        return table
    }

    /// `Schema`: fields is field 1; each `Field` has name 0 and children 5.
    private static func readSchema(_ schema: FlatBufferTable) throws(SparkConnectError) -> [Column]
    {
        var columns: [Column] = []
        for field in try schema.tables(1) {
            let name = try field.string(0) ?? ""
            guard try field.table(4) == nil else {
                throw SparkConnectError(.arrow, "column \(name) is dictionary-encoded; unsupported")
            }
            guard try field.tables(5).isEmpty else {
                throw SparkConnectError(
                    .arrow, "column \(name) is nested (struct, list or map); unsupported")
            }
            columns.append(Column(name: name, type: try ArrowType(field: field, name: name)))
        }
        return columns
    }

    /// `RecordBatch`: length 0, nodes 1 (structs of 16 bytes: length,
    /// null_count), buffers 2 (structs of 16 bytes: offset, length),
    /// compression 3.
    private static func readRecordBatch(
        _ batch: FlatBufferTable, body: ArraySlice<UInt8>, schema: [Column]
    ) throws(SparkConnectError) -> ArrowTable {
        guard try batch.table(3) == nil else {
            throw SparkConnectError(
                .arrow,
                "the Arrow batch is compressed; unset the server's Arrow compression "
                    + "(spark.sql.execution.arrow.compression.codec=none)")
        }
        let rowCount = try batch.int64(0)
        guard rowCount >= 0, rowCount < 1 << 48 else {
            throw FlatBufferTable.malformed("row count \(rowCount) out of range")
        }
        guard let nodes = try batch.vector(1, elementSize: 16),
            let buffers = try batch.vector(2, elementSize: 16)
        else {
            throw FlatBufferTable.malformed("record batch without nodes or buffers")
        }
        guard nodes.count == schema.count else {
            throw FlatBufferTable.malformed("\(nodes.count) nodes for \(schema.count) columns")
        }

        var bufferIndex = 0
        func nextBuffer() throws(SparkConnectError) -> ArraySlice<UInt8> {
            guard bufferIndex < buffers.count else {
                throw FlatBufferTable.malformed("fewer buffers than the schema needs")
            }
            let at = buffers.start + 16 * bufferIndex
            bufferIndex += 1
            let offset = try FlatBufferTable.readLength(batch.bytes, at: at)
            let length = try FlatBufferTable.readLength(batch.bytes, at: at + 8)
            guard offset + length <= body.count else {
                throw FlatBufferTable.malformed("buffer outside the message body")
            }
            return body[body.startIndex + offset..<body.startIndex + offset + length]
        }

        var columns: [ArrowColumn] = []
        for (index, column) in schema.enumerated() {
            let at = nodes.start + 16 * index
            let length = try FlatBufferTable.readLength(batch.bytes, at: at)
            let nullCount = try FlatBufferTable.readLength(batch.bytes, at: at + 8)
            guard length == Int(rowCount), nullCount <= length else {
                throw FlatBufferTable.malformed(
                    "column \(column.name) length \(length) != \(rowCount)")
            }
            var buffers: [ArraySlice<UInt8>] = []
            for _ in 0..<column.type.bufferCount { buffers.append(try nextBuffer()) }
            let values = try ArrowColumnDecoder(
                name: column.name, count: length, nullCount: nullCount, buffers: buffers
            ).decode(column.type)
            columns.append(ArrowColumn(name: column.name, values: values))
        }
        return ArrowTable(columns: columns)
    }

    private static func emptyColumn(_ column: Column) -> ArrowColumn {
        let values: ArrowColumn.Values =
            switch column.type {
            case .int(let width): width == 64 ? .int64([]) : .int32([])
            case .floatingPoint: .double([])
            case .utf8: .string([])
            case .bool: .bool([])
            case .timestamp(_, let zone): .timestamp([], timeZone: zone)
            case .null: .null(count: 0)
            }
        return ArrowColumn(name: column.name, values: values)
    }
}
