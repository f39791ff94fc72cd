/// The header row of a CSV stream: which column feeds which field.
///
/// Columns may come in any order; unknown ones are ignored. A required
/// column that is missing, or one named twice, stops the run with an error
/// naming the file and the column.
struct CSVHeader: Sendable {
    /// For each column, the schema slot it fills, or nil when unused.
    var slots: [Int?]
    /// Bytes of the header record, its line end included.
    var byteCount: Int
    /// Physical lines the header spans.
    var lineCount: Int64

    /// Reads the header from the first bytes of the file.
    init(_ bytes: UnsafeBufferPointer<UInt8>, schema: StreamSchema, file: String, limit: Int) throws
    {
        let bounds = CSVRecords.record(in: bytes, from: 0, limit: limit)
        // A byte order mark was already dropped by StreamReader.
        let record = CSVRecords.trimmed(bytes, 0, bounds.end)
        let stream = schema.stream.rawValue
        guard !bounds.unclosedQuote else {
            throw DesyncError(
                .input,
                "\(file) line 1: the CSV header of \(stream) has an unclosed quote; the first line"
                    + " must name the columns, for example "
                    + schema.fields.map(\.name).joined(separator: ","))
        }
        var names: [[UInt8]] = []
        var scratch: [UInt8] = []
        let problem = CSVRecords.fields(record) { _, field in
            let raw = UnsafeBufferPointer(rebasing: record[field.start..<field.end])
            if field.doubledQuotes {
                CSVRecords.undouble(raw, into: &scratch)
                names.append(scratch)
            } else {
                names.append(Array(raw))
            }
        }
        if let problem {
            throw DesyncError(
                .input, "\(file) line 1: the CSV header of \(stream) is malformed: \(problem)")
        }
        var slots: [Int?] = []
        var seen = [Bool](repeating: false, count: schema.fields.count)
        for name in names {
            let slot = name.withUnsafeBufferPointer { schema.slot(of: $0) }
            if let slot {
                guard !seen[slot] else {
                    throw DesyncError(
                        .input,
                        "\(file) line 1: the CSV header of \(stream) names column"
                            + " '\(schema.fields[slot].name)' twice; keep one")
                }
                seen[slot] = true
            }
            slots.append(slot)
        }
        let missing = schema.fields.indices.filter { !seen[$0] }.map { schema.fields[$0].name }
        guard missing.isEmpty else {
            throw DesyncError(
                .input,
                "\(file) line 1: the CSV header of \(stream) lacks column"
                    + (missing.count == 1 ? " " : "s ")
                    + missing.map { "'\($0)'" }.joined(separator: ", ")
                    + "; the first line must name every column of CONTRACT.md ("
                    + schema.fields.map(\.name).joined(separator: ",") + ") in any order")
        }
        self.slots = slots
        byteCount = bounds.complete ? bounds.end + 1 : bounds.end
        lineCount = Int64(bounds.lineBreaks) + 1
    }
}

/// Parses the CSV records of one chunk of a stream (the header already
/// removed). Fields become `RawField`s and go through the same `RowTyper`
/// as JSON, so the validation rules and reasons are the same; a record
/// that is not well-formed CSV (unbalanced quotes, wrong field count) is
/// rejected as `malformed_csv`. A record's line number is the physical line
/// where it starts.
struct CSVChunkParser {
    let schema: StreamSchema
    let validation: Validation
    let sourceFile: String
    let header: CSVHeader

