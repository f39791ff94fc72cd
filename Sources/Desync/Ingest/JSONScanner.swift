/// A JSON value found in a line, as a range of the line's bytes.
///
/// The scanner never builds strings or numbers for values nobody asked for;
/// the stream decoders convert only the fields they know.
enum JSONToken: Equatable {
    case missing
    case null
    case bool(Bool)
    /// The bytes between the quotes; `escaped` when they hold a backslash.
    case string(start: Int, end: Int, escaped: Bool)
    case number(start: Int, end: Int)
    /// `NaN`, `Infinity` or `-Infinity`: not JSON, but common enough in
    /// telemetry that it deserves its own reason.
    case nonFinite
    /// An object or array (skipped, only its type matters).
    case composite
}

/// Scans one JSON object per line, byte by byte, calling back for each
/// member. It checks the whole grammar so that a line cut in the middle is
/// caught as malformed, not half read.
struct JSONScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    struct SyntaxError: Error {
        var offset: Int
        var expected: String
    }

    @inline(__always)
    mutating func skipSpace() {
        while position < bytes.count {
            let c = bytes[position]
            guard c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D else { return }
            position += 1
        }
    }

    @inline(__always)
    func peek() -> UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    /// Scans `{ "key": value, ... }` filling the whole line; `member` gets
    /// the key's byte range (with an escape flag) and the value.
    mutating func scanObject(
        _ member: (_ keyStart: Int, _ keyEnd: Int, _ keyEscaped: Bool, _ value: JSONToken) -> Void
    ) throws(SyntaxError) {
        skipSpace()
        guard peek() == UInt8(ascii: "{") else {
            throw SyntaxError(offset: position, expected: "'{' to open an object")
        }
        position += 1
        skipSpace()
        if peek() == UInt8(ascii: "}") {
            position += 1
        } else {
            while true {
                skipSpace()
                guard peek() == UInt8(ascii: "\"") else {
                    throw SyntaxError(offset: position, expected: "a quoted key")
                }
                let key = try scanString()
                skipSpace()
                guard peek() == UInt8(ascii: ":") else {
                    throw SyntaxError(offset: position, expected: "':' after a key")
                }
                position += 1
                skipSpace()
                let value = try scanValue(depth: 0)
                if case .string(let s, let e, let escaped) = key {
                    member(s, e, escaped, value)
                }
                skipSpace()
                guard let c = peek() else {
                    throw SyntaxError(
                        offset: position, expected: "',' or '}' (the line ends early)")
                }
                position += 1
                if c == UInt8(ascii: "}") { break }
                guard c == UInt8(ascii: ",") else {
                    throw SyntaxError(offset: position - 1, expected: "',' or '}'")
                }
            }
        }
        skipSpace()
        guard position == bytes.count else {
            throw SyntaxError(offset: position, expected: "the end of the line after the object")
        }
    }

    mutating func scanValue(depth: Int) throws(SyntaxError) -> JSONToken {
        guard let c = peek() else {
            throw SyntaxError(offset: position, expected: "a value (the line ends early)")
        }
        switch c {
        case UInt8(ascii: "\""):
            return try scanString()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            if c == UInt8(ascii: "-"), matches("-Infinity") {
                position += 9
                return .nonFinite
            }
            return try scanNumber()
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "N"):
            try literal("NaN")
            return .nonFinite
        case UInt8(ascii: "I"):
            try literal("Infinity")
            return .nonFinite
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            try skipComposite(depth: depth)
            return .composite
        default:
            throw SyntaxError(offset: position, expected: "a value")
        }
    }

    func matches(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard position + n <= bytes.count else { return false }
        let w = word.utf8Start
        for i in 0..<n where bytes[position + i] != w[i] { return false }
        return true
    }

    mutating func literal(_ word: StaticString) throws(SyntaxError) {
        guard matches(word) else {
            throw SyntaxError(offset: position, expected: "a value")
        }
        position += word.utf8CodeUnitCount
    }

    mutating func scanString() throws(SyntaxError) -> JSONToken {
        position += 1
        let start = position
        var escaped = false
        // Eight bytes at a time while none is a quote, a backslash or a
        // control character (the lowest flagged byte is always a real one).
        let raw = UnsafeRawBufferPointer(bytes)
        while position + 8 <= bytes.count {
            let w = raw.loadUnaligned(fromByteOffset: position, as: UInt64.self)
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            let q = w ^ (ones &* 0x22)
            let b = w ^ (ones &* 0x5C)
            let flagged =
                ((q &- ones) & ~q | (b &- ones) & ~b | (w &- ones &* 0x20) & ~w) & highs
            if flagged != 0 {
                position += flagged.trailingZeroBitCount >> 3
                break
            }
            position += 8
        }
        while position < bytes.count {
            let c = bytes[position]
            if c == UInt8(ascii: "\"") {
                position += 1
                return .string(start: start, end: position - 1, escaped: escaped)
            }
            if c == UInt8(ascii: "\\") {
                escaped = true
                position += 2
                continue
            }
            guard c >= 0x20 else {
                throw SyntaxError(
                    offset: position, expected: "no control character inside a string")
            }
            position += 1
        }
        throw SyntaxError(offset: start - 1, expected: "a closing quote (the line ends early)")
    }

    mutating func scanNumber() throws(SyntaxError) -> JSONToken {
        let start = position
        if peek() == UInt8(ascii: "-") { position += 1 }
        func digit(_ c: UInt8?) -> Bool { c.map { $0 >= 48 && $0 <= 57 } ?? false }
        guard digit(peek()) else { throw SyntaxError(offset: position, expected: "a digit") }
        if peek() == UInt8(ascii: "0") {
            position += 1
        } else {
            while digit(peek()) { position += 1 }
        }
        if peek() == UInt8(ascii: ".") {
            position += 1
            guard digit(peek()) else {
                throw SyntaxError(offset: position, expected: "a digit after '.'")
            }
            while digit(peek()) { position += 1 }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            guard digit(peek()) else {
                throw SyntaxError(offset: position, expected: "a digit in the exponent")
            }
            while digit(peek()) { position += 1 }
        }
        return .number(start: start, end: position)
    }

    mutating func skipComposite(depth: Int) throws(SyntaxError) {
        guard depth < 64 else { throw SyntaxError(offset: position, expected: "less nesting") }
        let close = bytes[position] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
        let isObject = close == UInt8(ascii: "}")
        position += 1
        skipSpace()
        if peek() == close {
            position += 1
            return
        }
        while true {
            skipSpace()
            if isObject {
                guard peek() == UInt8(ascii: "\"") else {
                    throw SyntaxError(offset: position, expected: "a quoted key")
                }
                _ = try scanString()
                skipSpace()
                guard peek() == UInt8(ascii: ":") else {
                    throw SyntaxError(offset: position, expected: "':'")
                }
                position += 1
                skipSpace()
            }
            _ = try scanValue(depth: depth + 1)
            skipSpace()
            guard let c = peek() else {
                throw SyntaxError(
                    offset: position, expected: "a closing bracket (the line ends early)")
            }
            position += 1
            if c == close { return }
            guard c == UInt8(ascii: ",") else {
                throw SyntaxError(offset: position - 1, expected: "',' or a closing bracket")
            }
        }
    }
}

extension JSONScanner {
    /// Decodes the JSON escapes of a string's bytes into `out`. Returns
    /// false for a bad escape or a lone surrogate.
    static func unescape(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        out.removeAll(keepingCapacity: true)
        var i = 0
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= bytes.count else { return nil }
            var v: UInt32 = 0
            for k in at..<(at + 4) {
                let c = bytes[k]
                let d: UInt32
                switch c {
                case 48...57: d = UInt32(c - 48)
                case 65...70: d = UInt32(c - 55)
                case 97...102: d = UInt32(c - 87)
                default: return nil
                }
                v = v << 4 | d
            }
            return v
        }
        while i < bytes.count {
            let c = bytes[i]
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                i += 1
                continue
            }
            guard i + 1 < bytes.count else { return false }
            let e = bytes[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(i) else { return false }
                i += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"),
                        bytes[i + 1] == UInt8(ascii: "u"), let low = hex4(i + 2),
                        (0xDC00..<0xE000).contains(low)
                    else { return false }
                    i += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    return false
                }
                guard let s = Unicode.Scalar(scalar) else { return false }
                out.append(contentsOf: String(Character(s)).utf8)
            default:
                return false
            }
        }
        return true
    }
}
