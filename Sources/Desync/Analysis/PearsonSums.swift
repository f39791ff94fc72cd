/// The running sums of one Pearson correlation, the two passes of
/// `Statistics.pearson` taken apart so several run in one loop (and, in
/// `PartitionedStats`, the first pass over partitions, the second in a
/// merge).
struct PearsonSums {
    var x0 = 0.0
    var y0 = 0.0
    var sx = 0.0
    var sy = 0.0
    var constantX = true
    var constantY = true
    var mx = 0.0
    var my = 0.0
    var sxy = 0.0
    var sxx = 0.0
    var syy = 0.0

    mutating func start(_ x: Double, _ y: Double) { (x0, y0) = (x, y) }

    @inline(__always)
    mutating func sum(_ a: Double, _ b: Double) {
        sx += a
        sy += b
        constantX = constantX && a == x0
        constantY = constantY && b == y0
    }

    /// False when there is no correlation to compute: fewer than two
    /// values, or a constant column (testing the deviations instead would
    /// see the mean's rounding noise, 1e-17, as variance).
    func needsDeviations(_ n: Int) -> Bool { n >= 2 && !constantX && !constantY }

    mutating func center(_ n: Int) {
        mx = sx / Double(n)
        my = sy / Double(n)
    }

    @inline(__always)
    mutating func deviate(_ a: Double, _ b: Double) {
        let dx = a - mx
        let dy = b - my
        sxy += dx * dy
        sxx += dx * dx
        syy += dy * dy
    }

    var r: Double? {
        guard sxx > 0, syy > 0 else { return nil }
        return min(1, max(-1, sxy / (sxx * syy).squareRoot()))
    }
}
