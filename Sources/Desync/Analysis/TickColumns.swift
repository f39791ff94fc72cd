/// The per-tick values the analytics read, gathered once into plain
/// columns indexed by tick (the row of `JoinedTicks`).
struct TickColumns: Sendable {
    let count: Int
    let distance: [Double]
    let desynced: [Bool]
    let speed: [Double]
    let ping: [Double]
    let loss: [Double]
    /// Client time of the tick (µs): the time `desync_events` shows.
    let time: [Int64]
    /// Client minus server time (µs): 0 for the exact join.
    let gap: [Int64]
    let session: [Int32]
    let player: [Int32]
    let eventType: [Int32]
    /// 0 low, 1 medium, 2 high.
    let pingBand: [UInt8]
    let lossBand: [UInt8]

    init(_ t: JoinedTicks, _ e: PlayerEvents, _ s: ServerStates, _ options: AnalysisOptions) {
        count = t.count
        distance = t.distance
        desynced = t.isDesynced
        speed = t.speed
        // When the join paired every row in input order (the exact join
        // of complete streams does), the input columns are the tick
        // columns: share them instead of copying (100 MB at 5M ticks).
        let sameEvents = e.count == count && Self.isIdentity(t.eventRow)
        let sameStates = s.count == count && Self.isIdentity(t.stateRow)
        var ping = [Double]()
        var loss = [Double]()
        var time = [Int64]()
        var gap = [Int64]()
        var session = [Int32]()
        var player = [Int32]()
        var eventType = [Int32]()
        var pingBand = [UInt8]()
        var lossBand = [UInt8]()
        ping.reserveCapacity(count)
        gap.reserveCapacity(count)
        pingBand.reserveCapacity(count)
        lossBand.reserveCapacity(count)
        if !sameStates { loss.reserveCapacity(count) }
        if !sameEvents {
            time.reserveCapacity(count)
            session.reserveCapacity(count)
            player.reserveCapacity(count)
            eventType.reserveCapacity(count)
        }
        for k in 0..<count {
            let i = Int(t.eventRow[k])
            let j = Int(t.stateRow[k])
            ping.append(Double(s.ping[j]))
            if !sameStates { loss.append(s.packetLoss[j]) }
            if !sameEvents {
                time.append(e.timestamp[i])
                session.append(e.session[i])
                player.append(e.player[i])
                eventType.append(e.eventType[i])
            }
            gap.append(e.timestamp[i] - s.timestamp[j])
            // The band TickMetrics already chose, by the run's --ping-bands.
            switch t.pingCategory[k] {
            case .low: pingBand.append(0)
            case .medium: pingBand.append(1)
            case .high: pingBand.append(2)
            }
            lossBand.append(UInt8(LossBand.of(s.packetLoss[j]).rawValue))
        }
        self.ping = ping
        self.loss = sameStates ? s.packetLoss : loss
        self.time = sameEvents ? e.timestamp : time
        self.gap = gap
        self.session = sameEvents ? e.session : session
        self.player = sameEvents ? e.player : player
        self.eventType = sameEvents ? e.eventType : eventType
        self.pingBand = pingBand
        self.lossBand = lossBand
    }

    /// True when `rows` is 0, 1, 2, ...
    private static func isIdentity(_ rows: [Int32]) -> Bool {
        rows.withUnsafeBufferPointer { r in
            for k in 0..<r.count where r[k] != Int32(truncatingIfNeeded: k) { return false }
            return true
        }
    }

    @inline(__always)
    func add(_ i: Int, to tally: inout Tally) {
        tally.add(
            distance: distance[i], desynced: desynced[i], ping: ping[i], loss: loss[i],
            speed: speed[i])
    }

    func tally(_ rows: ArraySlice<Int32>) -> Tally {
        var tally = Tally()
        for r in rows { add(Int(r), to: &tally) }
        return tally
    }

    /// A percentile of the distances of rows listed in distance order.
    func percentile(_ byDistance: ArraySlice<Int32>, _ p: Double) -> Double? {
        let base = byDistance.startIndex
        return Statistics.percentile(sortedCount: byDistance.count, p) {
            distance[Int(byDistance[base + $0])]
        }
    }

    /// Pearson's r of distance and `other` over the rows.
    func pearson(_ rows: ArraySlice<Int32>, _ other: [Double]) -> Double? {
        pearson(rows, distance, other)
    }

    func pearson(_ rows: ArraySlice<Int32>, _ x: [Double], _ y: [Double]) -> Double? {
        let base = rows.startIndex
        return Statistics.pearson(
            count: rows.count, { x[Int(rows[base + $0])] }, { y[Int(rows[base + $0])] })
    }

    /// Average ranks within the rows, which are listed in `values` order.
    func rank(_ sorted: ArraySlice<Int32>, _ values: [Double], into ranks: inout [Double]) {
        let base = sorted.startIndex
        Statistics.averageRanks(
            count: sorted.count, order: { Int(sorted[base + $0]) }, value: { values[$0] },
            store: { ranks[$0] = $1 })
    }
}
