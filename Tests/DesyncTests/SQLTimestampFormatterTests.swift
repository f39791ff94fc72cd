@testable import Desync
import Testing

@Suite struct SQLTimestampFormatterTests {
    /// The cached formatter writes exactly what `appendSQLText` writes, for
    /// times within one day, across midnights, and before 1970.
    @Test func matchesAppendSQLText() {
        var formatter = SQLTimestampFormatter()
        var times: [Int64] = [0, -1, -1_000_000, -86_400_000_000, -86_400_000_001, 1]
        var t: Int64 = 1_761_609_599_000_000  // 2025-10-27 23:59:59
        for _ in 0..<5000 {
            times.append(t)
            t += 937_517  // crosses midnight, varied fractions
        }
        times.append(253_402_300_799_999_999)  // 9999-12-31 23:59:59.999999
        for time in times {
            var expected: [UInt8] = []
            Timestamp(microseconds: time).appendSQLText(to: &expected)
            let got = formatter.withText(time) { Array($0) }
            #expect(got == expected, "at \(time)")
        }
        #expect(
            formatter.withText(1_761_609_600_000_000) { String(decoding: $0, as: UTF8.self) }
                == "2025-10-28 00:00:00.000000")
    }
}
