extension Statistics {
    /// The normal 95% interval of a mean, mean ± z·s/√n, from the mean and
    /// the mean of squares of n values (what SQL's AVG gives); nil below
    /// two values.
    public static func meanInterval(_ mean: Double, meanOfSquares: Double, count: Int64)
        -> ClosedRange<Double>?
    {
        guard count > 1, mean.isFinite, meanOfSquares.isFinite else { return nil }
        let n = Double(count)
        let variance = max(0, (meanOfSquares - mean * mean) * n / (n - 1))
        let half = z95 * (variance / n).squareRoot()
        return (mean - half)...(mean + half)
    }

    /// `wilson` as a closed range, as the charts draw it.
    static func wilsonRange(_ successes: Int64, of trials: Int64) -> ClosedRange<Double>? {
        wilson(successes: successes, trials: trials).map { $0.low...$0.high }
    }
}
