/// Computes the per-tick metrics of `desync_events` from joined pairs.
public struct TickMetrics: Sendable {
    public var options: AnalysisOptions

    public init(options: AnalysisOptions) {
        self.options = options
    }

    public func compute(
        _ join: JoinResult, _ events: PlayerEvents, _ states: ServerStates
    ) -> JoinedTicks {
        let speeds = Self.clientSpeeds(events)
        var out = JoinedTicks()
        let n = join.eventRow.count
        out.eventRow = join.eventRow
        out.stateRow = join.stateRow
        out.distance.reserveCapacity(n)
        out.isDesynced.reserveCapacity(n)
        out.pingCategory.reserveCapacity(n)
        out.speed.reserveCapacity(n)
        out.latencyExplained.reserveCapacity(n)
        out.residual.reserveCapacity(n)
        for k in 0..<n {
            let e = Int(join.eventRow[k])
            let s = Int(join.stateRow[k])
            let dx = states.x[s] - events.x[e]
            let dy = states.y[s] - events.y[e]
            let dz = states.z[s] - events.z[e]
            let distance = (dx * dx + dy * dy + dz * dz).squareRoot()
            out.distance.append(distance)
            out.isDesynced.append(distance > options.threshold)
            out.pingCategory.append(options.pingCategory(states.ping[s]))
            let speed = speeds[e]
            let explained = speed * Double(states.ping[s]) / 2000
            out.speed.append(speed)
            out.latencyExplained.append(explained)
            out.residual.append(max(0, distance - explained))
        }
        return out
    }

    /// Speed of each client event in world units per second: the distance
    /// from the same player's previous event over the time between them.
    /// A player's first event takes the speed of its second.
    static func clientSpeeds(_ events: PlayerEvents) -> [Double] {
        let n = events.count
        var order = Array(0..<n)
        order.sort { a, b in
            if events.session[a] != events.session[b] { return events.session[a] < events.session[b] }
            if events.player[a] != events.player[b] { return events.player[a] < events.player[b] }
            if events.timestamp[a] != events.timestamp[b] {
                return events.timestamp[a] < events.timestamp[b]
            }
            return a < b
        }
        var speeds = [Double](repeating: 0, count: n)
        var k = 0
        while k < n {
            var end = k + 1
            while end < n, events.session[order[end]] == events.session[order[k]],
                events.player[order[end]] == events.player[order[k]]
            {
                end += 1
            }
            if end - k >= 2 {
                for j in (k + 1)..<end {
                    let a = order[j - 1]
                    let b = order[j]
                    let dt = Double(events.timestamp[b] - events.timestamp[a]) / 1e6
                    let dx = events.x[b] - events.x[a]
                    let dy = events.y[b] - events.y[a]
                    let dz = events.z[b] - events.z[a]
                    let d = (dx * dx + dy * dy + dz * dz).squareRoot()
                    speeds[b] = dt > 0 ? d / dt : 0
                }
                speeds[order[k]] = speeds[order[k + 1]]
            }
            k = end
        }
        return speeds
    }
}
