@testable import Desync
import Foundation
import Testing

@Suite struct TimestampTests {
    @Test(arguments: [
        ("2025-10-28T00:33:36.450004", "2025-10-28 00:33:36.450004"),
        ("2025-10-28 00:33:36.450004", "2025-10-28 00:33:36.450004"),
        ("2025-10-28T00:33:37", "2025-10-28 00:33:37.000000"),
        ("2025-10-28T00:33:37.5", "2025-10-28 00:33:37.500000"),
        ("2025-10-28T00:33:37.123456789", "2025-10-28 00:33:37.123456"),
        ("2025-10-28T10:00:00+02:00", "2025-10-28 08:00:00.000000"),
        ("2025-10-28T08:00:00Z", "2025-10-28 08:00:00.000000"),
        ("2025-10-28T01:00:00-0130", "2025-10-28 02:30:00.000000"),
        ("2024-02-29T23:59:59.999999Z", "2024-02-29 23:59:59.999999"),
        ("1969-12-31T23:59:59.5Z", "1969-12-31 23:59:59.500000"),
    ])
    func parsesContractForms(input: String, utc: String) throws {
        let t = try #require(Timestamp.parse(input))
        #expect(t.sqlText == utc)
    }

    @Test(arguments: [
        "", "2025-10-28", "2025-13-01T00:00:00", "2025-02-30T00:00:00", "2025-10-28T24:00:00",
        "2025-10-28T00:00:00.", "2025-10-28T00:00:00.1234567890", "2025-10-28T00:00:00+25:00",
        "2025-10-28T00:00:00 junk", "28/10/2025 00:00:00", "2025-10-28X00:00:00",
    ])
    func rejectsOtherText(input: String) {
        #expect(Timestamp.parse(input) == nil)
    }

    @Test func sameInstantTwoWaysIsOneValue() {
        #expect(
            Timestamp.parse("2025-10-28T10:00:00+02:00") == Timestamp.parse("2025-10-28T08:00:00Z"))
        let a = Timestamp.parse("2025-10-28T08:00:00.000100")!
        let b = Timestamp.parse("2025-10-28T08:00:00.000400")!
        #expect(b.microseconds - a.microseconds == 300)
    }

    /// Civil-date arithmetic against Foundation's calendar, day by day over
    /// the Gregorian years 1587 to 9997 (Foundation switches to the Julian calendar before 1582).
    @Test func civilDatesMatchFoundation() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for days in stride(from: -140_000, to: 2_932_000, by: 997) {
            let date = Date(timeIntervalSince1970: Double(days) * 86_400)
            let c = calendar.dateComponents([.year, .month, .day], from: date)
            let mine = Timestamp.civil(fromDays: days)
            #expect(mine.year == c.year && mine.month == c.month && mine.day == c.day)
            #expect(Timestamp.daysFromCivil(year: c.year!, month: c.month!, day: c.day!) == days)
        }
    }

    @Test func isoTextDropsZeroFractionLikePython() {
        #expect(Timestamp.parse("2025-10-28T00:33:37Z")!.isoText == "2025-10-28T00:33:37")
        #expect(Timestamp.parse("2025-10-28T00:33:37.05Z")!.isoText == "2025-10-28T00:33:37.050000")
    }
}
