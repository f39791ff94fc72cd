/// The per-scope figures of `desync_stats` in two passes over the rows
/// instead of nine: at 5M ticks the rows, listed in distance order, visit
/// the columns at random, and every visit is a cache miss.
extension TickColumns {
    /// What one `desync_stats` row needs besides its percentiles.
    struct DistanceStats {
        var tally = Tally()
        var pearsonPing: Double?
        var spearmanPing: Double?
        var pearsonLoss: Double?
        var spearmanLoss: Double?
    }

    /// `tally(rows)`, `pearson(rows, ping)`, `pearson(rows, rankDistance,
    /// rankPing)` and the same for loss, with the same arithmetic in the
    /// same order as `Statistics.pearson`, so the results are identical
    /// to the bit.
    func distanceStats(
        _ rows: ArraySlice<Int32>, _ rankDistance: [Double], _ rankPing: [Double],
        _ rankLoss: [Double]
    ) -> DistanceStats {
        var out = DistanceStats()
        var ping = PearsonSums()
        var loss = PearsonSums()
        var rankedPing = PearsonSums()
        var rankedLoss = PearsonSums()
        if let first = rows.first.map(Int.init) {
            ping.start(distance[first], self.ping[first])
            loss.start(distance[first], self.loss[first])
            rankedPing.start(rankDistance[first], rankPing[first])
            rankedLoss.start(rankDistance[first], rankLoss[first])
        }
        for r in rows {
            let i = Int(r)
            let (d, p, l, rd) = (distance[i], self.ping[i], self.loss[i], rankDistance[i])
            out.tally.add(distance: d, desynced: desynced[i], ping: p, loss: l, speed: speed[i])
            ping.sum(d, p)
            loss.sum(d, l)
            rankedPing.sum(rd, rankPing[i])
            rankedLoss.sum(rd, rankLoss[i])
        }
        let n = rows.count
        let wanted = [ping, loss, rankedPing, rankedLoss].map { $0.needsDeviations(n) }
        guard wanted.contains(true) else { return out }
        ping.center(n)
        loss.center(n)
        rankedPing.center(n)
        rankedLoss.center(n)
        for r in rows {
            let i = Int(r)
            let (d, rd) = (distance[i], rankDistance[i])
            ping.deviate(d, self.ping[i])
            loss.deviate(d, self.loss[i])
            rankedPing.deviate(rd, rankPing[i])
            rankedLoss.deviate(rd, rankLoss[i])
        }
        out.pearsonPing = wanted[0] ? ping.r : nil
        out.pearsonLoss = wanted[1] ? loss.r : nil
        out.spearmanPing = wanted[2] ? rankedPing.r : nil
        out.spearmanLoss = wanted[3] ? rankedLoss.r : nil
        return out
    }
}

/// The running sums of one Pearson correlation, the two passes of
/// `Statistics.pearson` taken apart so several run in one loop.
private struct PearsonSums {
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

    /// False when `Statistics.pearson` answers nil before the deviations.
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
