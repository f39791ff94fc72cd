@testable import Desync
import Foundation
import Testing

/// `PartitionedStats` (run files, merges, external sorts) against the
/// in-memory analytics on the same ticks, over seeds, value shapes and
/// splits into partitions.
@Suite struct PartitionedStatsTests {
    /// How the random ticks look.
    enum Shape: String, CaseIterable, Sendable {
        /// 40% of distances exactly 0, the rest on a 0.01 grid; loss from
        /// {0, 0.02, 0.05}: huge ties on every side.
        case heavyTies
        /// Distances and loss continuous (almost no ties), ping in ms.
        case continuous
    }

    /// Random ticks of one shape, seeded.
    static func ticks(_ n: Int, _ shape: Shape, seed: UInt64) -> TickColumns {
        var random = SeededRandom(seed: seed)
        var distance: [Double] = []
        var ping: [Double] = []
        var loss: [Double] = []
        for _ in 0..<n {
            switch shape {
            case .heavyTies:
                distance.append(
                    Double.random(in: 0..<1, using: &random) < 0.4
                        ? 0 : Double(Int.random(in: 1...300, using: &random)) / 100)
                loss.append([0, 0.02, 0.05].randomElement(using: &random)!)
            case .continuous:
                distance.append(Double.random(in: 0..<8, using: &random))
                loss.append(
                    Bool.random(using: &random) ? 0 : Double.random(in: 0..<0.3, using: &random))
            }
            ping.append(Double(Int.random(in: 15...300, using: &random)))
        }
        return columns(distance: distance, ping: ping, loss: loss, seed: seed)
    }

    /// Ticks with the given values; the rest (speed, event type) drawn
    /// from `seed`, bands derived as the pipeline does by default.
    static func columns(
        distance: [Double], ping: [Double], loss: [Double], seed: UInt64 = 1
    ) -> TickColumns {
        var random = SeededRandom(seed: seed ^ 0xABCD)
        let n = distance.count
        return TickColumns(
            distance: distance, desynced: distance.map { $0 > 1 },
            speed: (0..<n).map { _ in Double.random(in: 0..<7, using: &random) }, ping: ping,
            loss: loss, pingBand: ping.map { $0 < 50 ? 0 : $0 < 150 ? 1 : 2 },
            lossBand: loss.map { UInt8(LossBand.of($0).rawValue) },
            eventType: (0..<n).map { _ in Int32.random(in: 0..<3, using: &random) })
    }

    /// The rows `lo..<hi` of `c`.
    static func slice(_ c: TickColumns, _ range: Range<Int>) -> TickColumns {
        TickColumns(
            distance: Array(c.distance[range]), desynced: Array(c.desynced[range]),
            speed: Array(c.speed[range]), ping: Array(c.ping[range]),
            loss: Array(c.loss[range]), pingBand: Array(c.pingBand[range]),
            lossBand: Array(c.lossBand[range]), eventType: Array(c.eventType[range]))
    }

    /// `parts` partitions of uneven sizes covering `0..<n` in order; with
    /// three or more parts one of them is empty.
    static func split(_ n: Int, _ parts: Int, seed: UInt64) -> [Range<Int>] {
        var random = SeededRandom(seed: seed &* 31)
        var cuts = (0..<(parts - 1)).map { _ in Int.random(in: 0...n, using: &random) }
        if parts >= 3 { cuts[1] = cuts[0] }
        cuts.sort()
        let bounds = [0] + cuts + [n]
        return (0..<parts).map { bounds[$0]..<bounds[$0 + 1] }
    }

    /// A fresh folder for the spill files.
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "desync-stats-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The partitioned result for `c` split as given.
    static func partitioned(
        _ c: TickColumns, _ ranges: [Range<Int>], eventTypes: Int = 3, chunkSize: Int = 1 << 19
    ) throws -> (stats: [StatsRow], eventTypeP95: [Double?]) {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var stats = try PartitionedStats(
            directory: directory, eventTypes: eventTypes, chunkSize: chunkSize)
        for range in ranges { try stats.add(slice(c, range)) }
        let out = try stats.finish()
        // Every spill file is gone.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == [])
        return out
    }

