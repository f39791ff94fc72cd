@testable import Desync
import Foundation
import Testing

/// The fast number path against `strtod`, the slow and obviously correct
/// reference, over many random decimal texts.
@Suite struct NumberParserTests {
    static func parse(_ text: String) -> Double {
        var text = text
        return text.withUTF8 { NumberParser.double($0) }
    }

    @Test func agreesWithStrtodOnRandomDecimals() {
        var random = RandomSource(seed: 7)
        for _ in 0..<50_000 {
            let digits = random.integer(1, 17)
            var text = random.unit() < 0.3 ? "-" : ""
            let point = random.integer(0, digits)
            for i in 0..<digits {
                if i == point && i > 0 { text += "." }
                text += String(random.integer(i == 0 ? 1 : 0, 9))
            }
            if random.unit() < 0.1 { text += "e\(random.integer(-30, 30))" }
            let reference = strtod(text, nil)
            #expect(Self.parse(text).bitPattern == reference.bitPattern, "\(text)")
        }
    }

    @Test(arguments: [
        ("37.06", 37.06), ("0.05", 0.05), ("287", 287.0), ("-0.0", -0.0),
        ("1e999", Double.infinity),
    ])
    func knownValues(text: String, value: Double) {
        // Bit patterns, so that -0.0 must keep its sign.
        #expect(Self.parse(text).bitPattern == value.bitPattern)
    }

    @Test func integersIncludeIntegralDecimals() {
        func integer(_ s: String) -> Int64? {
            var s = s
            return s.withUTF8 { NumberParser.integer($0) }
        }
        #expect(integer("120") == 120)
        #expect(integer("120.0") == 120)
        #expect(integer("1.2e2") == 120)
        #expect(integer("120.5") == nil)
        #expect(integer("4294967295") == 4_294_967_295)
        #expect(integer("99999999999999999999999") == nil)
    }
}
