/// The statistics of the analytics tables, over plain buffers.
///
/// Definitions (docs/ANALYTICS.md repeats them for users):
/// - percentile: linear interpolation between closest ranks (numpy's
///   default, Hyndman and Fan's type 7): with the n values sorted as
///   x[0] ... x[n-1] and h = (n - 1) p, the result is
///   x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]).
///   The median is the 50th percentile (the mean of the two middle values
///   when n is even).
/// - rates carry a 95% Wilson score interval.
/// - Pearson's r is nil (NULL) with fewer than two values or when either
///   side is constant; Spearman's rho is Pearson's r of the ranks, tied
///   values sharing the average of the ranks they span.
public enum Statistics {
    /// The two-sided 95% normal quantile.
    public static let z95 = 1.959_963_984_540_054

    /// The `p`-th quantile (`p` in 0...1) of values already sorted
    /// ascending; nil when there are none.
    @inlinable
    public static func percentile(sortedCount n: Int, _ p: Double, _ value: (Int) -> Double)
        -> Double?
    {
        guard n > 0 else { return nil }
        let h = Double(n - 1) * p
        let lower = Int(h.rounded(.down))
        let fraction = h - Double(lower)
        let a = value(lower)
        guard fraction > 0, lower + 1 < n else { return a }
        return a + fraction * (value(lower + 1) - a)
    }

    /// `percentile` over a sorted array.
    public static func percentile(sorted values: [Double], _ p: Double) -> Double? {
        percentile(sortedCount: values.count, p) { values[$0] }
    }

    /// The 95% Wilson score interval of `successes` out of `trials`; nil
    /// when there are no trials.
    public static func wilson(
        successes: Int64, trials: Int64, z: Double = z95
    ) -> (low: Double, high: Double)? {
        guard trials > 0 else { return nil }
        let n = Double(trials)
        let p = Double(successes) / n
        let z2 = z * z
        let denominator = 1 + z2 / n
        let center = (p + z2 / (2 * n)) / denominator
        let half = z / denominator * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        // At 0 or n successes a bound is exactly 0 or 1; rounding would
        // leave a 1e-20 instead.
        let low = successes == 0 ? 0 : max(0, center - half)
        let high = successes == trials ? 1 : min(1, center + half)
        return (low, high)
    }

    /// Pearson's correlation of `x(i)` and `y(i)` for `i` in `0..<n`, in two
    /// passes (means first) so that large offsets do not cancel; nil for
    /// fewer than two values or a constant column (`PearsonSums`).
    public static func pearson(count n: Int, _ x: (Int) -> Double, _ y: (Int) -> Double) -> Double?
    {
        guard n >= 2 else { return nil }
        var sums = PearsonSums()
        sums.start(x(0), y(0))
        for i in 0..<n { sums.sum(x(i), y(i)) }
        guard sums.needsDeviations(n) else { return nil }
        sums.center(n)
        for i in 0..<n { sums.deviate(x(i), y(i)) }
        return sums.r
    }

    public static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        precondition(x.count == y.count, "pearson needs two columns of one length")
        return pearson(count: x.count, { x[$0] }, { y[$0] })
    }

    /// Writes the 1-based average ranks of the values visited in ascending
    /// order: `order(k)` is the k-th smallest item, `value` its value, and
    /// `store(item, rank)` receives each item's rank. Equal values share
    /// the mean of the ranks they span.
    @inlinable
    public static func averageRanks(
        count n: Int, order: (Int) -> Int, value: (Int) -> Double, store: (Int, Double) -> Void
    ) {
        var start = 0
        while start < n {
            let v = value(order(start))
            var end = start + 1
            while end < n, value(order(end)) == v { end += 1 }
            // Positions start+1 ... end (1-based) share their mean.
            let rank = Double(start + 1 + end) / 2
            for k in start..<end { store(order(k), rank) }
            start = end
        }
    }

    /// Spearman's rank correlation of two columns.
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double? {
        precondition(x.count == y.count, "spearman needs two columns of one length")
        let rx = ranks(x)
        let ry = ranks(y)
        return pearson(rx, ry)
    }

    /// Average ranks of a column (1-based, ties averaged).
    public static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var out = [Double](repeating: 0, count: values.count)
        averageRanks(count: values.count, order: { order[$0] }, value: { values[$0] }) {
            out[$0] = $1
        }
        return out
    }
}
