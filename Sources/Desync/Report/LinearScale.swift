import Foundation

/// Maps data values onto pixels, with "nice" round tick values (1, 2 or 5
/// times a power of ten), as on hand-drawn axes.
public struct LinearScale: Sendable {
    public var domain: (low: Double, high: Double)
    public var range: (low: Double, high: Double)

    public init(domain: (Double, Double), range: (Double, Double)) {
        self.domain = (domain.0, domain.1)
        self.range = (range.0, range.1)
    }

    public func callAsFunction(_ value: Double) -> Double {
        let span = domain.high - domain.low
        guard span > 0 else { return range.low }
        return range.low + (value - domain.low) / span * (range.high - range.low)
    }

    /// A round step that cuts `span` into about `count` parts.
    public static func niceStep(_ span: Double, count: Int) -> Double {
        guard span > 0, span.isFinite else { return 1 }
        let raw = span / Double(max(1, count))
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let normalized = raw / magnitude
        let factor: Double = normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 5 ? 5 : 10
        return factor * magnitude
    }

    /// Ticks from `low` up to the first round value at or above `high`.
    public static func ticks(from low: Double, to high: Double, count: Int) -> [Double] {
        let step = niceStep(high - low, count: count)
        let first = (low / step).rounded(.down) * step
        var ticks: [Double] = []
        var k = 0
        while true {
            let value = first + Double(k) * step
            ticks.append(value)
            if value >= high - step * 1e-9 || k > 1000 { break }
            k += 1
        }
        return ticks
    }
}
