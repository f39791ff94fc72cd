/// Where CSV records and fields begin and end (RFC 4180).
///
/// A record ends at a line feed outside quotes, so a quoted field may hold
/// commas, doubled quotes (`""` for one `"`) and line breaks. The reader
/// cuts its chunks and the parser walks its records with the same
/// `record(in:from:limit:)`, so both always agree on where a record starts,
/// even around a stray quote.
enum CSVRecords {
    static let quote: UInt8 = 0x22
    static let comma: UInt8 = 0x2C
    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D

    struct Bounds {
        /// Index of the line feed that ends the record, or the end of the
        /// bytes.
        var end: Int
        /// Line feeds inside quoted fields of the record.
        var lineBreaks: Int
        /// The record ended at a line feed (not at the end of the bytes).
        var complete: Bool
        /// A quoted field was still open where the record was cut: at the
        /// end of the bytes, or at the first line feed past `limit` bytes.
        var unclosedQuote: Bool
    }

    /// The record starting at `start`. A record whose quotes are still open
    /// after `limit` bytes is cut at the next line feed, so one stray quote
    /// costs one bounded record, not the rest of the file.
    static func record(in bytes: UnsafeBufferPointer<UInt8>, from start: Int, limit: Int) -> Bounds
    {
        var quoted = false
        var breaks = 0
        var i = start
        let n = bytes.count
        while i < n {
            let c = bytes[i]
            if c == quote {
                quoted.toggle()
            } else if c == lineFeed {
                if !quoted {
                    return Bounds(end: i, lineBreaks: breaks, complete: true, unclosedQuote: false)
                }
                if i - start > limit {
                    return Bounds(end: i, lineBreaks: breaks, complete: true, unclosedQuote: true)
                }
                breaks += 1
            }
            i += 1
        }
        return Bounds(end: n, lineBreaks: breaks, complete: false, unclosedQuote: quoted)
    }

    /// The end (exclusive, just past its line feed) of the last complete
    /// record of `bytes`, which must start at a record's start; nil when no
    /// record is complete.
    static func lastCompleteEnd(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int) -> Int? {
        var start = 0
        var last: Int? = nil
        while start < bytes.count {
            let bounds = record(in: bytes, from: start, limit: limit)
            guard bounds.complete else { break }
            start = bounds.end + 1
            last = start
        }
        return last
    }

    /// One field of a record, as byte offsets into it.
    struct Field {
        var start: Int
        var end: Int
        var quoted: Bool
        /// The field holds `""` pairs that stand for one quote each.
        var doubledQuotes: Bool
    }

    /// Splits one record (without its line end) into fields, calling `each`
    /// with the field's index. Returns a message for a malformed record.
    static func fields(
        _ record: UnsafeBufferPointer<UInt8>, _ each: (Int, Field) -> Void
    ) -> String? {
        let n = record.count
        var i = 0
        var index = 0
        while true {
            if i < n && record[i] == quote {
                i += 1
                let start = i
                var doubled = false
                while true {
                    guard i < n else {
                        return
                            "column \(index + 1) opens a quote that never closes"
                            + " (unbalanced quotes)"
                    }
                    if record[i] == quote {
                        if i + 1 < n && record[i + 1] == quote {
                            doubled = true
                            i += 2
                            continue
                        }
                        break
                    }
                    i += 1
                }
                each(index, Field(start: start, end: i, quoted: true, doubledQuotes: doubled))
                i += 1
                guard i == n || record[i] == comma else {
                    return "column \(index + 1) has text after its closing quote; a quote inside a"
                        + " quoted field is written twice (\"\")"
                }
            } else {
                let start = i
                while i < n && record[i] != comma {
                    guard record[i] != quote else {
                        return
                            "column \(index + 1) holds a quote but is not quoted; enclose the field"
                            + " in quotes and write the quote twice (\"\")"
                    }
                    i += 1
                }
                each(index, Field(start: start, end: i, quoted: false, doubledQuotes: false))
            }
            index += 1
            guard i < n else { return nil }
            i += 1  // the comma; a comma at the very end opens one empty field
        }
    }

    /// Removes the doubled quotes of a quoted field's bytes into `out`.
    static func undouble(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        var i = 0
        while i < bytes.count {
            out.append(bytes[i])
            i += bytes[i] == quote ? 2 : 1
        }
    }

    /// The bytes of a record without the carriage return of a CRLF end.
    static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int)
        -> UnsafeBufferPointer<UInt8>
    {
        var stop = end
        if stop > start && bytes[stop - 1] == carriageReturn { stop -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[start..<stop])
    }
}
