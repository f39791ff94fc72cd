/// Formats timestamps as SQLite stores them, `YYYY-MM-DD HH:MM:SS.ffffff`
/// (the same bytes as `Timestamp.appendSQLText`), for millions of rows.
/// A run's rows fall on few days, so the date part is computed once per
/// day and only the time of day is rewritten.
struct SQLTimestampFormatter {
    private var day = Int.min
    private var text: [UInt8] = []

    /// Calls `body` with the text of `microseconds` (valid only inside).
    mutating func withText<R>(
        _ microseconds: Int64, _ body: (UnsafeBufferPointer<UInt8>) -> R
    ) -> R {
        let micros = Int(microseconds)
        // Floor divisions: times before 1970 count back from midnight.
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros + 1) / 1_000_000 - 1
        let fraction = micros - seconds * 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds + 1) / 86_400 - 1
        let secondOfDay = seconds - days * 86_400
        if days != day {
            text.removeAll(keepingCapacity: true)
            Timestamp(microseconds: microseconds).appendSQLText(to: &text)
            day = days
        } else {
            text.withUnsafeMutableBufferPointer { b in
                @inline(__always) func put(_ value: Int, endingAt end: Int, digits: Int) {
                    var v = value
                    for i in stride(from: end, to: end - digits, by: -1) {
                        b[i] = UInt8(48 + v % 10)
                        v /= 10
                    }
                }
                put(secondOfDay / 3600, endingAt: 12, digits: 2)
                put(secondOfDay / 60 % 60, endingAt: 15, digits: 2)
                put(secondOfDay % 60, endingAt: 18, digits: 2)
                put(fraction, endingAt: 25, digits: 6)
            }
        }
        return text.withUnsafeBufferPointer(body)
    }
}
