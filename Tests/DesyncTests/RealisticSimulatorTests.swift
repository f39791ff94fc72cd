import DesyncCLI
import DesyncTestSupport
import Foundation
import Testing

@testable import Desync

/// The realistic profile checked on its own output, read back with the
/// project's reader: determinism, physics, network-driven error, clocks
/// and delivery, against the ground truth the simulator writes.
@Suite struct RealisticSimulatorTests {
    static func bytes(_ folder: String, _ file: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: folder + "/" + file))
    }

    @Test func sameSeedSameBytesOtherSeedOtherBytes() throws {
        let a = try RealisticRun()
        let b = try RealisticRun()
        let c = try RealisticRun { $0.seed = 8 }
        for file in ["player_events.jsonl", "server_state.jsonl", "truth.json"] {
            let x = try Self.bytes(a.folder, file)
            #expect(x.count > 1000)
            #expect(x == (try Self.bytes(b.folder, file)), "\(file) differs for the same seed")
            #expect(x != (try Self.bytes(c.folder, file)), "\(file) equal for another seed")
        }
    }

    /// Server positions move continuously: sorted by time, each player's
    /// horizontal step per tick is at most run speed × tick (plus the
    /// rounding of two 2-decimal positions), and everything stays on the map.
    @Test func movementIsContinuousAndOnTheMap() throws {
        let run = try RealisticRun()
        let s = run.states.states
        let knobs = run.options.realistic
        let dt = Double(run.options.tickMilliseconds) / 1000
        let maxStep = knobs.runSpeed * dt + 0.015
        var rows: [String: [Int]] = [:]
        for i in 0..<s.count { rows["\(s.session[i])/\(s.player[i])", default: []].append(i) }
        #expect(rows.count == 12)
        var steps = 0
        var moving = 0
        for (_, list) in rows {
            let sorted = list.sorted { s.timestamp[$0] < s.timestamp[$1] }
            #expect(sorted.count == run.options.ticks)
            for (a, b) in zip(sorted, sorted.dropFirst()) {
                let step =
                    ((s.x[b] - s.x[a]) * (s.x[b] - s.x[a]) + (s.y[b] - s.y[a]) * (s.y[b] - s.y[a]))
                    .squareRoot()
                #expect(step <= maxStep, "step \(step) above \(maxStep)")
                steps += 1
                if step > 0.05 { moving += 1 }
            }
        }
        // Players mostly move (walk or run), not teleport and not freeze.
        #expect(Double(moving) / Double(steps) > 0.5)
        let e = run.events.events
        for i in 0..<s.count {
            #expect((0...knobs.mapSize).contains(s.x[i]) && (0...knobs.mapSize).contains(s.y[i]))
            #expect((0...20).contains(s.z[i]))
        }
        for i in 0..<e.count {
            #expect((0...knobs.mapSize).contains(e.x[i]) && (0...knobs.mapSize).contains(e.y[i]))
            #expect((0...20).contains(e.z[i]))
        }
        let types = Set(e.eventType.map { run.dimensions.eventTypes.values[Int($0)] })
        #expect(types == ["player_move", "jump", "shoot", "ability"])
    }

    /// Each session's client clock is off by the offset truth.json states:
    /// pairing every client event with its nearest server state of the
    /// same player (a brute-force search, no truth used) gives a median
    /// difference within the two jitters of the truth.
    @Test func clockOffsetPerSessionMatchesTheTruth() throws {
        let run = try RealisticRun()
        let e = run.events.events
        let s = run.states.states
        var serverTimes: [String: [Int64]] = [:]
        for i in 0..<s.count {
            serverTimes["\(s.session[i])/\(s.player[i])", default: []].append(s.timestamp[i])
        }
        for key in serverTimes.keys { serverTimes[key]!.sort() }
        var differences: [String: [Int64]] = [:]
        for i in 0..<e.count {
            let times = serverTimes["\(e.session[i])/\(e.player[i])"]!
            let t = e.timestamp[i]
            let nearest = times.min { abs($0 - t) < abs($1 - t) }!
            differences[run.dimensions.sessions.values[Int(e.session[i])], default: []].append(
                t - nearest)
        }
        let knobs = run.options.realistic
        let slack = Int64((knobs.clientJitterMs + knobs.serverJitterMs) * 1000)
        var distinct = Set<Int64>()
        for (session, offset) in run.offsets {
            let sorted = differences[session]!.sorted()
            let median = sorted[sorted.count / 2]
            #expect(abs(median - offset) <= slack, "session \(session): \(median) vs \(offset)")
            #expect(abs(offset) <= Int64(knobs.clockOffsetMs * 1000))
            distinct.insert(offset)
        }
        #expect(distinct.count == run.options.sessions)
    }

    /// Exact timestamps almost never agree, so the notebook's join finds
    /// (almost) nothing, while pairing by tick with the true offsets finds
    /// every tick.
    @Test func exactJoinMatchesAlmostNothing() throws {
        let run = try RealisticRun()
        let join = ExactJoin().join(run.events.events, run.states.states)
        let ticks = run.options.sessions * run.options.players * run.options.ticks
        #expect(Double(join.eventRow.count) / Double(ticks) < 0.05)
        #expect(run.truePairs().count == ticks)
    }

    /// The error comes from the network: mean distance rises from the low
    /// to the medium to the high ping band, and with the reported loss.
    @Test func distanceRisesWithPingAndLoss() throws {
        let run = try RealisticRun { $0.players = 6 }
        let s = run.states.states
        var byBand: [Int: [Double]] = [:]
        var lossless: [Double] = []
        var lossy: [Double] = []
        var heavy: [Double] = []
        for pair in run.truePairs() {
            let d = run.distance(pair)
            let ping = s.ping[pair.1]
            byBand[ping < 50 ? 0 : (ping < 150 ? 1 : 2), default: []].append(d)
            let loss = s.packetLoss[pair.1]
            if loss == 0 {
                lossless.append(d)
            } else if loss < 0.2 {
                lossy.append(d)
            } else {
                heavy.append(d)
            }
        }
        #expect(byBand.count == 3)
        #expect(mean(byBand[0]!) < mean(byBand[1]!))
        #expect(mean(byBand[1]!) < mean(byBand[2]!))
        #expect(mean(lossless) < mean(lossy))
        #expect(mean(lossy) < mean(heavy))
    }

    /// Loss switched off (same seed, so the same movement and pings): the
    /// client error shrinks, and de-synced ticks (> 1 unit) nearly vanish.
    @Test func lossCausesTheLargeErrors() throws {
        let lossy = try RealisticRun()
        let clean = try RealisticRun {
            $0.realistic.lossEnter = 0
            $0.realistic.lossGood = 0
        }
        #expect(clean.totals["lost_ticks"] == 0)
        #expect(lossy.totals["lost_ticks"]! > 0)
        let a = lossy.truePairs().map(lossy.distance)
        let b = clean.truePairs().map(clean.distance)
        #expect(mean(b) < mean(a))
        let desyncedLossy = a.filter { $0 > 1 }.count
        let desyncedClean = b.filter { $0 > 1 }.count
        #expect(desyncedClean * 5 < desyncedLossy)
    }

    /// Losses come in bursts: the mean run of lost ticks (truth) is longer
    /// than independent draws at the same rate would give, and de-synced
    /// ticks cluster (a strong lag-1 autocorrelation).
    @Test func lossesAndDesyncsComeInBursts() throws {
        let run = try RealisticRun()
        let lost = Double(run.totals["lost_ticks"]!)
        let bursts = Double(run.totals["loss_bursts"]!)
        let ticks = Double(run.options.sessions * run.options.players * run.options.ticks)
        let rate = lost / ticks
        #expect(lost / bursts > 1.5 * (1 / (1 - rate)))

        var series: [String: [(Int64, Bool)]] = [:]
        let s = run.states.states
        for pair in run.truePairs() {
            series["\(s.session[pair.1])/\(s.player[pair.1])", default: []].append(
                (s.timestamp[pair.1], run.distance(pair) > 1))
        }
        var both = 0.0
        var first = 0.0
        var all = 0.0
        var total = 0.0
        for (_, list) in series {
            let flags = list.sorted { $0.0 < $1.0 }.map(\.1)
            for (a, b) in zip(flags, flags.dropFirst()) {
                total += 1
                if a { first += 1 }
                if a && b { both += 1 }
                if b { all += 1 }
            }
        }
        // P(de-synced | previous de-synced) far above P(de-synced).
        #expect(first > 10)
        #expect(both / first > 3 * (all / total))
    }

    /// Duplicates, late and swapped events: the reader finds exactly the
    /// duplicates the truth reports, and some events are out of order.
    @Test func deliveryMishapsMatchTheTruth() throws {
        let run = try RealisticRun()
        let ticks = Int64(run.options.sessions * run.options.players * run.options.ticks)
        let duplicated = Int64(run.totals["duplicated"]!)
        #expect(duplicated > 0 && run.totals["late"]! > 0 && run.totals["reordered"]! > 0)
        #expect(run.events.rowsRead == ticks + duplicated)
        #expect(run.events.duplicates == duplicated)
        #expect(run.events.rejected == 0 && run.states.rejected == 0)
        let e = run.events.events
        var backwards = 0
        for i in 1..<e.count
        where e.player[i] == e.player[i - 1] && e.timestamp[i] < e.timestamp[i - 1] {
            backwards += 1
        }
        #expect(backwards > 0)
    }

    @Test func csvOutputReadsBackAsTheSameRows() throws {
        let jsonl = try RealisticRun { $0.sessions = 1 }
        let csv = try RealisticRun {
            $0.sessions = 1
            $0.outputFormat = .csv
        }
        #expect(FileManager.default.fileExists(atPath: csv.folder + "/player_events.csv"))
        #expect(csv.events.rejected == 0 && csv.states.rejected == 0)
        #expect(csv.events.events.timestamp == jsonl.events.events.timestamp)
        #expect(csv.events.events.x == jsonl.events.events.x)
        #expect(csv.states.states.ping == jsonl.states.states.ping)
        #expect(csv.states.states.packetLoss == jsonl.states.states.packetLoss)
    }
}

