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
        }
        return out
    }

    /// Speed of each client event in world units per second: the distance
    /// from the same player's previous event over the time between them.
    /// A player's first event takes the speed of its second.
    static func clientSpeeds(_ events: PlayerEvents) -> [Double] {
        orderedSpeeds(events) ?? sortedSpeeds(events)
    }

    /// `clientSpeeds` in one pass, for input where each player's events
    /// already come in time order (producers write them so; players may
    /// interleave). Nil when some player's events go back in time: then
    /// the events must be sorted first.
    static func orderedSpeeds(_ events: PlayerEvents) -> [Double]? {
        let n = events.count
        var speeds = [Double](repeating: 0, count: n)
        // First and last row seen of each player; the current player's
        // pair is kept in locals, as rows of one player usually run
        // together.
        var seen: [Int64: (first: Int, last: Int)] = [:]
        var key = Int64.min
        var first = -1
        var last = -1
        let ok = events.timestamp.withUnsafeBufferPointer { t -> Bool in
            for i in 0..<n {
                let k = Int64(events.session[i]) << 32 | Int64(UInt32(bitPattern: events.player[i]))
                if k != key {
                    if first >= 0 { seen[key] = (first, last) }
                    key = k
                    (first, last) = seen[k] ?? (-1, -1)
                }
                if last >= 0 {
                    // Equal times cannot occur (duplicates are gone), and
                    // a sort would keep them in input order anyway.
                    guard t[i] >= t[last] else { return false }
                    speeds[i] = speed(events, from: last, to: i)
                    if last == first { speeds[first] = speeds[i] }
                } else {
                    first = i
                }
                last = i
            }
            return true
        }
        return ok ? speeds : nil
    }

    /// Distance over time between two events of one player, as the
    /// notebook's window function computes it; 0 when no time passed.
    @inline(__always)
    private static func speed(_ events: PlayerEvents, from a: Int, to b: Int) -> Double {
        let dt = Double(events.timestamp[b] - events.timestamp[a]) / 1e6
        let dx = events.x[b] - events.x[a]
        let dy = events.y[b] - events.y[a]
        let dz = events.z[b] - events.z[a]
        let d = (dx * dx + dy * dy + dz * dz).squareRoot()
        return dt > 0 ? d / dt : 0
    }

    /// `clientSpeeds` for any order: sorts the events by player and time.
    static func sortedSpeeds(_ events: PlayerEvents) -> [Double] {
        let n = events.count
        var order = Array(0..<n)
        order.sort { a, b in
            if events.session[a] != events.session[b] {
                return events.session[a] < events.session[b]
            }
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
                    speeds[order[j]] = speed(events, from: order[j - 1], to: order[j])
                }
                speeds[order[k]] = speeds[order[k + 1]]
            }
            k = end
        }
        return speeds
    }
}