    func parse(_ bytes: UnsafeBufferPointer<UInt8>, firstLine: Int64) -> ParsedChunk {
        var chunk = ParsedChunk()
        var appender = RowAppender(schema: schema)
        var typer = RowTyper(schema: schema, validation: validation)
        typer.textNumbers = true
        let columns = header.slots
        var fields = [RawField](repeating: .missing, count: schema.fields.count)
        var row = TypedRow(fieldCount: schema.fields.count)
        var unquoted = [[UInt8]](repeating: [], count: schema.fields.count)

        var start = 0
        var lineNumber = firstLine
        while start < bytes.count {
            let bounds = CSVRecords.record(in: bytes, from: start, limit: validation.maxLineBytes)
            let record = CSVRecords.trimmed(bytes, start, bounds.end)
            let recordLines = Int64(bounds.lineBreaks) + 1
            chunk.lines += recordLines
            chunk.records += 1
            var nextStart = bounds.end + 1
            var consumedLines = recordLines
            defer {
                start = nextStart
                lineNumber += consumedLines
            }

            if record.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                chunk.blankLines += 1
                continue
            }
            func reject(_ reason: RejectReason, _ message: String) {
                // A stray quote makes a "record" swallow the lines after it.
                // When such a multi-line record is malformed (the quote
                // never closes, or the field count is wrong), only its first
                // line is rejected and the lines after it are read again as
                // records of their own, so one bad quote costs one row. A
                // well-formed multi-line record with a bad value is one row.
                if recordLines > 1 && reason == .malformedCSV {
                    var lineEnd = start
                    while lineEnd < bounds.end && bytes[lineEnd] != 0x0A { lineEnd += 1 }
                    let first = CSVRecords.trimmed(bytes, start, lineEnd)
                    chunk.lines -= recordLines - 1
                    nextStart = lineEnd + 1
                    consumedLines = 1
                    chunk.rejects.append(
                        RejectedRecord(
                            stream: schema.stream, sourceFile: sourceFile, lineNumber: lineNumber,
                            reason: reason,
                            message: message + "; only this line is rejected, the lines after it"
                                + " are read again",
                            rawLine: Validation.storedRaw(first)))
                    return
                }
                chunk.rejects.append(
                    RejectedRecord(
                        stream: schema.stream, sourceFile: sourceFile, lineNumber: lineNumber,
                        reason: reason, message: message, rawLine: Validation.storedRaw(record)))
            }
            guard !bounds.unclosedQuote else {
                reject(.malformedCSV, "a quoted field never closes (unbalanced quotes)")
                continue
            }
            if let problem = validation.precheck(record, unit: "record") {
                reject(problem.reason, problem.message)
                continue
            }

            for i in fields.indices { fields[i] = .missing }
            var count = 0
            let problem = CSVRecords.fields(record) { index, field in
                count = index + 1
                guard index < columns.count, let slot = columns[index] else { return }
                let raw = UnsafeBufferPointer(rebasing: record[field.start..<field.end])
                if field.doubledQuotes {
                    CSVRecords.undouble(raw, into: &unquoted[slot])
                    // The buffer is only rewritten when the next record is
                    // split, after this row has been typed.
                    fields[slot] = unquoted[slot].withUnsafeBufferPointer { Self.classify($0) }
                } else {
                    fields[slot] = Self.classify(raw)
                }
            }
            if let problem {
                reject(.malformedCSV, problem)
                continue
            }
            guard count == columns.count else {
                reject(
                    .malformedCSV,
                    "record has \(count) field\(count == 1 ? "" : "s"), the header has"
                        + " \(columns.count)")
                continue
            }
            do {
                try typer.type(fields, into: &row)
            } catch {
                reject(error.reason, error.message)
                continue
            }
            appender.append(row, line: lineNumber, to: &chunk)
        }
        return chunk
    }

    /// CSV has no types: an empty field is empty, a field that reads as a
    /// JSON number is a number (text slots still accept it), anything else
    /// is text (number slots still accept `NaN` and plain numbers in it).
    static func classify(_ bytes: UnsafeBufferPointer<UInt8>) -> RawField {
        guard !bytes.isEmpty else { return .empty }
        let first = bytes[0]
        guard first == UInt8(ascii: "-") || (first >= 48 && first <= 57) else {
            return .text(bytes)
        }
        var scanner = JSONScanner(bytes)
        guard (try? scanner.scanNumber()) != nil, scanner.position == bytes.count else {
            return .text(bytes)
        }
        return .number(bytes)
    }
}
