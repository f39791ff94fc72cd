/// Why an input line was not used. The raw values are what
/// `rejected_records.reason` holds; the README lists them.
public enum RejectReason: String, Sendable, CaseIterable, Comparable {
    /// Not a JSON object: a syntax error, or a line cut short.
    case malformedJSON = "malformed_json"
    /// Bytes that are not valid UTF-8.
    case invalidUTF8 = "invalid_utf8"
    /// Longer than the line limit (`--max-line-bytes`).
    case lineTooLong = "line_too_long"
    /// A required field is absent, null or an empty string.
    case missingField = "missing_field"
    /// A field holds the wrong JSON type (a string where a number belongs,
    /// a fractional ping, and the reverse).
    case wrongType = "wrong_type"
    /// `NaN`, `Infinity` or a number too large for a double (`1e999`).
    case nonFinite = "non_finite"
    /// A value outside its plausible range (see `Validation`).
    case outOfRange = "out_of_range"
    /// A timestamp that is not ISO-8601 as CONTRACT.md allows, an
    /// impossible date, or an instant outside the years 0001 to 9999 UTC.
    case badTimestamp = "bad_timestamp"
    /// A text field holding U+0000 (written `\u0000` in JSON): valid JSON,
    /// but SQLite would cut the text there and PostgreSQL refuses it.
    case invalidText = "invalid_text"
    /// The same id, or the same session, player and timestamp, seen before
    /// in the stream. Kept for inspection, counted as a duplicate rather
    /// than a rejection in the ledger.
    case duplicate = "duplicate"
    /// A malformed CSV record (unbalanced quotes, wrong field count).
    case malformedCSV = "malformed_csv"

    public static func < (lhs: RejectReason, rhs: RejectReason) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

/// One input line the pipeline did not use, with the reason.
public struct RejectedRecord: Sendable {
    public var stream: Stream
    public var sourceFile: String
    public var lineNumber: Int64
    public var reason: RejectReason
    public var message: String
    /// The line as read, cut at `Validation.maxStoredRawBytes` with a
    /// marker; invalid UTF-8 and NUL bytes replaced by U+FFFD.
    public var rawLine: String

    public init(
        stream: Stream, sourceFile: String, lineNumber: Int64, reason: RejectReason,
        message: String, rawLine: String
    ) {
        self.stream = stream
        self.sourceFile = sourceFile
        self.lineNumber = lineNumber
        self.reason = reason
        self.message = message
        self.rawLine = rawLine
    }
}

/// The plausible ranges and limits applied while reading.
public struct Validation: Sendable {
    /// Lines longer than this are rejected unread (`line_too_long`).
    public var maxLineBytes: Int = 65_536
    /// Raw lines stored in `rejected_records` are cut at this many bytes.
    public static let maxStoredRawBytes = 2048
    /// Ping in milliseconds must lie in `0...maxPing`.
    public var maxPing: Int = 60_000
    /// Coordinates must lie in `-maxCoordinate...maxCoordinate`.
    public var maxCoordinate: Double = 1e9

    public init() {}

    /// Text for `rejected_records.raw_line`: lossy UTF-8, NUL replaced,
    /// cut with a marker that says how many bytes were dropped.
    public static func storedRaw(_ line: UnsafeBufferPointer<UInt8>) -> String {
        storedRaw(line, length: line.count)
    }

    /// As `storedRaw(_:)` for a line of `length` bytes of which `line`
    /// holds the beginning.
    static func storedRaw(_ line: UnsafeBufferPointer<UInt8>, length: Int) -> String {
        let keep = min(line.count, maxStoredRawBytes)
        var text = String(decoding: UnsafeBufferPointer(rebasing: line[0..<keep]), as: UTF8.self)
        if text.utf8.contains(0) {
            text = String(text.unicodeScalars.map { $0 == "\0" ? "\u{FFFD}" : Character($0) })
        }
        if keep < length {
            text += " …[cut: \(length - keep) more bytes]"
        }
        return text
    }

    /// The message of a `line_too_long` reject; `start` is the line's
    /// beginning, enough to spot a JSON array given for JSON Lines.
    static func tooLongMessage(
        _ start: UnsafeBufferPointer<UInt8>, length: Int, limit: Int, unit: String = "line"
    ) -> String {
        var message =
            "\(unit) is \(length) bytes, above the limit of \(limit)"
            + " (raise it with --max-line-bytes)"
        let skipped: Set<UInt8> = [0x20, 0x09, 0xEF, 0xBB, 0xBF]  // spaces, byte order mark
        if unit == "line", start.first(where: { !skipped.contains($0) }) == UInt8(ascii: "[") {
            message +=
                "; it starts with '[': desync reads JSON Lines, one object per line,"
                + " not a JSON array"
        }
        return message
    }
}
