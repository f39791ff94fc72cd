/// The nearest-in-time join: per session and player, each client event is
/// paired with the server state nearest in time within a tolerance, one to
/// one, whatever order the rows came in.
///
/// The pairing is the greedy one by smallest gap: among all (event, state)
/// pairs of one player with |client time − server time| ≤ tolerance, the
/// pair with the smallest gap is taken first, then the smallest among the
/// rows still free, and so on. Ties in the gap go to the earlier client
/// event, then to the earlier server state (duplicates are gone, so one
/// player's times are distinct on each side and this order is total). The
/// result depends only on the times, never on the input order.
///
/// Done literally that is quadratic. On a line, though, the smallest-gap
/// pair of the free rows always has no free row between its two times (any
/// row in between would form a smaller pair), so it suffices to keep the
/// rows of one player in a linked list in time order and a heap of the
/// neighbouring event/state pairs: taking a pair unlinks it and makes its
/// two outer neighbours adjacent, the only new candidate. That is
/// O(n log n) for n rows and needs no memory per candidate beyond the heap.
public struct NearestJoin: Sendable {
    private let events: [PlayerTimeOrder.Key]
    private let states: [PlayerTimeOrder.Key]
    private let eventTime: [Int64]
    private let stateTime: [Int64]

    /// Sorts both streams once by (session, player, time); `join` and
    /// `estimateClockShift` reuse that order.
    public init(_ events: PlayerEvents, _ states: ServerStates) {
        self.events = PlayerTimeOrder.sorted(
            count: events.count, session: { events.session[$0] }, player: { events.player[$0] },
            time: { events.timestamp[$0] })
        self.states = PlayerTimeOrder.sorted(
            count: states.count, session: { states.session[$0] }, player: { states.player[$0] },
            time: { states.timestamp[$0] })
        eventTime = events.timestamp
        stateTime = states.timestamp
    }

    /// Pairs the streams. `tolerance` is in microseconds (inclusive);
    /// `clockShift[session]`, when given, is subtracted from that session's
    /// client times before matching. Pairs come in client-event order.
    public func join(tolerance: Int64, clockShift: [Int64] = []) -> JoinResult {
        var partner = [Int32](repeating: -1, count: eventTime.count)
        var stateTaken = [Bool](repeating: false, count: stateTime.count)
        var matcher = GroupMatcher()
        var result = JoinResult()
        var i = 0
        var j = 0
        while i < events.count || j < states.count {
            let ge = i < events.count ? events[i].group : UInt64.max
            let gs = j < states.count ? states[j].group : UInt64.max
            var ie = i
            while ie < events.count, events[ie].group == min(ge, gs) { ie += 1 }
            var je = j
            while je < states.count, states[je].group == min(ge, gs) { je += 1 }
            if ie > i && je > j {
                let session = Int(events[i].session)
                let shift = session < clockShift.count ? clockShift[session] : 0
                let outside = matcher.match(
                    events[i..<ie], states[j..<je], shift: shift, tolerance: tolerance,
                    partner: &partner, stateTaken: &stateTaken)
                result.clientOutsideTolerance += outside.events
                result.serverOutsideTolerance += outside.states
            }
            i = ie
            j = je
        }

        let pairs = partner.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
        result.eventRow.reserveCapacity(pairs)
        result.stateRow.reserveCapacity(pairs)
        for e in 0..<partner.count {
            if partner[e] >= 0 {
                result.eventRow.append(Int32(e))
                result.stateRow.append(partner[e])
            } else {
                result.unmatchedEvents.append(Int32(e))
            }
        }
        for s in 0..<stateTaken.count where !stateTaken[s] {
            result.unmatchedStates.append(Int32(s))
        }
        return result
    }