/// The models on their own.
@Suite struct RealisticModelTests {
    /// Gilbert-Elliott losses run longer than independent losses of the
    /// same average rate (whose mean run is 1 / (1 - rate)).
    @Test(arguments: [(0.01, 0.2), (0.005, 0.1), (0.02, 0.5)])
    func gilbertElliottLossIsBursty(enter: Double, exit: Double) {
        var channel = GilbertElliottLoss(enter: enter, exit: exit, lossGood: 0.001, lossBad: 0.8)
        var random = RandomSource(seed: 3)
        var lost = 0
        var runs = 0
        var previous = false
        let n = 200_000
        for _ in 0..<n {
            let l = channel.next(&random)
            if l {
                lost += 1
                if !previous { runs += 1 }
            }
            previous = l
        }
        let rate = Double(lost) / Double(n)
        #expect(abs(rate - channel.averageLoss) < 0.2 * channel.averageLoss)
        #expect(Double(lost) / Double(runs) > 1.5 / (1 - rate))
    }

    /// Every queued event comes out once (twice when duplicated), never
    /// more than `lateWindow + 3` rows after its place.
    @Test(arguments: [0, 1, 2])
    func deliveryQueueIsBoundedAndLosesNothing(seed: UInt64) {
        var options = RealisticOptions()
        options.lateRate = 0.1
        options.reorderRate = 0.1
        options.duplicateRate = 0.05
        options.lateWindow = 8
        var queue = DeliveryQueue<Int>(options: options)
        var random = RandomSource(seed: seed)
        var out: [(row: Int, value: Int)] = []
        for k in 0..<5000 {
            queue.push(k, row: k, random: &random) { out.append((k, $0)) }
        }
        queue.drain { out.append((5000, $0)) }
        var seen = [Int](repeating: 0, count: 5000)
        for (row, value) in out {
            seen[value] += 1
            #expect(row - value <= options.lateWindow + 3)
        }
        #expect(seen.allSatisfy { $0 == 1 || $0 == 2 })
        #expect(Int64(seen.filter { $0 == 2 }.count) == queue.counts.duplicated)
        #expect(out.map(\.value) != Array(0..<5000))
    }
}

