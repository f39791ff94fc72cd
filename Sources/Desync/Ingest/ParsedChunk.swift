import Foundation

/// What parsing one slice of a file produced: typed rows with ids interned
/// locally, the rejected lines, and line counts. Chunks are parsed in
/// parallel and merged in file order by `StreamReader`.
struct ParsedChunk: Sendable {
    var events = PlayerEvents()
    var states = ServerStates()
    /// Local interners; `StreamReader` remaps their ids to the global ones.
    var dimensions = Dimensions()
    var rejects: [RejectedRecord] = []
    /// Physical lines in the chunk, blank ones included.
    var lines: Int64 = 0
    /// Records in the chunk, blank ones included: one per line in JSON
    /// Lines; a CSV record may span lines inside quotes.
    var records: Int64 = 0
    /// Blank records.
    var blankLines: Int64 = 0
}

/// Parses the JSON Lines of one chunk of a stream.
struct JSONChunkParser {
    let schema: StreamSchema
    let validation: Validation
    let sourceFile: String

    /// `bytes` holds whole lines; `firstLine` is the 1-based number of its
    /// first line in the file.
    func parse(_ bytes: UnsafeBufferPointer<UInt8>, firstLine: Int64) -> ParsedChunk {
        var chunk = ParsedChunk()
        let estimate = bytes.count / (schema.stream == .playerEvents ? 240 : 250) + 16
        if schema.stream == .playerEvents {
            chunk.events.reserve(estimate)
        } else {
            chunk.states.reserve(estimate)
        }
        var appender = RowAppender(schema: schema)
        let typer = RowTyper(schema: schema, validation: validation)
        var fields = [RawField](repeating: .missing, count: schema.fields.count)
        var row = TypedRow(fieldCount: schema.fields.count)
        var unescaped = [[UInt8]](repeating: [], count: schema.fields.count)
        var keyScratch = [UInt8]()
        // The slot the n-th key of the previous line had: the first guess
        // for the n-th key of this one.
        var slotHints = [Int](repeating: 0, count: 32)

        var start = 0
        var lineNumber = firstLine
        let n = bytes.count
        while start < n {
            // memchr scans a word or a vector at a time.
            let end: Int
            if let hit = memchr(bytes.baseAddress! + start, 0x0A, n - start) {
                end = bytes.baseAddress!.distance(
                    to: hit.assumingMemoryBound(to: UInt8.self))
            } else {
                end = n
            }
            var lineEnd = end
            if lineEnd > start && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let line = UnsafeBufferPointer(rebasing: bytes[start..<lineEnd])
            chunk.lines += 1
            chunk.records += 1
            defer {
                start = end + 1
                lineNumber += 1
            }

            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                chunk.blankLines += 1
                continue
            }
            func reject(_ reason: RejectReason, _ message: String) {
                chunk.rejects.append(
                    RejectedRecord(
                        stream: schema.stream, sourceFile: sourceFile, lineNumber: lineNumber,
                        reason: reason, message: message, rawLine: Validation.storedRaw(line)))
            }
            if let problem = validation.precheck(line, unit: "line") {
                reject(problem.reason, problem.message)
                continue
            }

            for i in fields.indices { fields[i] = .missing }
            var badEscape: String? = nil
            var scanner = JSONScanner(line)
            var member = 0
            do {
                try scanner.scanObject { ks, ke, kEscaped, token in
                    let key = UnsafeBufferPointer(rebasing: line[ks..<ke])
                    let slot: Int?
                    let hint = member < slotHints.count ? slotHints[member] : 0
                    if kEscaped {
                        guard JSONScanner.unescape(key, into: &keyScratch) else { return }
                        slot = keyScratch.withUnsafeBufferPointer {
                            schema.slot(of: $0, hint: hint)
                        }
                    } else {
                        slot = schema.slot(of: key, hint: hint)
                    }
                    if member < slotHints.count, let slot { slotHints[member] = slot }
                    member += 1
                    guard let slot else { return }
                    switch token {
                    case .missing: fields[slot] = .missing
                    case .null: fields[slot] = .null
                    case .bool: fields[slot] = .bool
                    case .composite: fields[slot] = .composite
                    case .nonFinite: fields[slot] = .nonFinite
                    case .number(let s, let e):
                        fields[slot] = .number(UnsafeBufferPointer(rebasing: line[s..<e]))
                    case .string(let s, let e, let escaped):
                        let raw = UnsafeBufferPointer(rebasing: line[s..<e])
                        if escaped {
                            guard JSONScanner.unescape(raw, into: &unescaped[slot]) else {
                                badEscape = schema.fields[slot].name
                                return
                            }
                            // The buffer outlives this row's use: it is only
                            // rewritten when the next line is scanned.
                            fields[slot] = unescaped[slot].withUnsafeBufferPointer {
                                .text($0)
                            }
                        } else {
                            fields[slot] = .text(raw)
                        }
                    }
                }
            } catch {
                reject(
                    .malformedJSON,
                    "not a JSON object: expected \(error.expected) at byte \(error.offset + 1)")
                continue
            }
            if let badEscape {
                reject(.malformedJSON, "field '\(badEscape)' holds an invalid escape sequence")
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
}

/// Moves a typed row into the chunk's columns, interning ids as it goes.
/// Consecutive rows usually share a session and player, so the last id
/// seen is checked before the dictionary.
struct RowAppender {
    let schema: StreamSchema
    private var lastSession: (bytes: [UInt8], id: Int32) = ([], -1)
    private var lastPlayer: (bytes: [UInt8], id: Int32) = ([], -1)
    private var lastType: (bytes: [UInt8], id: Int32) = ([], -1)

    init(schema: StreamSchema) {
        self.schema = schema
    }

    private static func intern(
        _ bytes: UnsafeBufferPointer<UInt8>, _ cache: inout (bytes: [UInt8], id: Int32),
        _ interner: inout Interner
    ) -> Int32 {
        if cache.id >= 0 && cache.bytes.count == bytes.count
            && cache.bytes.withUnsafeBufferPointer({
                bytes.count == 0 || memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0
            })
        {
            return cache.id
        }
        let id = interner.id(for: String(decoding: bytes, as: UTF8.self))
        cache = (Array(bytes), id)
        return id
    }

    mutating func append(_ row: TypedRow, line: Int64, to chunk: inout ParsedChunk) {
        if schema.stream == .playerEvents {
            chunk.events.eventID.append(row.texts[0])
            chunk.events.session.append(
                Self.intern(row.texts[1], &lastSession, &chunk.dimensions.sessions))
            chunk.events.player.append(
                Self.intern(row.texts[2], &lastPlayer, &chunk.dimensions.players))
            chunk.events.eventType.append(
                Self.intern(row.texts[3], &lastType, &chunk.dimensions.eventTypes))
            chunk.events.timestamp.append(row.timestamp)
            chunk.events.x.append(row.reals[5])
            chunk.events.y.append(row.reals[6])
            chunk.events.z.append(row.reals[7])
            chunk.events.line.append(line)
        } else {
            chunk.states.stateID.append(row.texts[0])
            chunk.states.session.append(
                Self.intern(row.texts[1], &lastSession, &chunk.dimensions.sessions))
            chunk.states.player.append(
                Self.intern(row.texts[2], &lastPlayer, &chunk.dimensions.players))
            chunk.states.timestamp.append(row.timestamp)
            chunk.states.x.append(row.reals[4])
            chunk.states.y.append(row.reals[5])
            chunk.states.z.append(row.reals[6])
            chunk.states.ping.append(Int32(row.integers[7]))
            chunk.states.packetLoss.append(row.reals[8])
            chunk.states.line.append(line)
        }
    }
}
