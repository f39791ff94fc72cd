// FIXME: placeholder while the external merge is being built on its own
// branch: a partitioned run leaves desync_stats empty and the event types'
// p95 NULL until it lands.
struct PartitionedStats {
    init(directory: String, eventTypes: Int) throws {}
    mutating func add(_ c: TickColumns) throws {}
    func finish() throws -> (stats: [StatsRow], eventTypeP95: [Double?]) { ([], []) }
}
