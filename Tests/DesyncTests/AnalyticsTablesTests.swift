import Desync
import Foundation
import Testing

/// desync_events' extra columns and the analytics tables, by hand and
/// against slow references over random small inputs.
@Suite struct AnalyticsTablesTests {
    /// Player p moves 5 units in 0.5 s (10 units/s), then stands still for
    /// 1 s. Speeds: 10 (the first event takes the second's), 10, 0.
    /// Explained = speed × ping / 2 (ms → s): 10 × 0.05 = 0.5, 10 × 0.1 = 1.0,
    /// 0. Residual = distance − explained, floored at 0.
    @Test func extraColumnsByHand() {
        var s = TestStreams()
        s.event("a", "p", 0, x: 0, y: 0, z: 0)
        s.event("a", "p", 500_000, x: 3, y: 4, z: 0)
        s.event("a", "p", 1_500_000, x: 3, y: 4, z: 0)
        s.state("a", "p", 0, x: 0, y: 0, z: 2, ping: 100)
        s.state("a", "p", 500_000, x: 3, y: 4, z: 0, ping: 200)
        s.state("a", "p", 1_500_000, x: 3, y: 4, z: 1, ping: 50)
        let (t, _) = s.analyse()
        #expect(t.distance == [2, 0, 1])
        #expect(t.speed == [10, 10, 0])
        #expect(t.latencyExplained == [0.5, 1.0, 0])
        #expect(t.residual == [1.5, 0, 1])
        #expect(t.isDesynced == [true, false, false])
        #expect(t.pingCategory == [.medium, .high, .medium])
    }

    /// Distances 0.5, 2, 3, 0.2, 1.5, 1.0, 4 at 50 ms steps with threshold
    /// 1.0 (1.0 itself is in sync): episodes [50, 100] ms (peak 3, mean 2.5,
    /// recovered 50 ms later), [200] ms (recovered 50 ms later) and [300] ms,
    /// still open when the data ends.
    @Test func episodesByHand() {
        let distances = [0.5, 2, 3, 0.2, 1.5, 1.0, 4]
        var detector = EpisodeDetector()
        var found: [Episode] = []
        for (k, d) in distances.enumerated() {
            if let e = detector.add(time: Int64(k) * 50_000, distance: d, desynced: d > 1.0) {
                found.append(e)
            }
        }
        if let e = detector.finish() { found.append(e) }
        #expect(
            found == [
                Episode(
                    start: 50_000, end: 100_000, ticks: 2, peakDistance: 3, distanceSum: 5,
                    recovery: 50_000),
                Episode(
                    start: 200_000, end: 200_000, ticks: 1, peakDistance: 1.5, distanceSum: 1.5,
                    recovery: 50_000),
                Episode(
                    start: 300_000, end: 300_000, ticks: 1, peakDistance: 4, distanceSum: 4,
                    recovery: nil),
            ])
        #expect(found[0].averageDistance == 2.5 && found[0].duration == 50_000)

