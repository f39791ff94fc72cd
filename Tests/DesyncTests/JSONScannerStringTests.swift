@testable import Desync
import Testing

/// The scanner's word-at-a-time string scan must stop exactly where a byte
/// by byte scan stops, wherever the quote, backslash or control byte sits.
@Suite struct JSONScannerStringTests {
    /// What a plain loop finds: the token, or nil for a syntax error.
    static func reference(_ line: [UInt8]) -> JSONToken? {
        var i = 1
        var escaped = false
        while i < line.count {
            let c = line[i]
            if c == 0x22 { return .string(start: 1, end: i, escaped: escaped) }
            if c == 0x5C {
                escaped = true
                i += 2
                continue
            }
            if c < 0x20 { return nil }
            i += 1
        }
        return nil
    }

    @Test func stopsWhereAByteLoopStops() {
        let specials: [UInt8] = [0x22, 0x5C, 0x01, 0x1F, 0x20, 0x21, 0x7F, 0x80, 0xC3, 0xFF]
        var checked = 0
        for length in 0..<40 {
            for position in 0..<max(1, length) {
                for special in specials {
                    var line: [UInt8] = [0x22] + Array(repeating: UInt8(ascii: "a"), count: length)
                    if length > 0 { line[1 + position] = special }
                    line.append(0x22)
                    let expected = Self.reference(line)
                    let got: JSONToken? = line.withUnsafeBufferPointer { b in
                        var scanner = JSONScanner(b)
                        return try? scanner.scanString()
                    }
                    #expect(got == expected, "length \(length), byte \(special) at \(position)")
                    checked += 1
                }
            }
        }
        #expect(checked > 7000)
    }
}
