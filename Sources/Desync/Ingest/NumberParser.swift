import Foundation

/// Turns the bytes of a JSON number into a `Double`, correctly rounded.
///
/// Most telemetry numbers have few digits (`37.06`, `0.05`, `287`); for
/// those the value is an integer below 2^53 scaled by an exact power of ten,
/// and one IEEE multiplication or division rounds correctly (the "fast
/// path" of Clinger's algorithm). Anything else goes to `strtod`.
enum NumberParser {
    private static let powersOfTen: [Double] = (0...22).map { pow(10.0, Double($0)) }

    static func double(_ bytes: UnsafeBufferPointer<UInt8>) -> Double {
        var i = 0
        let n = bytes.count
        var negative = false
        if i < n && bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var scale = 0
        var simple = true
        while i < n, bytes[i] >= 48, bytes[i] <= 57 {
            if mantissa != 0 || bytes[i] != 48 { digits += 1 }
            mantissa = mantissa &* 10 &+ UInt64(bytes[i] - 48)
            i += 1
        }
        if i < n && bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, bytes[i] >= 48, bytes[i] <= 57 {
                if mantissa != 0 || bytes[i] != 48 { digits += 1 }
                mantissa = mantissa &* 10 &+ UInt64(bytes[i] - 48)
                scale += 1
                i += 1
            }
        }
        if i < n { simple = false }  // an exponent: leave it to strtod
        if simple, digits <= 15, scale <= 22 {
            let value = Double(mantissa) / powersOfTen[scale]
            return negative ? -value : value
        }
        return slowDouble(bytes)
    }

    private static func slowDouble(_ bytes: UnsafeBufferPointer<UInt8>) -> Double {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { buffer in
            for i in 0..<bytes.count { buffer[i] = CChar(bitPattern: bytes[i]) }
            buffer[bytes.count] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }

    /// The integer value of a JSON number, if it is one within `Int64`
    /// (`120`, `120.0` and `1.2e2` all are; `120.5` and `1e30` are not).
    static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        var negative = false
        if i < bytes.count && bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var value: Int64 = 0
        while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(bytes[i] - 48))
            guard !o1, !o2 else { return nil }
            value = a
            i += 1
        }
        if i == bytes.count { return negative ? -value : value }
        let d = double(bytes)
        guard d.isFinite, d.rounded() == d, abs(d) < 9.2e18 else { return nil }
        return Int64(d)
    }
}