        // The same ticks through the pipeline's analysis, rows shuffled.
        var s = TestStreams()
        for k in [3, 0, 6, 1, 5, 2, 4] {
            s.event("a", "p", Int64(k) * 50_000, x: distances[k])
            s.state("a", "p", Int64(k) * 50_000)
        }
        let (_, a) = s.analyse()
        #expect(a.episodes.map(\.episode) == found)
        #expect(a.players.map(\.episodes) == [3])
        #expect(a.sessions.map(\.episodes) == [3])
    }

    // MARK: Against references

    struct Tick {
        var session: String
        var player: String
        var type: String
        var time: Int64
        var distance: Double
        var ping: Double
        var loss: Double
        var speed: Double
    }

    static func randomStreams(_ random: inout SeededRandom) -> TestStreams {
        var s = TestStreams()
        let pings: [Int32] = [10, 49, 50, 120, 149, 150, 300]
        let losses = [0, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.2]
        let offsets = [0, 0.5, 1.0, 1.5, 3]
        for session in ["s2", "s1", "s3"].prefix(Int.random(in: 1...3, using: &random)) {
            for player in ["q", "p"].prefix(Int.random(in: 1...2, using: &random)) {
                var t = Int64.random(in: 0...120, using: &random) * 1_000_000
                for _ in 0..<Int.random(in: 1...25, using: &random) {
                    t += Int64.random(in: 1...3, using: &random) * 50_000
                    let x = Double(Int.random(in: 0...4, using: &random))
                    let type = Bool.random(using: &random) ? "jump" : "move"
                    s.event(session, player, t, x: x, type: type)
                    if Int.random(in: 0..<8, using: &random) > 0 {
                        s.state(
                            session, player, t, x: x + offsets.randomElement(using: &random)!,
                            ping: pings.randomElement(using: &random)!,
                            loss: losses.randomElement(using: &random)!)
                    }
                }
            }
        }
        return s
    }

    static func ticks(_ s: TestStreams, _ t: JoinedTicks) -> [Tick] {
        let d = s.dimensions
        return (0..<t.count).map { k in
            let i = Int(t.eventRow[k])
            let j = Int(t.stateRow[k])
            return Tick(
                session: d.sessions[s.events.session[i]], player: d.players[s.events.player[i]],
                type: d.eventTypes[s.events.eventType[i]], time: s.events.timestamp[i],
                distance: abs(s.states.x[j] - s.events.x[i]), ping: Double(s.states.ping[j]),
                loss: s.states.packetLoss[j], speed: t.speed[k])
        }
    }

    typealias Ref = AnalyticsStatisticsTests

    func expectTally(
        _ tally: Tally, _ group: [Tick], _ threshold: Double, _ label: String
    ) {
        let n = group.count
        let desynced = group.filter { $0.distance > threshold }.count
        #expect(tally.ticks == Int64(n), "\(label)")
        #expect(tally.desynced == Int64(desynced), "\(label)")
        let mean = { (f: (Tick) -> Double) in n == 0 ? nil : group.map(f).reduce(0, +) / Double(n) }
        #expect(near(tally.averageDistance, mean { $0.distance }), "\(label)")
        #expect(near(tally.averagePing, mean { $0.ping }), "\(label)")
        #expect(near(tally.averageLoss, mean { $0.loss }), "\(label)")
        #expect(near(tally.averageSpeed, mean { $0.speed }), "\(label)")
        #expect(tally.maxDistance == group.map(\.distance).max(), "\(label)")
        if n > 0 {
            let w = Ref.referenceWilson(desynced, n)
            #expect(near(tally.interval?.low, w.0) && near(tally.interval?.high, w.1), "\(label)")
        }
    }

    func referenceEpisodes(_ ticks: [Tick], _ threshold: Double) -> [String: [Episode]] {
        var out: [String: [Episode]] = [:]
        let players = Dictionary(grouping: ticks) { $0.session + "/" + $0.player }
        for (key, list) in players {
            let sorted = list.sorted { $0.time < $1.time }
            var k = 0
            while k < sorted.count {
                guard sorted[k].distance > threshold else {
                    k += 1
                    continue
                }
                var end = k
                while end + 1 < sorted.count, sorted[end + 1].distance > threshold { end += 1 }
                let run = sorted[k...end]
                out[key, default: []].append(
                    Episode(
                        start: run.first!.time, end: run.last!.time, ticks: Int64(run.count),
                        peakDistance: run.map(\.distance).max()!,
                        distanceSum: run.map(\.distance).reduce(0, +),
                        recovery: end + 1 < sorted.count
                            ? sorted[end + 1].time - sorted[end].time : nil))
                k = end + 1
            }
        }
        return out
    }

    @Test(arguments: 0..<120)
    func tablesMatchReferences(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed))
        let s = Self.randomStreams(&random)
        var options = AnalysisOptions()
        options.threshold = [1.0, 0.5, 2.0][seed % 3]
        options.pingBands = seed % 2 == 0 ? (50, 150) : (100, 200)
        options.window = [60_000_000, 7_000_000, 250_000][seed % 3]
        let (t, a) = s.analyse(options)
        let ticks = Self.ticks(s, t)
        let threshold = options.threshold
        let d = s.dimensions
        #expect(t.distance == ticks.map(\.distance))
        // Known without the code under test: every state was written beside
        // its own event, so each state is joined once, to that event.
        #expect(t.count == s.states.count)
        #expect(
            (0..<t.count).allSatisfy { k in
                let i = Int(t.eventRow[k])
                let j = Int(t.stateRow[k])
                return s.events.timestamp[i] == s.states.timestamp[j]
                    && s.events.session[i] == s.states.session[j]
                    && s.events.player[i] == s.states.player[j]
            })

        // desync_by_session
        let sessions = Set(ticks.map(\.session)).sorted()
        #expect(a.sessions.map { d.sessions[$0.session] } == sessions)
        let episodes = referenceEpisodes(ticks, threshold)
        for row in a.sessions {
            let name = d.sessions[row.session]
            let group = ticks.filter { $0.session == name }
            expectTally(row.tally, group, threshold, "session \(name)")
            #expect(row.players == Int64(Set(group.map(\.player)).count))
            #expect(near(row.p95Distance, Ref.referencePercentile(group.map(\.distance), 0.95)))
            #expect(
                near(
                    row.pearsonPing, Ref.referencePearson(group.map(\.distance), group.map(\.ping)))
            )
            #expect(
                near(
                    row.pearsonLoss, Ref.referencePearson(group.map(\.distance), group.map(\.loss)))
            )
            #expect(row.clockOffsetMs == 0)
            let count = episodes.filter { $0.key.hasPrefix(name + "/") }.map(\.value.count).reduce(
                0, +)
            #expect(row.episodes == Int64(count))
        }

        // desync_by_player and desync_episodes
        let players = Set(ticks.map { $0.session + "/" + $0.player }).sorted()
        #expect(a.players.map { d.sessions[$0.session] + "/" + d.players[$0.player] } == players)
        for row in a.players {
            let key = d.sessions[row.session] + "/" + d.players[row.player]
            expectTally(
                row.tally, ticks.filter { $0.session + "/" + $0.player == key }, threshold, key)
            #expect(row.episodes == Int64(episodes[key]?.count ?? 0))
            let mine = a.episodes.filter { $0.session == row.session && $0.player == row.player }
            #expect(mine.count == episodes[key]?.count ?? 0)
            for (x, y) in zip(mine.map(\.episode), episodes[key] ?? []) {
                #expect(x.start == y.start && x.end == y.end && x.ticks == y.ticks)
                #expect(x.recovery == y.recovery && x.peakDistance == y.peakDistance)
                #expect(near(x.distanceSum, y.distanceSum))
            }
        }

        // desync_by_event_type
        #expect(a.eventTypes.map { d.eventTypes[$0.eventType] } == Set(ticks.map(\.type)).sorted())
        for row in a.eventTypes {
            let group = ticks.filter { $0.type == d.eventTypes[row.eventType] }
            expectTally(row.tally, group, threshold, "type")
            #expect(near(row.p95Distance, Ref.referencePercentile(group.map(\.distance), 0.95)))
        }

        // desync_by_window: times are positive, so plain division floors.
        let width = options.window
        let windows = Dictionary(grouping: ticks) { $0.time / width * width }
        #expect(a.windows.map(\.start) == windows.keys.sorted())
        for row in a.windows {
            #expect(row.end == row.start + width)
            expectTally(row.tally, windows[row.start] ?? [], threshold, "window \(row.start)")
        }

        // desync_heatmap: the whole grid.
        func band(_ ping: Double) -> PingCategory {
            if ping < Double(options.pingBands.low) { return .low }
            if ping < Double(options.pingBands.medium) { return .medium }
            return .high
        }
        func lossBand(_ loss: Double) -> String {
            if loss == 0 { return "0" }
            if loss <= 0.02 { return "(0,0.02]" }
            if loss <= 0.05 { return "(0.02,0.05]" }
            if loss <= 0.10 { return "(0.05,0.10]" }
            return ">0.10"
        }
        #expect(a.heatmap.count == 15)
        for cell in a.heatmap {
            let group = ticks.filter {
                band($0.ping) == cell.ping && lossBand($0.loss) == cell.loss.label
            }
            expectTally(cell.tally, group, threshold, "cell \(cell.ping) \(cell.loss.label)")
        }

        // desync_stats
        var scopes: [(String, String, [Tick])] = [("overall", "all", ticks)]
        for p in [PingCategory.low, .medium, .high] {
            scopes.append(("ping_category", p.rawValue, ticks.filter { band($0.ping) == p }))
        }
        for l in ["0", "(0,0.02]", "(0.02,0.05]", "(0.05,0.10]", ">0.10"] {
            scopes.append(("loss_band", l, ticks.filter { lossBand($0.loss) == l }))
        }
        #expect(a.stats.map { [$0.scope, $0.key] } == scopes.map { [$0.0, $0.1] })
        for (row, (_, key, group)) in zip(a.stats, scopes) {
            expectTally(row.tally, group, threshold, "stats \(key)")
            let dist = group.map(\.distance)
            #expect(near(row.p50, Ref.referencePercentile(dist, 0.5)))
            #expect(near(row.p95, Ref.referencePercentile(dist, 0.95)))
            #expect(near(row.p99, Ref.referencePercentile(dist, 0.99)))
            #expect(near(row.pearsonPing, Ref.referencePearson(dist, group.map(\.ping))), "\(key)")
            #expect(near(row.pearsonLoss, Ref.referencePearson(dist, group.map(\.loss))), "\(key)")
            #expect(
                near(row.spearmanPing, Ref.referenceSpearman(dist, group.map(\.ping))), "\(key)")
            #expect(
                near(row.spearmanLoss, Ref.referenceSpearman(dist, group.map(\.loss))), "\(key)")
        }

        // threshold_sweep
        var thresholds = stride(from: 0.0, through: 10.0, by: 0.25).map { $0 }
        if !thresholds.contains(threshold) { thresholds.append(threshold) }
        #expect(a.sweep.map(\.threshold) == thresholds.sorted())
        for row in a.sweep {
            #expect(row.ticks == Int64(ticks.count))
            #expect(row.desynced == Int64(ticks.filter { $0.distance > row.threshold }.count))
        }
    }

    /// Nothing joined: the tables are empty but for the fixed grids, whose
    /// undefined values are nil (NULL).
    @Test func noTicksGiveEmptyTablesAndNulls() {
        var s = TestStreams()
        s.event("a", "p", 0)
        s.state("a", "p", 1)
        let (t, a) = s.analyse()
        #expect(t.count == 0)
        #expect(a.episodes.isEmpty && a.sessions.isEmpty && a.players.isEmpty && a.windows.isEmpty)
        #expect(a.heatmap.count == 15 && a.heatmap.allSatisfy { $0.tally.ticks == 0 })
        #expect(a.stats.count == 9 && a.stats.allSatisfy { $0.p50 == nil && $0.tally.rate == nil })
        // 0 to 10 by 0.25 (the run's threshold, 1.0, is among them).
        #expect(a.sweep.count == 41 && a.sweep.allSatisfy { $0.share == nil })
    }
}