    /// Each session's clock offset, client minus server, in microseconds,
    /// for `join(clockShift:)`; 0 for a session with nothing to go on.
    ///
    /// Timing alone cannot tell an offset of one server tick from none
    /// when ticks are regular: every shift by a whole tick lines the
    /// streams up equally well. So the estimate has two steps:
    /// 1. a coarse one from where each player's streams begin and end: the
    ///    median over the session's players of (first client time − first
    ///    server time) and (last client time − last server time);
    /// 2. a nearest join with the coarse shift and a window twice the
    ///    tolerance; the estimate is the median of client minus server time
    ///    over its pairs (measured on the unshifted times).
    // FIXME: step 1 assumes both streams of a player cover the same span;
    // a server that records long before the client connects throws the
    // coarse estimate off by whole ticks. Matching on positions would not
    // help: the client's error (speed × delay) biases it by about ping / 2.
    public func estimateClockShift(tolerance: Int64, sessions: Int) -> [Int64] {
        var edges: [(session: Int32, gap: Int64)] = []
        var i = 0
        var j = 0
        while i < events.count && j < states.count {
            let ge = events[i].group
            let gs = states[j].group
            if ge < gs {
                while i < events.count, events[i].group == ge { i += 1 }
            } else if gs < ge {
                while j < states.count, states[j].group == gs { j += 1 }
            } else {
                let firstE = events[i].time
                let firstS = states[j].time
                while i < events.count, events[i].group == ge { i += 1 }
                while j < states.count, states[j].group == gs { j += 1 }
                edges.append((events[i - 1].session, firstE - firstS))
                edges.append((events[i - 1].session, events[i - 1].time - states[j - 1].time))
            }
        }
        let coarse = Self.medianBySession(edges, sessions: sessions, fallback: [])

        let first = join(tolerance: 2 * tolerance, clockShift: coarse)
        var sessionOf = [Int32](repeating: 0, count: eventTime.count)
        for key in events { sessionOf[Int(key.row)] = key.session }
        var gaps: [(session: Int32, gap: Int64)] = []
        gaps.reserveCapacity(first.eventRow.count)
        for k in 0..<first.eventRow.count {
            let e = Int(first.eventRow[k])
            let s = Int(first.stateRow[k])
            gaps.append((sessionOf[e], eventTime[e] - stateTime[s]))
        }
        return Self.medianBySession(gaps, sessions: sessions, fallback: coarse)
    }

    /// Per session, the median of its samples rounded to the microsecond;
    /// `fallback[session]` (or 0) for a session without samples.
    static func medianBySession(
        _ samples: [(session: Int32, gap: Int64)], sessions: Int, fallback: [Int64]
    ) -> [Int64] {
        var out = (0..<sessions).map { $0 < fallback.count ? fallback[$0] : 0 }
        let sorted = samples.sorted { a, b in
            a.session != b.session ? a.session < b.session : a.gap < b.gap
        }
        var k = 0
        while k < sorted.count {
            var end = k + 1
            while end < sorted.count, sorted[end].session == sorted[k].session { end += 1 }
            let median = Statistics.percentile(sortedCount: end - k, 0.5) {
                Double(sorted[k + $0].gap)
            }!
            let session = Int(sorted[k].session)
            if session < out.count { out[session] = Int64(median.rounded()) }
            k = end
        }
        return out
    }
}

/// The pairs a join found, and what it could not pair.
public struct JoinResult: Sendable {
    public var eventRow: [Int32] = []
    public var stateRow: [Int32] = []
    /// Client events with no server state (`client_only` in the ledger).
    public var unmatchedEvents: [Int32] = []
    /// Server states with no client event (`server_only` in the ledger).
    public var unmatchedStates: [Int32] = []
    /// Unmatched client events whose player does have server states, none
    /// of them within the tolerance (for the exact join: none at the same
    /// microsecond). A subset of `unmatchedEvents`; the rest belong to
    /// players the server never reported, or lost their nearest state to a
    /// closer event.
    public var clientOutsideTolerance = 0
    /// The same for unmatched server states.
    public var serverOutsideTolerance = 0

    public init() {}
}

/// Matches the rows of one player; keeps its buffers between players so a
/// join allocates only while its largest player grows them.
private struct GroupMatcher {
    var time: [Int64] = []
    var row: [Int32] = []
    var isEvent: [Bool] = []
    var previous: [Int32] = []
    var next: [Int32] = []
    var taken: [Bool] = []
    var near: [Bool] = []
    var heap = CandidateHeap()

