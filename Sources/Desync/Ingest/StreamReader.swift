import Dispatch
import Foundation

/// An input file as the ledger records it.
public struct InputFile: Sendable, Equatable {
    public var stream: Stream
    public var path: String
    public var bytes: Int64
    public var sha256: String
}

/// Everything read from one stream: the accepted rows (duplicates already
/// removed), the rejected lines, and the counts the ledger needs.
public struct StreamInput: Sendable {
    public var file: InputFile
    public var events = PlayerEvents()
    public var states = ServerStates()
    // FIXME: rejects are held in memory until the run is stored (each with
    // up to 2 KiB of raw line), so a huge file of bad lines (the wrong file
    // given) grows memory with its size; they should stream to the store.
    public var rejects: [RejectedRecord] = []
    /// Non-blank lines: the rows the ledger accounts for.
    public var rowsRead: Int64 = 0
    public var blankLines: Int64 = 0
    public var duplicates: Int64 = 0
    /// Accepted rows sent to a `StreamSpill` instead of the columns,
    /// duplicates not yet removed.
    public var spilled: Int64 = 0

    public var accepted: Int64 {
        Int64(file.stream == .playerEvents ? events.count : states.count) + spilled
    }

    /// Rejected rows, duplicates excluded (they are counted on their own,
    /// and a partitioned run records their rejects only later).
    public var rejected: Int64 {
        Int64(rejects.count { $0.reason != .duplicate })
    }
}

/// One task of a read batch: parse one piece, hash all of them in order, or
/// merge the previous batch's parsed pieces.
private enum ReadJob: Sendable {
    case parse([UInt8])
    case hash([[UInt8]])
    case merge
}

/// What the reader has merged so far, and the parsed pieces of the last
/// batch still to merge. The merge of batch k runs as one more task beside
/// the parsing of batch k + 1, and is the only task touching this state,
/// which is why the unchecked `Sendable` is sound.
private final class MergeState: @unchecked Sendable {
    var result: StreamInput
    var dimensions: Dimensions
    var nextLine: Int64 = 1
    var pending: [ParsedChunk] = []
    var pendingBytes = 0
    /// File bytes whose rows are merged.
    var mergedBytes = 0
    var failure: (any Error)?

    init(result: StreamInput, dimensions: Dimensions) {
        self.result = result
        self.dimensions = dimensions
    }
}

/// Reads a JSON Lines or CSV stream in large sequential chunks, parses the
/// chunks on all cores (hashing the file beside them), and merges them in
/// file order. Chunks are cut at line ends, and for CSV only at line ends
/// outside quotes, so no record is ever split between two chunks.
public struct StreamReader: Sendable {
    public var validation = Validation()
    /// Bytes per chunk handed to one parsing task.
    public var chunkBytes = 8 << 20
    public var parallelism = max(1, ProcessInfo.processInfo.activeProcessorCount)

    public init() {}

    /// Reads one stream; `format` nil means by the file's extension.
    public func read(
        _ stream: Stream, path: String, format: TelemetryFormat? = nil,
        dimensions: inout Dimensions, progress: ((Int64) -> Void)? = nil
    ) throws -> StreamInput {
        try read(stream, path: path, format: format, dimensions: &dimensions, spill: nil, progress)
    }

    /// Reads one stream; with a `spill`, accepted rows go to its partition
    /// files instead of the returned columns, and duplicates are left for
    /// the caller to resolve across partitions.
    func read(
        _ stream: Stream, path: String, format: TelemetryFormat?,
        dimensions: inout Dimensions, spill: StreamSpill?, _ progress: ((Int64) -> Void)?
    ) throws -> StreamInput {
        let format = format ?? TelemetryFormat(path: path)
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw DesyncError(
                .input, "cannot open \(stream.rawValue) input '\(path)': \(reason)",
                cause: "check the path and its permissions")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw DesyncError(
                .input, "\(stream.rawValue) input '\(path)' is not a regular file")
        }