    /// Checks the partitioned result against the in-memory one.
    static func expectSame(
        _ c: TickColumns, _ ranges: [Range<Int>], chunkSize: Int = 1 << 19,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let memory = Analytics.distanceRows(c, eventTypes: 3)
        let out = try partitioned(c, ranges, chunkSize: chunkSize)
        #expect(out.stats.count == memory.stats.count, sourceLocation: sourceLocation)
        for (a, b) in zip(out.stats, memory.stats) {
            let what = Comment(rawValue: "\(b.scope) \(b.key)")
            #expect(a.scope == b.scope && a.key == b.key, what, sourceLocation: sourceLocation)
            #expect(a.tally.ticks == b.tally.ticks, what, sourceLocation: sourceLocation)
            #expect(a.tally.desynced == b.tally.desynced, what, sourceLocation: sourceLocation)
            #expect(
                a.tally.distanceMax == b.tally.distanceMax, what, sourceLocation: sourceLocation)
            for (x, y) in [
                (a.tally.distanceSum, b.tally.distanceSum), (a.tally.pingSum, b.tally.pingSum),
                (a.tally.lossSum, b.tally.lossSum), (a.tally.speedSum, b.tally.speedSum),
            ] {
                #expect(near(x, y), what, sourceLocation: sourceLocation)
            }
            #expect(a.p50 == b.p50, what, sourceLocation: sourceLocation)
            #expect(a.p95 == b.p95, what, sourceLocation: sourceLocation)
            #expect(a.p99 == b.p99, what, sourceLocation: sourceLocation)
            for (x, y) in [
                (a.pearsonPing, b.pearsonPing), (a.spearmanPing, b.spearmanPing),
                (a.pearsonLoss, b.pearsonLoss), (a.spearmanLoss, b.spearmanLoss),
            ] {
                #expect(
                    closeOrBothNil(x, y), "\(what): \(x as Any) vs \(y as Any)",
                    sourceLocation: sourceLocation)
            }
        }
        var expected = [Double?](repeating: nil, count: 3)
        for row in memory.eventTypes { expected[Int(row.eventType)] = row.p95Distance }
        #expect(out.eventTypeP95 == expected, sourceLocation: sourceLocation)
    }

    /// Within 1e-9 absolute, or both nil.
    static func closeOrBothNil(_ a: Double?, _ b: Double?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let x?, let y?): return abs(x - y) <= 1e-9
        default: return false
        }
    }

    // MARK: Random data

    @Test(arguments: Shape.allCases, [1, 2, 7])
    func randomTicksMatchInMemory(shape: Shape, parts: Int) throws {
        for seed: UInt64 in [1, 2, 3] {
            let n = 1500 + Int(seed) * 377
            let c = Self.ticks(n, shape, seed: seed)
            // A small chunk makes many runs in the sorts by ping and loss.
            try Self.expectSame(c, Self.split(n, parts, seed: seed), chunkSize: 97)
        }
    }

    @Test func defaultChunkSizeMatchesInMemory() throws {
        let c = Self.ticks(4000, .heavyTies, seed: 9)
        try Self.expectSame(c, Self.split(4000, 7, seed: 9))
    }

    /// The shape of the data makes the statistics non-trivial, so the
    /// comparisons above compare something.
    @Test func randomDataHasTiesAndCorrelations() {
        let ties = Self.ticks(3000, .heavyTies, seed: 1)
        #expect(ties.distance.filter { $0 == 0 }.count > 1000)
        let tied = Analytics.distanceRows(ties, eventTypes: 3).stats
        // Loss only 0, 0.02, 0.05: the two top loss bands are empty.
        #expect(tied.filter { $0.tally.ticks > 0 }.count == 7)
        #expect(tied[0].spearmanLoss != nil && tied[0].spearmanPing != nil)
        let rows = Analytics.distanceRows(Self.ticks(3000, .continuous, seed: 1), eventTypes: 3)
            .stats
        #expect(rows.allSatisfy { $0.tally.ticks > 0 && $0.spearmanPing != nil })
        // Loss band "0" holds loss 0 only: no loss correlation there.
        #expect(
            rows.map { $0.spearmanLoss == nil } == [false, false, false, false, true]
                + [Bool](repeating: false, count: 4))
    }

    // MARK: Edge cases

    @Test func constantScopeGivesNilCorrelations() throws {
        // Loss band 0 (loss exactly 0) holds only distance 0: constant on
        // both sides. The high ping band has one ping value only.
        let distance: [Double] = [0, 0, 0, 2, 3, 1.5, 2, 4, 0.5, 2]
        let ping: [Double] = [20, 30, 40, 200, 200, 60, 70, 200, 20, 90]
        let loss: [Double] = [0, 0, 0, 0.01, 0.03, 0.01, 0.07, 0.2, 0.03, 0.01]
        let c = Self.columns(distance: distance, ping: ping, loss: loss)
        try Self.expectSame(c, [0..<3, 3..<3, 3..<10], chunkSize: 2)
        let out = try Self.partitioned(c, [0..<10])
        let lossNone = out.stats.first { $0.scope == "loss_band" && $0.key == "0" }!
        #expect(lossNone.tally.ticks == 3)
        #expect(lossNone.pearsonPing == nil && lossNone.spearmanPing == nil)
        #expect(lossNone.pearsonLoss == nil && lossNone.spearmanLoss == nil)
        let high = out.stats.first { $0.scope == "ping_category" && $0.key == "high" }!
        #expect(high.tally.ticks == 3 && high.spearmanPing == nil && high.spearmanLoss != nil)
    }

    @Test func emptyPingBandHasAnEmptyRow() throws {
        let c = Self.columns(
            distance: [1, 2, 3, 4, 5], ping: [20, 30, 60, 70, 80], loss: [0, 0.01, 0, 0.03, 0.2])
        try Self.expectSame(c, [0..<2, 2..<5])
        let high = try Self.partitioned(c, [0..<2, 2..<5]).stats[3]
        #expect(high.key == "high" && high.tally.ticks == 0)
        #expect(high.p50 == nil && high.spearmanPing == nil && high.pearsonLoss == nil)
    }

    @Test(arguments: [0, 1, 2])
    func tinyInputs(n: Int) throws {
        let c = Self.columns(
            distance: Array([0.5, 3][..<n]), ping: Array([40.0, 200][..<n]),
            loss: Array([0.0, 0.04][..<n]))
        try Self.expectSame(c, [0..<n])
        try Self.expectSame(c, Self.split(n, 2, seed: 5))
    }

    /// Four ticks worked by hand: distances 1, 2, 2, 5 (ranks 1, 2.5,
    /// 2.5, 4) against losses 0, 0.02, 0.02, 0.02 (ranks 1, 3, 3, 3).
    /// Centred at 2.5: (−1.5, 0, 0, 1.5) and (−1.5, 0.5, 0.5, 0.5), so
    /// Σxy = 3, Σx² = 4.5, Σy² = 3 and rho = 3 / √13.5.
    @Test func handWorkedSpearman() throws {
        let c = Self.columns(
            distance: [2, 5, 1, 2], ping: [20, 20, 20, 20], loss: [0.02, 0.02, 0, 0.02])
        let out = try Self.partitioned(c, [0..<1, 1..<3, 3..<4], chunkSize: 1)
        let overall = out.stats[0]
        let rho = try #require(overall.spearmanLoss)
        #expect(abs(rho - 3 / 13.5.squareRoot()) < 1e-15)
        #expect(overall.spearmanPing == nil)
        // p50 at h = 1.5 between 2 and 2; p95 at h = 3 × 0.95 (2.85 but
        // for rounding) between 2 and 5.
        #expect(overall.p50 == 2)
        let fraction: Double = 3 * 0.95 - 2
        #expect(overall.p95 == 2 + fraction * 3)
    }

    // MARK: Files and errors

    @Test func missingFolderIsAClearError() {
        #expect {
            _ = try PartitionedStats(directory: "/nonexistent/desync-spill", eventTypes: 1)
        } throws: { error in
            let e = error as? DesyncError
            return e?.code == .output && e!.message.contains("/nonexistent/desync-spill")
        }
    }

    @Test func cutShortRunFileIsAnErrorAndFilesAreRemoved() throws {
        let directory = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var stats = try PartitionedStats(directory: directory, eventTypes: 3)
        try stats.add(Self.ticks(500, .continuous, seed: 4))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(files.count == 1)
        #expect(truncate(directory + "/" + files[0], 100) == 0)
        #expect {
            _ = try stats.finish()
        } throws: { error in
            let e = error as? DesyncError
            return e?.code == .output && e!.message.contains(directory)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == [])
    }
}
