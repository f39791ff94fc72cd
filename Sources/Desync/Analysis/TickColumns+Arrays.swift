/// Tick columns given directly rather than gathered from a join: a
/// partition's ticks handed to `PartitionedStats`, or test data.
extension TickColumns {
    /// Columns the analytics of `desync_stats` and the event types read;
    /// time, clock gap, session and player are zero unless given.
    init(
        distance: [Double], desynced: [Bool], speed: [Double], ping: [Double], loss: [Double],
        pingBand: [UInt8], lossBand: [UInt8], eventType: [Int32], time: [Int64]? = nil,
        gap: [Int64]? = nil, session: [Int32]? = nil, player: [Int32]? = nil
    ) {
        let n = distance.count
        precondition(
            [
                desynced.count, speed.count, ping.count, loss.count, pingBand.count,
                lossBand.count, eventType.count,
            ]
            .allSatisfy { $0 == n }, "tick columns of one length")
        count = n
        self.distance = distance
        self.desynced = desynced
        self.speed = speed
        self.ping = ping
        self.loss = loss
        self.pingBand = pingBand
        self.lossBand = lossBand
        self.eventType = eventType
        self.time = time ?? [Int64](repeating: 0, count: n)
        self.gap = gap ?? [Int64](repeating: 0, count: n)
        self.session = session ?? [Int32](repeating: 0, count: n)
        self.player = player ?? [Int32](repeating: 0, count: n)
    }
}
