/// Microseconds since 1970-01-01T00:00:00Z, the one time representation the
/// pipeline uses from parsing to storage.
///
/// Input text may carry any zone; it is converted to UTC when parsed, so the
/// same instant written two ways is one value.
public struct Timestamp: Hashable, Comparable, Sendable {
    public var microseconds: Int64

    public init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.microseconds < rhs.microseconds
    }
}

extension Timestamp {
    /// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
    ///
    /// Howard Hinnant's well-known days-from-civil arithmetic; exact for
    /// every year we accept (0001 to 9999).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count from 1970-01-01; inverse of
    /// `daysFromCivil`.
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return leap ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Parses ISO-8601 text as CONTRACT.md allows it: `T` or a space between
    /// date and time, 0 to 9 fraction digits (kept to the microsecond,
    /// further digits truncated), an optional `Z` or `±HH:MM` / `±HHMM` /
    /// `±HH` zone. No zone means UTC. Returns nil for anything else,
    /// including impossible dates such as February 30.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        let n = bytes.count
        guard n >= 19 else { return nil }
        @inline(__always) func digits(_ at: Int, _ count: Int) -> Int? {
            var value = 0
            for i in at..<(at + count) {
                let d = Int(bytes[i]) &- 48
                guard d >= 0 && d <= 9 else { return nil }
                value = value * 10 + d
            }
            return value
        }
        guard let year = digits(0, 4), bytes[4] == 45, let month = digits(5, 2),
            bytes[7] == 45, let day = digits(8, 2),
            bytes[10] == 84 || bytes[10] == 32 || bytes[10] == 116,
            let hour = digits(11, 2), bytes[13] == 58, let minute = digits(14, 2),
            bytes[16] == 58, let second = digits(17, 2)
        else { return nil }
        guard year >= 1, month >= 1, month <= 12, day >= 1,
            day <= daysInMonth(year: year, month: month), hour <= 23, minute <= 59,
            second <= 59
        else { return nil }

        var i = 19
        var micros = 0
        if i < n && bytes[i] == 46 {
            i += 1
            var count = 0
            while i < n, bytes[i] >= 48, bytes[i] <= 57 {
                if count < 6 { micros = micros * 10 + Int(bytes[i] - 48) }
                count += 1
                i += 1
            }
            guard count >= 1, count <= 9 else { return nil }
            for _ in min(count, 6)..<6 { micros *= 10 }
        }

        var offsetSeconds = 0
        if i < n {
            let c = bytes[i]
            if c == 90 || c == 122 {
                i += 1
            } else if c == 43 || c == 45 {
                let sign = c == 45 ? -1 : 1
                i += 1
                guard i + 2 <= n, let oh = digits(i, 2) else { return nil }
                i += 2
                var om = 0
                if i < n && bytes[i] == 58 {
                    guard i + 3 <= n, let m = digits(i + 1, 2) else { return nil }
                    om = m
                    i += 3
                } else if i + 2 <= n, let m = digits(i, 2) {
                    om = m
                    i += 2
                }
                guard oh <= 23, om <= 59 else { return nil }
                offsetSeconds = sign * (oh * 3600 + om * 60)
            } else {
                return nil
            }
        }
        guard i == n else { return nil }

        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        // A zone can move a valid local time outside 0001...9999 in UTC,
        // which four-digit years (and SQLite's text) cannot hold.
        guard seconds >= minSeconds, seconds <= maxSeconds else { return nil }
        return Timestamp(microseconds: Int64(seconds) * 1_000_000 + Int64(micros))
    }

    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z in seconds since 1970.
    static let minSeconds = daysFromCivil(year: 1, month: 1, day: 1) * 86_400
    static let maxSeconds = daysFromCivil(year: 9999, month: 12, day: 31) * 86_400 + 86_399

    public static func parse(_ text: String) -> Timestamp? {
        var text = text
        return text.withUTF8 { parse($0) }
    }

    /// `YYYY-MM-DD HH:MM:SS.ffffff` in UTC, always six fraction digits, so
    /// text order is time order. This is what SQLite stores and what
    /// PostgreSQL's text COPY accepts for a `timestamp` column.
    public var sqlText: String {
        var out = [UInt8]()
        out.reserveCapacity(26)
        appendSQLText(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `sqlText` to a byte buffer without building a String.
    public func appendSQLText(to out: inout [UInt8]) {
        let micros = Int(microseconds)
        var seconds = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction < 0 {
            fraction += 1_000_000
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = Timestamp.civil(fromDays: days)
        @inline(__always) func put(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var v = value
            while divisor > 0 {
                out.append(UInt8(48 + (v / divisor) % 10))
                v %= divisor
                divisor /= 10
            }
        }
        put(year, 4)
        out.append(45)
        put(month, 2)
        out.append(45)
        put(day, 2)
        out.append(32)
        put(secondOfDay / 3600, 2)
        out.append(58)
        put(secondOfDay / 60 % 60, 2)
        out.append(58)
        put(secondOfDay % 60, 2)
        out.append(46)
        put(fraction, 6)
    }

    /// ISO-8601 with a `T`, as Python's `isoformat()` writes it (the
    /// fraction dropped when it is zero); used by the simulator.
    public var isoText: String {
        var bytes = [UInt8]()
        appendSQLText(to: &bytes)
        bytes[10] = 84
        if bytes[20...].allSatisfy({ $0 == 48 }) { bytes.removeLast(7) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
