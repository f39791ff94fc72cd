/// The merge of the distance-sorted runs: one pass in global distance
/// order that computes everything but the ping and loss ranks, and feeds
/// the two sorts that compute those.
extension PartitionedStats {
    /// One scope in the merge.
    struct MergedScope {
        var tally = Tally()
        var p50: QuantileProbe
        var p95: QuantileProbe
        var p99: QuantileProbe
        /// Pearson's sums with the means from `add`, taking deviations.
        var ping: PearsonSums
        var loss: PearsonSums
        /// Ticks merged so far, and how many of them are in the group of
        /// equal distances being read.
        var position = 0
        var groupCount = 0
        /// 2 × the midrank of the last closed group, and Σ of its square
        /// over the ticks (the D of `spearman`).
        var groupRank: UInt64 = 0
        var squares: UInt128 = 0

        init(_ summary: Summary) {
            let n = summary.count
            (p50, p95, p99) = (.init(count: n, 0.5), .init(count: n, 0.95), .init(count: n, 0.99))
            (ping, loss) = (summary.ping, summary.loss)
            if n > 0 {
                ping.center(n)
                loss.center(n)
            }
        }

        @inline(__always)
        mutating func add(_ t: Tick) {
            tally.add(
                distance: t.distance, desynced: t.desynced, ping: t.ping, loss: t.loss,
                speed: t.speed)
            p50.offer(position, t.distance)
            p95.offer(position, t.distance)
            p99.offer(position, t.distance)
            ping.deviate(t.distance, t.ping)
            loss.deviate(t.distance, t.loss)
            position += 1
            groupCount += 1
        }

        /// The group's ticks hold positions position-count+1 ... position
        /// (1-based) of the scope.
        mutating func closeGroup() {
            guard groupCount > 0 else { return }
            let count = UInt64(groupCount)
            groupRank = 2 * UInt64(position) - count + 1
            squares += UInt128(count) * UInt128(groupRank) * UInt128(groupRank)
            groupCount = 0
        }
    }

    /// What the merge found: per scope, and each event type's p95.
    struct Merged {
        var scopes: [MergedScope]
        var eventTypes: [QuantileProbe]
    }

    /// Merges the runs in distance order, equal distances by run, then by
    /// position in the run. A follower reader per run passes each group of
    /// equal distances on to `ping` and `loss` once the group is closed and
    /// its ranks are known, so no group is held in memory however large.
    func mergeRuns(_ ping: inout SpearmanSort, _ loss: inout SpearmanSort) throws -> Merged {
        var scopes = summaries.map(MergedScope.init)
        var types = eventTypeCounts.map { QuantileProbe(count: $0, 0.95) }
        var typePositions = [Int](repeating: 0, count: types.count)
        let bytes = Self.readerBytes(2 * runs.count)
        var merge = try RunMerge<Tick>(runs, bufferBytes: bytes) { RadixOrder.key($0.distance) }
        let followers = try runs.map { try SpillReader(path: $0.path, bufferBytes: bytes) }
        // Per run: ticks the leader has merged, and those the follower has
        // passed on; runs with ticks in the open group.
        var taken = [Int](repeating: 0, count: runs.count)
        var passed = [Int](repeating: 0, count: runs.count)
        var touched: [Int] = []

        func closeGroup() throws {
            for s in scopes.indices { scopes[s].closeGroup() }
            for r in touched {
                while passed[r] < taken[r] {
                    let t = try followers[r].read(Tick.self)
                    let (a, b, l) = Self.scopes(t.pingBand, t.lossBand)
                    var record = SpearmanSort.Record(
                        key: RadixOrder.key(t.ping), rankOverall: scopes[a].groupRank,
                        rankPingBand: scopes[b].groupRank, rankLossBand: scopes[l].groupRank,
                        pingBand: t.pingBand, lossBand: t.lossBand)
                    try ping.append(record)
                    record.key = RadixOrder.key(t.loss)
                    try loss.append(record)
                    passed[r] += 1
                }
            }
            touched.removeAll(keepingCapacity: true)
        }

        var groupKey: UInt64? = nil
        while let (r, key, t) = try merge.next() {
            if key != groupKey {
                try closeGroup()
                groupKey = key
            }
            let (a, b, l) = Self.scopes(t.pingBand, t.lossBand)
            scopes[a].add(t)
            scopes[b].add(t)
            scopes[l].add(t)
            let type = Int(t.eventType)
            types[type].offer(typePositions[type], t.distance)
            typePositions[type] += 1
            if taken[r] == passed[r] { touched.append(r) }
            taken[r] += 1
        }
        try closeGroup()
        return Merged(scopes: scopes, eventTypes: types)
    }
}
