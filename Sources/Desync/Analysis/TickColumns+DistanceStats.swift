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
