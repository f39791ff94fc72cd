/// One row of `desync_by_ping` or `desync_by_packet_loss`.
public struct SummaryRow<Key: Sendable>: Sendable {
    public var key: Key
    public var averageDistance: Double
    public var desyncedCount: Int64
    public var inSyncCount: Int64

    public init(key: Key, averageDistance: Double, desyncedCount: Int64, inSyncCount: Int64) {
        self.key = key
        self.averageDistance = averageDistance
        self.desyncedCount = desyncedCount
        self.inSyncCount = inSyncCount
    }
}

/// The notebook's two summaries.
public struct Summaries: Sendable {
    public var byPing: [SummaryRow<PingCategory>] = []
    public var byPacketLoss: [SummaryRow<Double>] = []

    public init() {}

    /// Groups the joined ticks by ping band and by packet loss (the value
    /// as written), each ordered by its key ascending.
    public static func compute(_ ticks: JoinedTicks, _ states: ServerStates) -> Summaries {
        var totals = Totals()
        totals.add(ticks, states)
        return totals.summaries
    }

    /// The summaries' running totals, which add up over partitions.
    public struct Totals: Sendable {
        private var byPing: [PingCategory: Accumulator] = [:]
        private var byLoss: [Double: Accumulator] = [:]

        public init() {}

        public mutating func add(_ ticks: JoinedTicks, _ states: ServerStates) {
            for k in 0..<ticks.count {
                let d = ticks.distance[k]
                let flagged = ticks.isDesynced[k]
                let loss = states.packetLoss[Int(ticks.stateRow[k])]
                byPing[ticks.pingCategory[k], default: Accumulator()].add(d, flagged)
                byLoss[loss, default: Accumulator()].add(d, flagged)
            }
        }

        public mutating func add(_ other: Totals) {
            byPing.merge(other.byPing) { $0.adding($1) }
            byLoss.merge(other.byLoss) { $0.adding($1) }
        }

        public var summaries: Summaries {
            func rows<K: Comparable>(_ groups: [K: Accumulator]) -> [SummaryRow<K>] {
                groups.keys.sorted().map { key in
                    let a = groups[key]!
                    let n = Double(a.desynced + a.inSync)
                    return SummaryRow(
                        key: key, averageDistance: a.sum / n, desyncedCount: a.desynced,
                        inSyncCount: a.inSync)
                }
            }
            var summaries = Summaries()
            summaries.byPing = rows(byPing)
            summaries.byPacketLoss = rows(byLoss)
            return summaries
        }
    }
}

/// Running totals of one summary group.
private struct Accumulator {
    var sum = 0.0
    var desynced: Int64 = 0
    var inSync: Int64 = 0

    mutating func add(_ distance: Double, _ flagged: Bool) {
        sum += distance
        if flagged { desynced += 1 } else { inSync += 1 }
    }

    func adding(_ other: Accumulator) -> Accumulator {
        Accumulator(
            sum: sum + other.sum, desynced: desynced + other.desynced,
            inSync: inSync + other.inSync)
    }
}