/// The realistic knobs on the command line.
@Suite struct RealisticCLITests {
    func run(_ arguments: [String]) -> (code: Int32, out: String, err: String) {
        let capture = Console.Capture()
        let code = CLI.main(arguments, console: .capturing(capture))
        return (code, capture.out, capture.err)
    }

    @Test func helpShowsEveryKnobWithItsDefault() {
        let help = run(["generate", "--help"]).out
        let defaults = RealisticOptions()
        for knob in RealisticOptions.knobs {
            let line = help.split(separator: "\n").first { $0.contains(knob.flag + " ") }
            #expect(line?.contains("(default: \(knob.text(defaults)))") == true, "\(knob.flag)")
        }
        #expect(help.contains("--loss-enter P") && help.contains("(default: 0.005)"))
        #expect(help.contains("--region-pings MS,MS,...") && help.contains("(default: 30,80,180)"))
        #expect(help.contains("--output-format FORMAT"))
    }

    @Test func knobsAreCheckedAndApplied() throws {
        let folder = temporaryFolder("realistic-cli")
        let bad = run(["generate", "--out", folder, "--profile", "realistic", "--loss-bad", "2"])
        #expect(bad.code == 64 && bad.err.contains("--loss-bad expects a number in 0...1"))
        let notebook = run(["generate", "--out", folder, "--jitter-ms", "3"])
        #expect(notebook.code == 64 && notebook.err.contains("--profile realistic"))
        let shares = run([
            "generate", "--out", folder, "--profile", "realistic", "--region-shares", "0.5,0.6,0.1",
        ])
        #expect(shares.code == 64 && shares.err.contains("sum to 1"))
        let ok = run([
            "generate", "--out", folder, "--profile", "realistic", "--sessions", "1", "--players",
            "2",
            "--ticks", "50", "--clock-offset-ms", "0", "--client-jitter-ms", "0",
            "--server-jitter-ms", "0", "--late-rate", "0", "--reorder-rate", "0",
            "--duplicate-rate", "0", "--quiet",
        ])
        #expect(ok.code == 0, "\(ok.err)")
        #expect(ok.out.contains("truth.json"))
        // No clock noise at all: every client event shares its tick's
        // timestamp with the server, so the exact join matches every row.
        let r = run(["run", "--input", folder, "--db", "sqlite:\(folder)/x.db", "--format", "json"])
        #expect(r.code == 0, "\(r.err)")
        let doc = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as! [String: Any]
        let ledger = doc["ledger"] as? [String: Any]
        #expect(ledger?["joined"] as? Int == 100, "\(doc.keys)")
    }
}
