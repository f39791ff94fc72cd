/// The notebook's join: a client event meets the server state with the same
/// session, player and timestamp (to the microsecond). Both sides are
/// already free of duplicate keys, so every match is one to one.
public struct ExactJoin: Sendable {
    public init() {}

    /// Matched pairs in client-event order, and the rows left unmatched on
    /// each side. `progress` gets the rows handled so far (server states
    /// indexed, then client events probed) and the total of both.
    public func join(
        _ events: PlayerEvents, _ states: ServerStates,
        progress: (Int64, Int64) -> Void = { _, _ in }
    ) -> JoinResult {
        let total = Int64(states.count + events.count)
        progress(0, total)
        var table = RowKeyTable(capacity: states.count)
        for i in 0..<states.count {
            if i & 0xFFFF == 0xFFFF { progress(Int64(i + 1), total) }
            let h = RowKeyTable.hash(
                session: states.session[i], player: states.player[i], time: states.timestamp[i])
            _ = table.insert(Int32(i), hash: h) { other in
                let o = Int(other)
                return states.session[o] == states.session[i]
                    && states.player[o] == states.player[i]
                    && states.timestamp[o] == states.timestamp[i]
            }
        }
        var result = JoinResult()
        result.eventRow.reserveCapacity(min(events.count, states.count))
        result.stateRow.reserveCapacity(min(events.count, states.count))
        var stateMatched = [Bool](repeating: false, count: states.count)
        for i in 0..<events.count {
            if i & 0xFFFF == 0xFFFF { progress(Int64(states.count + i + 1), total) }
            let s = events.session[i]
            let p = events.player[i]
            let t = events.timestamp[i]
            let h = RowKeyTable.hash(session: s, player: p, time: t)
            let match = table.find(hash: h) { other in
                let o = Int(other)
                return states.session[o] == s && states.player[o] == p && states.timestamp[o] == t
            }
            if let match {
                result.eventRow.append(Int32(i))
                result.stateRow.append(match)
                stateMatched[Int(match)] = true
            } else {
                result.unmatchedEvents.append(Int32(i))
            }
        }
        for i in 0..<states.count where !stateMatched[i] {
            result.unmatchedStates.append(Int32(i))
        }
        // With a tolerance of zero, "outside the tolerance" is any
        // unmatched row of a player the other stream does report.
        if !result.unmatchedEvents.isEmpty {
            let served = GroupPresence(session: states.session, player: states.player)
            for row in result.unmatchedEvents {
                let i = Int(row)
                if served.contains(session: events.session[i], player: events.player[i]) {
                    result.clientOutsideTolerance += 1
                }
            }
        }
        if !result.unmatchedStates.isEmpty {
            let reported = GroupPresence(session: events.session, player: events.player)
            for row in result.unmatchedStates {
                let i = Int(row)
                if reported.contains(session: states.session[i], player: states.player[i]) {
                    result.serverOutsideTolerance += 1
                }
            }
        }
        progress(total, total)
        return result
    }
}
