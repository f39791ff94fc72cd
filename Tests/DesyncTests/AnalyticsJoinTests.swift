import Desync
import Testing

/// The nearest-in-time join against the greedy-by-gap definition done by
/// brute force, its independence from input order, and the clock offset.
@Suite struct AnalyticsJoinTests {
    struct Pair: Hashable {
        var event: String
        var state: String
    }

    /// The definition, literally: every pair of one player within the
    /// tolerance, sorted by (gap, client time, server time), taken greedily
    /// when both rows are still free.
    static func bruteForce(_ s: TestStreams, tolerance: Int64, shift: [Int64] = [])
        -> (pairs: Set<Pair>, clientOutside: Int, serverOutside: Int)
    {
        let e = s.events
        let st = s.states
        func shifted(_ i: Int) -> Int64 {
            let session = Int(e.session[i])
            return e.timestamp[i] - (session < shift.count ? shift[session] : 0)
        }
        var candidates: [(gap: Int64, te: Int64, ts: Int64, i: Int, j: Int)] = []
        for i in 0..<e.count {
            for j in 0..<st.count where e.session[i] == st.session[j] && e.player[i] == st.player[j]
            {
                let gap = abs(shifted(i) - st.timestamp[j])
                if gap <= tolerance { candidates.append((gap, shifted(i), st.timestamp[j], i, j)) }
            }
        }
        candidates.sort { ($0.gap, $0.te, $0.ts) < ($1.gap, $1.te, $1.ts) }
        var usedE = Set<Int>()
        var usedS = Set<Int>()
        var pairs = Set<Pair>()
        for c in candidates where !usedE.contains(c.i) && !usedS.contains(c.j) {
            usedE.insert(c.i)
            usedS.insert(c.j)
            pairs.insert(Pair(event: e.eventID[c.i], state: st.stateID[c.j]))
        }
        var clientOutside = 0
        for i in 0..<e.count where !usedE.contains(i) {
            let samePlayer = (0..<st.count).filter {
                st.session[$0] == e.session[i] && st.player[$0] == e.player[i]
            }
            if !samePlayer.isEmpty
                && samePlayer.allSatisfy({ abs(shifted(i) - st.timestamp[$0]) > tolerance })
            {
                clientOutside += 1
            }
        }
        var serverOutside = 0
        for j in 0..<st.count where !usedS.contains(j) {
            let samePlayer = (0..<e.count).filter {
                e.session[$0] == st.session[j] && e.player[$0] == st.player[j]
            }
            if !samePlayer.isEmpty
                && samePlayer.allSatisfy({ abs(shifted($0) - st.timestamp[j]) > tolerance })
            {
                serverOutside += 1
            }
        }
        return (pairs, clientOutside, serverOutside)
    }

    static func pairs(_ r: JoinResult, _ s: TestStreams) -> Set<Pair> {
        Set(
            zip(r.eventRow, r.stateRow).map {
                Pair(event: s.events.eventID[Int($0)], state: s.states.stateID[Int($1)])
            })
    }

    /// Random players with distinct times on each side (duplicates are gone
    /// before a join), on a 5 ms grid so equal gaps are frequent; rows of
    /// all players are mixed in random order.
    static func randomStreams(_ random: inout SeededRandom) -> TestStreams {
        var rows: [(isEvent: Bool, session: String, player: String, time: Int64)] = []
        for session in ["a", "b"].prefix(Int.random(in: 1...2, using: &random)) {
            for player in ["p", "q", "r"].prefix(Int.random(in: 1...3, using: &random)) {
                for isEvent in [true, false] {
                    let n = Int.random(in: 0...8, using: &random)
                    let times = Array(
                        Set((0..<n).map { _ in Int64.random(in: 0...40, using: &random) * 5000 }))
                    for t in times { rows.append((isEvent, session, player, t)) }
                }
            }
        }
        rows.shuffle(using: &random)
        var s = TestStreams()
        for r in rows {
            if r.isEvent {
                s.event(r.session, r.player, r.time)
            } else {
                s.state(r.session, r.player, r.time)
            }
        }
        return s
    }