    /// Pairs `events` with `states` (both in time order, one player) and
    /// returns how many rows stayed unmatched with no partner in reach.
    mutating func match(
        _ events: ArraySlice<PlayerTimeOrder.Key>, _ states: ArraySlice<PlayerTimeOrder.Key>,
        shift: Int64, tolerance: Int64, partner: inout [Int32], stateTaken: inout [Bool]
    ) -> (events: Int, states: Int) {
        time.removeAll(keepingCapacity: true)
        row.removeAll(keepingCapacity: true)
        isEvent.removeAll(keepingCapacity: true)
        // Merge by time; at equal times the event comes first.
        var a = events.startIndex
        var b = states.startIndex
        while a < events.endIndex || b < states.endIndex {
            let takeEvent =
                b == states.endIndex
                || (a < events.endIndex && events[a].time - shift <= states[b].time)
            if takeEvent {
                time.append(events[a].time - shift)
                row.append(events[a].row)
                isEvent.append(true)
                a += 1
            } else {
                time.append(states[b].time)
                row.append(states[b].row)
                isEvent.append(false)
                b += 1
            }
        }
        let n = time.count
        previous.removeAll(keepingCapacity: true)
        next.removeAll(keepingCapacity: true)
        taken.removeAll(keepingCapacity: true)
        for p in 0..<n {
            previous.append(Int32(p - 1))
            next.append(p + 1 < n ? Int32(p + 1) : -1)
            taken.append(false)
        }
        heap.removeAll()
        for p in 0..<(n - 1) { pushIfCandidate(p, p + 1, tolerance) }

        while let c = heap.popMin() {
            let l = Int(c.left)
            let r = Int(c.right)
            guard !taken[l], !taken[r] else { continue }
            taken[l] = true
            taken[r] = true
            let (e, s) = isEvent[l] ? (row[l], row[r]) : (row[r], row[l])
            partner[Int(e)] = s
            stateTaken[Int(s)] = true
            // l and r are neighbours; unlink both and join their outer ones.
            let outerLeft = Int(previous[l])
            let outerRight = Int(next[r])
            if outerLeft >= 0 { next[outerLeft] = Int32(outerRight) }
            if outerRight >= 0 { previous[outerRight] = Int32(outerLeft) }
            if outerLeft >= 0 && outerRight >= 0 {
                pushIfCandidate(outerLeft, outerRight, tolerance)
            }
        }
        return countOutside(tolerance)
    }

    @inline(__always)
    private mutating func pushIfCandidate(_ l: Int, _ r: Int, _ tolerance: Int64) {
        guard isEvent[l] != isEvent[r] else { return }
        let gap = time[r] - time[l]
        guard gap <= tolerance else { return }
        let (eventTime, stateTime) = isEvent[l] ? (time[l], time[r]) : (time[r], time[l])
        heap.push(
            Candidate(
                gap: gap, eventTime: eventTime, stateTime: stateTime, left: Int32(l),
                right: Int32(r)))
    }

    /// Unmatched rows with no row of the other stream within the tolerance.
    /// The nearest other-stream row on each side is the last one seen in a
    /// sweep in time order, forwards and then backwards.
    private mutating func countOutside(_ tolerance: Int64) -> (events: Int, states: Int) {
        let n = time.count
        near.removeAll(keepingCapacity: true)
        near.append(contentsOf: repeatElement(false, count: n))
        var lastEvent = Int64.min
        var lastState = Int64.min
        for p in 0..<n {
            let other = isEvent[p] ? lastState : lastEvent
            if other != .min && time[p] - other <= tolerance { near[p] = true }
            if isEvent[p] { lastEvent = time[p] } else { lastState = time[p] }
        }
        lastEvent = .max
        lastState = .max
        var outside = (events: 0, states: 0)
        for p in stride(from: n - 1, through: 0, by: -1) {
            let other = isEvent[p] ? lastState : lastEvent
            if other != .max && other - time[p] <= tolerance { near[p] = true }
            if isEvent[p] { lastEvent = time[p] } else { lastState = time[p] }
            if !taken[p] && !near[p] {
                if isEvent[p] { outside.events += 1 } else { outside.states += 1 }
            }
        }
        return outside
    }
}

/// A pair of neighbouring rows of different streams, ordered by gap, then
/// client time, then server time.
private struct Candidate {
    var gap: Int64
    var eventTime: Int64
    var stateTime: Int64
    var left: Int32
    var right: Int32

    @inline(__always)
    func precedes(_ other: Candidate) -> Bool {
        if gap != other.gap { return gap < other.gap }
        if eventTime != other.eventTime { return eventTime < other.eventTime }
        return stateTime < other.stateTime
    }
}

/// A binary min-heap of candidates.
private struct CandidateHeap {
    private var items: [Candidate] = []

    mutating func removeAll() { items.removeAll(keepingCapacity: true) }

    mutating func push(_ c: Candidate) {
        items.append(c)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].precedes(items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popMin() -> Candidate? {
        guard let last = items.popLast() else { return nil }
        guard !items.isEmpty else { return last }
        let top = items[0]
        items[0] = last
        var parent = 0
        while true {
            let l = 2 * parent + 1
            guard l < items.count else { break }
            var best = l
            if l + 1 < items.count && items[l + 1].precedes(items[l]) { best = l + 1 }
            guard items[best].precedes(items[parent]) else { break }
            items.swapAt(best, parent)
            parent = best
        }
        return top
    }
}
