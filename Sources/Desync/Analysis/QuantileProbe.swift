/// One percentile of a group whose size is known in advance, taken from
/// its values as they stream past in ascending order: only the one or two
/// values `Statistics.percentile` reads are kept, and the result is that
/// function's, to the bit.
struct QuantileProbe {
    let count: Int
    let p: Double
    /// The 0-based position of the lower of the two values read.
    private let lower: Int
    private var low = 0.0
    private var high = 0.0

    init(count: Int, _ p: Double) {
        self.count = count
        self.p = p
        lower = count > 0 ? Int((Double(count - 1) * p).rounded(.down)) : -2
    }

    /// The group's value at 0-based `position` in ascending order.
    @inline(__always)
    mutating func offer(_ position: Int, _ value: Double) {
        if position == lower {
            low = value
        } else if position == lower + 1 {
            high = value
        }
    }

    var value: Double? {
        Statistics.percentile(sortedCount: count, p) { $0 == lower ? low : high }
    }
}