    @Test(arguments: 0..<300)
    func nearestJoinMatchesBruteForce(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed))
        let s = Self.randomStreams(&random)
        let tolerance = [0, 5000, 12_000, 25_000, 60_000][seed % 5]
        let shift = seed % 3 == 0 ? [Int64(10_000), -5000] : []
        let result = NearestJoin(s.events, s.states).join(
            tolerance: Int64(tolerance), clockShift: shift)
        let expected = Self.bruteForce(s, tolerance: Int64(tolerance), shift: shift)
        #expect(Self.pairs(result, s) == expected.pairs)
        #expect(result.clientOutsideTolerance == expected.clientOutside)
        #expect(result.serverOutsideTolerance == expected.serverOutside)
        // The ledger's arithmetic: every row is paired or unmatched.
        #expect(result.eventRow.count + result.unmatchedEvents.count == s.events.count)
        #expect(result.stateRow.count + result.unmatchedStates.count == s.states.count)
        #expect(result.eventRow == result.eventRow.sorted())
    }

    /// The same rows in reverse order pair the same ids.
    @Test(arguments: 0..<50)
    func nearestJoinIgnoresInputOrder(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed) + 1000)
        let s = Self.randomStreams(&random)
        var reversed = TestStreams()
        reversed.dimensions = s.dimensions
        for i in (0..<s.events.count).reversed() {
            reversed.events.eventID.append(s.events.eventID[i])
            reversed.events.session.append(s.events.session[i])
            reversed.events.player.append(s.events.player[i])
            reversed.events.eventType.append(s.events.eventType[i])
            reversed.events.timestamp.append(s.events.timestamp[i])
            reversed.events.x.append(0)
            reversed.events.y.append(0)
            reversed.events.z.append(0)
            reversed.events.line.append(0)
        }
        reversed.states = s.states
        let a = NearestJoin(s.events, s.states).join(tolerance: 25_000)
        let b = NearestJoin(reversed.events, reversed.states).join(tolerance: 25_000)
        #expect(Self.pairs(a, s) == Self.pairs(b, reversed))
    }

    /// Ties by hand: an event at 10 ms has states at 0 and 20 ms (equal
    /// gaps): the earlier state wins. A state at 100 ms has events at 90 and
    /// 110 ms: the earlier event wins and the later one, 10 ms from the
    /// taken state only, stays unmatched but not "outside" (it was in reach).
    @Test func tieBreakingByHand() {
        var s = TestStreams()
        s.event("a", "p", 10_000)
        s.state("a", "p", 0)
        s.state("a", "p", 20_000)
        s.event("a", "p", 90_000)
        s.event("a", "p", 110_000)
        s.state("a", "p", 100_000)
        s.event("a", "p", 500_000)
        let r = NearestJoin(s.events, s.states).join(tolerance: 25_000)
        #expect(
            Self.pairs(r, s) == [Pair(event: "e0", state: "s0"), Pair(event: "e1", state: "s2")])
        #expect(r.unmatchedEvents == [2, 3])
        #expect(r.unmatchedStates == [1])
        #expect(r.clientOutsideTolerance == 1)  // e3 at 500 ms
        #expect(r.serverOutsideTolerance == 0)  // s1 had e0 within 10 ms
    }

    /// A client clock 130 ms ahead (more than two 50 ms ticks) with 1 ms
    /// of jitter, some rows lost: the estimate lands within a tick, and the
    /// corrected join pairs each event with its own tick.
    @Test func clockOffsetIsEstimatedAndCorrected() throws {
        var random = SeededRandom(seed: 7)
        var s = TestStreams()
        for player in ["p", "q", "r"] {
            for tick in 0..<200 {
                let t = Int64(tick) * 50_000
                if Int.random(in: 0..<20, using: &random) != 0 || tick == 0 || tick == 199 {
                    let jitter = Int64.random(in: -1000...1000, using: &random)
                    s.event("a", player, t + 130_000 + jitter, x: Double(tick))
                }
                if Int.random(in: 0..<20, using: &random) != 0 || tick == 0 || tick == 199 {
                    s.state("a", player, t, x: Double(tick))
                }
            }
        }
        let nearest = NearestJoin(s.events, s.states)
        let shift = nearest.estimateClockShift(tolerance: 25_000, sessions: 1)
        #expect(abs(shift[0] - 130_000) <= 2000, "estimated \(shift[0]) µs")
        let corrected = nearest.join(tolerance: 25_000, clockShift: shift)
        for k in 0..<corrected.eventRow.count {
            #expect(
                s.events.x[Int(corrected.eventRow[k])] == s.states.x[Int(corrected.stateRow[k])])
        }
        #expect(corrected.eventRow.count > 500)
        // Without the correction the nearest join pairs neighbouring ticks.
        let plain = nearest.join(tolerance: 25_000)
        let wrong = (0..<plain.eventRow.count).filter {
            s.events.x[Int(plain.eventRow[$0])] != s.states.x[Int(plain.stateRow[$0])]
        }
        #expect(wrong.count == plain.eventRow.count && !wrong.isEmpty)
    }

    /// The exact join's outside-tolerance counts: unmatched rows of players
    /// the other stream reports.
    @Test func exactJoinCountsRowsOutsideTolerance() {
        var s = TestStreams()
        s.event("a", "p", 0)
        s.event("a", "p", 50_000)  // p has states, none at 50 ms: outside
        s.event("a", "x", 0)  // x has no states at all: client_only only
        s.state("a", "p", 0)
        s.state("a", "p", 100_000)  // outside
        s.state("b", "p", 0)  // session b has no events
        let r = ExactJoin().join(s.events, s.states)
        #expect(r.eventRow == [0] && r.stateRow == [0])
        #expect(r.clientOutsideTolerance == 1)
        #expect(r.serverOutsideTolerance == 1)
    }
}
