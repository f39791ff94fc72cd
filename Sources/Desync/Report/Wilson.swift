import Foundation

/// 95% intervals for the report: Wilson's for a rate (sound at rates
/// near 0 or 1 and small samples, unlike the normal approximation), and
/// the normal one for a mean.
public enum Interval95 {
    static let z = 1.959963984540054

    /// The Wilson score interval of `successes` out of `trials`.
    public static func wilson(_ successes: Int64, of trials: Int64) -> ClosedRange<Double>? {
        guard trials > 0 else { return nil }
        let n = Double(trials)
        let p = Double(successes) / n
        let z2 = z * z
        let centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / (1 + z2 / n)
        return max(0, centre - half)...min(1, centre + half)
    }

    /// mean ± z·s/√n, from the mean and the mean of squares of n values.
    public static func mean(_ mean: Double, meanOfSquares: Double, count: Int64)
        -> ClosedRange<Double>?
    {
        guard count > 1, mean.isFinite, meanOfSquares.isFinite else { return nil }
        let n = Double(count)
        let variance = max(0, (meanOfSquares - mean * mean) * n / (n - 1))
        let half = z * (variance / n).squareRoot()
        return (mean - half)...(mean + half)
    }
}