        let schema = StreamSchema.of(stream)
        let parser = JSONChunkParser(schema: schema, validation: validation, sourceFile: path)
        var csvParser: CSVChunkParser? = nil
        let hasher = SHA256Hasher()
        let state = MergeState(
            result: StreamInput(
                file: InputFile(
                    stream: stream, path: path, bytes: Int64(info.st_size), sha256: "")),
            dimensions: dimensions)
        @Sendable func mergePending() throws {
            for chunk in state.pending {
                try merge(
                    chunk, firstLine: state.nextLine, into: &state.result,
                    dimensions: &state.dimensions, spill: spill)
                state.nextLine += chunk.lines
            }
            state.mergedBytes += state.pendingBytes
            state.pending = []
            state.pendingBytes = 0
        }
        var carry: [UInt8] = []
        var totalRead: Int64 = 0
        var reachedEnd = false
        var reserved = false

        var longLine = false
        var atStart = true
        while !reachedEnd {
            if longLine {
                // The rest of a line already known to be too long: hashed and
                // counted, never held whole (a JSON array file is one line).
                longLine = false
                try mergePending()
                try skipLongLine(
                    fd, start: carry, line: state.nextLine, hasher: hasher, into: &state.result,
                    carry: &carry, reachedEnd: &reachedEnd, totalRead: &totalRead)
                state.nextLine += 1
                continue
            }
            // Read up to `parallelism` chunks, each ending at a newline.
            var pieces: [[UInt8]] = []
            while pieces.count < parallelism {
                var (buffer, got) = try Self.readChunk(
                    fd, after: carry, count: chunkBytes, path: path)
                carry = []
                totalRead += Int64(got)
                if got < chunkBytes {
                    reachedEnd = true
                    if !buffer.isEmpty { pieces.append(buffer) }
                    break
                }
                let cut: Int?
                if format == .csv {
                    cut = buffer.withUnsafeBufferPointer {
                        CSVRecords.lastCompleteEnd($0, limit: validation.maxLineBytes)
                    }
                } else {
                    cut = buffer.lastIndex(of: 0x0A).map { $0 + 1 }
                }
                if let cut {
                    carry = Array(buffer[cut...])
                    buffer.removeSubrange(cut...)
                    pieces.append(buffer)
                } else {
                    carry = buffer  // one line longer than a chunk: keep reading
                    if format != .csv && carry.count > validation.maxLineBytes {
                        longLine = true  // parse the pieces before it first
                        break
                    }
                }
            }
            progress?(totalRead)
            if pieces.isEmpty { continue }
            // The pieces cover the file in order without overlap, so hashing
            // them in order hashes the file (a CSV header included, before it
            // is cut off below); that runs beside the parsing.
            let hashJob = ReadJob.hash(pieces)
            if atStart {
                if let (name, tool) = Self.compression(of: pieces[0]) {
                    throw DesyncError(
                        .input,
                        "\(stream.rawValue) input '\(path)' is \(name)-compressed; decompress"
                            + " it first (for example: \(tool) '\(path)' >"
                            + " \(stream.rawValue).jsonl, in another folder) and point desync at"
                            + " the result")
                }
                // A UTF-8 byte order mark, as Windows tools write, is not
                // part of the first line (it stays in the checksum).
                atStart = false
                if pieces[0].starts(with: [0xEF, 0xBB, 0xBF]) { pieces[0].removeFirst(3) }
            }
            if format == .csv && csvParser == nil {
                // The first record is the header: it names the columns.
                let header = try pieces[0].withUnsafeBufferPointer {
                    try CSVHeader(
                        $0, schema: schema, file: path, limit: validation.maxLineBytes)
                }
                pieces[0].removeSubrange(0..<header.byteCount)
                state.nextLine += header.lineCount
                csvParser = CSVChunkParser(
                    schema: schema, validation: validation, sourceFile: path, header: header)
            }

            let csv = csvParser
            // FIXME: with two cores the batch is two parses, the hash and
            // the previous batch's merge; when the merge is as slow as a
            // parse a core waits (the read stage uses about 1.15 cores).
            // Smaller chunks, more per batch, would hide it.
            let jobs =
                pieces.map { ReadJob.parse($0) } + [hashJob]
                + (state.pending.isEmpty ? [] : [ReadJob.merge])
            let parsed = parallelMap(jobs) { job -> ParsedChunk? in
                switch job {
                case .parse(let piece):
                    return piece.withUnsafeBufferPointer { bytes in
                        csv.map { $0.parse(bytes, firstLine: 1) }
                            ?? parser.parse(bytes, firstLine: 1)
                    }
                case .hash(let all):
                    for piece in all { piece.withUnsafeBytes { hasher.update($0) } }
                    return nil
                case .merge:
                    do { try mergePending() } catch { state.failure = error }
                    return nil
                }
            }
            if let failure = state.failure { throw failure }
            state.pending = parsed.prefix(pieces.count).compactMap { $0 }
            state.pendingBytes = pieces.reduce(0) { $0 + $1.count }
            if !reserved && spill == nil && state.result.accepted > 0 {
                // Size the columns for the whole file from the first rows,
                // so they are not copied again and again as they grow.
                reserved = true
                let rows =
                    Double(state.result.accepted) * Double(info.st_size)
                    / Double(max(state.mergedBytes, 1))
                let estimate = Int(rows * 1.02) + 1024
                if stream == .playerEvents {
                    state.result.events.reserve(estimate)
                } else {
                    state.result.states.reserve(estimate)
                }
            }
        }
        try mergePending()
        var result = state.result
        state.result = StreamInput(file: result.file)  // keep `result` uniquely referenced
        dimensions = state.dimensions
        result.file.sha256 = hasher.finish()
        if let spill {
            try spill.finish()
        } else {
            removeDuplicates(&result, dimensions: dimensions)
        }
        return result
    }

    /// The compression format whose magic number `start` begins with, and
    /// the command that undoes it: such a file would otherwise be read as
    /// thousands of malformed lines.
    static func compression(of start: [UInt8]) -> (name: String, tool: String)? {
        let magics: [([UInt8], String, String)] = [
            // Each tool writes to standard output, whatever the file's name.
            ([0x1F, 0x8B], "gzip", "gzip -dc"),
            ([0x28, 0xB5, 0x2F, 0xFD], "zstd", "zstd -dc"),
            ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], "xz", "xz -dc"),
            ([0x50, 0x4B, 0x03, 0x04], "zip", "unzip -p"),
        ]
        return magics.first { start.starts(with: $0.0) }.map { ($0.1, $0.2) }
    }

    /// Reads on to the end of a line longer than the limit, hashing what it
    /// reads, and records the line as `line_too_long`. `start` is the
    /// line's beginning (read, not yet hashed); `carry` gets what follows
    /// the line's newline (read, not yet hashed).
    private func skipLongLine(
        _ fd: Int32, start: [UInt8], line: Int64, hasher: SHA256Hasher,
        into result: inout StreamInput, carry: inout [UInt8], reachedEnd: inout Bool,
        totalRead: inout Int64
    ) throws {
        let kept = Array(start.prefix(Validation.maxStoredRawBytes))
        start.withUnsafeBytes { hasher.update($0) }
        var length = start.count
        carry = []
        while true {
            let (buffer, got) = try Self.readChunk(
                fd, after: [], count: chunkBytes, path: result.file.path)
            totalRead += Int64(got)
            if let newline = buffer.firstIndex(of: 0x0A) {
                buffer[...newline].withUnsafeBytes { hasher.update(UnsafeRawBufferPointer($0)) }
                length += newline - (newline > 0 && buffer[newline - 1] == 0x0D ? 1 : 0)
                carry = Array(buffer[(newline + 1)...])
                reachedEnd = got < chunkBytes && carry.isEmpty
                break
            }
            buffer.withUnsafeBytes { hasher.update($0) }
            length += got
            if got < chunkBytes {
                reachedEnd = true
                break
            }
        }
        result.rowsRead += 1
        let message = kept.withUnsafeBufferPointer {
            Validation.tooLongMessage($0, length: length, limit: validation.maxLineBytes)
        }
        result.rejects.append(
            RejectedRecord(
                stream: result.file.stream, sourceFile: result.file.path, lineNumber: line,
                reason: .lineTooLong, message: message,
                rawLine: kept.withUnsafeBufferPointer { Validation.storedRaw($0, length: length) }))
    }

    /// Reads up to `count` bytes after `carry` into one new array, without
    /// zero-filling it first.
    private static func readChunk(
        _ fd: Int32, after carry: [UInt8], count: Int, path: String
    ) throws -> (buffer: [UInt8], read: Int) {
        var failure: Int32 = 0
        var filled = 0
        let buffer = [UInt8](unsafeUninitializedCapacity: carry.count + count) { raw, initialized in
            _ = raw.initialize(fromContentsOf: carry)
            while filled < count {
                let n = Foundation.read(fd, raw.baseAddress! + carry.count + filled, count - filled)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                if n == 0 { break }
                filled += n
            }
            initialized = carry.count + filled
        }
        guard failure == 0 else {
            throw DesyncError(
                .input, "cannot read '\(path)': \(String(cString: strerror(failure)))")
        }
        return (buffer, filled)
    }

    /// Appends a chunk's rows, turning its local ids into the shared ones
    /// and its line numbers into file line numbers.
    private func merge(
        _ chunk: ParsedChunk, firstLine: Int64, into result: inout StreamInput,
        dimensions: inout Dimensions, spill: StreamSpill?
    ) throws {
        let shift = firstLine - 1
        let sessions = chunk.dimensions.sessions.values.map { dimensions.sessions.id(for: $0) }
        let players = chunk.dimensions.players.values.map { dimensions.players.id(for: $0) }
        let types = chunk.dimensions.eventTypes.values.map { dimensions.eventTypes.id(for: $0) }
        result.blankLines += chunk.blankLines
        result.rowsRead += chunk.records - chunk.blankLines
        for var reject in chunk.rejects {
            reject.lineNumber += shift
            result.rejects.append(reject)
        }
        if let spill {
            try spill.add(
                chunk, lineShift: shift, sessions: sessions, players: players, types: types)
            result.spilled += Int64(chunk.events.count + chunk.states.count)
        } else if result.file.stream == .playerEvents {
            let c = chunk.events
            var e = result.events
            result.events = PlayerEvents()  // keep `e` uniquely referenced
            e.eventID.append(contentsOf: c.eventID)
            e.session.append(contentsOf: c.session.lazy.map { sessions[Int($0)] })
            e.player.append(contentsOf: c.player.lazy.map { players[Int($0)] })
            e.eventType.append(contentsOf: c.eventType.lazy.map { types[Int($0)] })
            e.timestamp.append(contentsOf: c.timestamp)
            e.x.append(contentsOf: c.x)
            e.y.append(contentsOf: c.y)
            e.z.append(contentsOf: c.z)
            e.line.append(contentsOf: c.line.lazy.map { $0 + shift })
            result.events = e
        } else {
            let c = chunk.states
            var s = result.states
            result.states = ServerStates()
            s.stateID.append(contentsOf: c.stateID)
            s.session.append(contentsOf: c.session.lazy.map { sessions[Int($0)] })
            s.player.append(contentsOf: c.player.lazy.map { players[Int($0)] })
            s.timestamp.append(contentsOf: c.timestamp)
            s.x.append(contentsOf: c.x)
            s.y.append(contentsOf: c.y)
            s.z.append(contentsOf: c.z)
            s.ping.append(contentsOf: c.ping)
            s.packetLoss.append(contentsOf: c.packetLoss)
            s.line.append(contentsOf: c.line.lazy.map { $0 + shift })
            result.states = s
        }
    }
}
