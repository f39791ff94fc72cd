/// `desync_stats` and the p95 distance of each event type over ticks that
/// arrive in partitions and need not fit in memory together.
///
/// ```swift
/// var stats = try PartitionedStats(directory: spillFolder, eventTypes: n)
/// try stats.add(partition)        // once per partition, in any number
/// let out = try stats.finish()    // the rows, as `Analytics` gives them
/// ```
///
/// The results equal the in-memory `Analytics` ones: counts and the
/// percentiles exactly (the same interpolation of the same values),
/// Pearson and Spearman to rounding (about 1e-15; nil in exactly the same
/// cases), tally sums to rounding of the summation order. When the
/// partitions are consecutive slices of the in-memory ticks, tallies and
/// percentiles are identical to the bit.
///
/// How:
/// - `add` sorts the partition by distance and writes it as one run file
///   (39 bytes a tick); it keeps per scope only the tick count, the sums
///   behind the means and whether each column is constant.
/// - `finish` merges the runs (k-way, stable) into the global distance
///   order. On the way it fills the tallies, reads the percentiles off
///   the known positions, takes Pearson's deviations from the known
///   means, and gives each group of equal distances its midrank in each
///   scope (overall, ping band, loss band). A second reader per run
///   re-reads a group once its size is known, and hands each tick with
///   its three distance ranks to two external sorts, by ping and by loss
///   (`SpearmanSort`), whose merges supply the other ranks.
///
/// Memory: `finish` holds two chunks of `chunkSize` records (20 MiB each
/// at the default 2^19), the radix sort of one chunk (about 13 MiB), and
/// per run one or two readers of 256 KiB (smaller past 96 runs, at least
/// 64 KiB): well under 200 MB for 50M ticks in 50 partitions. `add` needs
/// about 24 bytes per tick of the partition for its sort. Nothing grows
/// with the number of ticks except the disk: about 110 bytes per tick in
/// `directory` at the peak.
///
/// Files are created in `directory` (the caller owns it), and deleted by
/// `finish`, when `add` fails, or when the value is dropped.
struct PartitionedStats {
    /// One tick in a distance-sorted run file.
    struct Tick: BitwiseCopyable {
        var distance: Double
        var ping: Double
        var loss: Double
        var speed: Double
        var eventType: Int32
        var pingBand: UInt8
        var lossBand: UInt8
        var desynced: Bool
    }

    /// What `add` keeps of one scope: the ticks and the first pass of
    /// both Pearson correlations (sums and constancy).
    struct Summary {
        var count = 0
        var ping = PearsonSums()
        var loss = PearsonSums()

        mutating func add(_ t: Tick) {
            if count == 0 {
                ping.start(t.distance, t.ping)
                loss.start(t.distance, t.loss)
            }
            count += 1
            ping.sum(t.distance, t.ping)
            loss.sum(t.distance, t.loss)
        }
    }

    /// Scopes in `desync_stats` order: overall, each ping band, each loss
    /// band.
    static let scopeCount = 1 + Analytics.pingOrder.count + LossBand.allCases.count

    /// The scopes a tick belongs to: overall, its ping band, its loss band.
    @inline(__always)
    static func scopes(_ pingBand: UInt8, _ lossBand: UInt8) -> (Int, Int, Int) {
        (0, 1 + Int(pingBand), 1 + Analytics.pingOrder.count + Int(lossBand))
    }

    let folder: SpillFolder
    /// Records per in-memory chunk of the sorts by ping and by loss.
    let chunkSize: Int
    private(set) var runs: [SpillRun] = []
    private(set) var summaries = [Summary](repeating: Summary(), count: scopeCount)
    private(set) var eventTypeCounts: [Int]

    /// `directory` must exist; `eventTypes` is the number of interned
    /// event types (larger ids seen later are accepted too).
    init(directory: String, eventTypes: Int, chunkSize: Int = 1 << 19) throws {
        precondition(chunkSize > 0, "a chunk holds at least one record")
        folder = try SpillFolder(directory: directory)
        eventTypeCounts = [Int](repeating: 0, count: max(eventTypes, 1))
        self.chunkSize = chunkSize
    }

    /// Adds one partition's ticks: sorted by distance (`byDistance`, when
    /// the caller has the order already) and written as one run file. On
    /// error nothing of the partition is kept.
    mutating func add(_ c: TickColumns, byDistance: [Int32]? = nil) throws {
        guard c.count > 0 else { return }
        let order = byDistance ?? Analytics.distanceOrder(c)
        var summaries = self.summaries
        var eventTypeCounts = self.eventTypeCounts
        let path = try folder.create("stats-run")
        do {
            let writer = try SpillWriter(path: path, bufferBytes: 1 << 20)
            for r in order {
                let i = Int(r)
                let tick = Tick(
                    distance: c.distance[i], ping: c.ping[i], loss: c.loss[i], speed: c.speed[i],
                    eventType: c.eventType[i], pingBand: c.pingBand[i], lossBand: c.lossBand[i],
                    desynced: c.desynced[i])
                precondition(tick.eventType >= 0, "event type ids are interned from 0")
                writer.append(tick)
                try writer.recordDone()
                let (a, b, l) = Self.scopes(tick.pingBand, tick.lossBand)
                summaries[a].add(tick)
                summaries[b].add(tick)
                summaries[l].add(tick)
                let type = Int(tick.eventType)
                if type >= eventTypeCounts.count {
                    eventTypeCounts += [Int](repeating: 0, count: type + 1 - eventTypeCounts.count)
                }
                eventTypeCounts[type] += 1
            }
            try writer.flush()
            runs.append(SpillRun(path: path, count: c.count))
        } catch {
            folder.remove(path)
            throw error
        }
        self.summaries = summaries
        self.eventTypeCounts = eventTypeCounts
    }

    /// The `desync_stats` rows in `Analytics`' order, and each event
    /// type's p95 distance (nil for a type without ticks), indexed by
    /// event type id. Deletes every file, also on error; the value is
    /// spent afterwards.
    mutating func finish() throws -> (stats: [StatsRow], eventTypeP95: [Double?]) {
        defer {
            folder.removeAll()
            runs = []
        }
        var ping = SpearmanSort(folder, purpose: "stats-ping", chunkSize: chunkSize)
        var loss = SpearmanSort(folder, purpose: "stats-loss", chunkSize: chunkSize)
        let merged = try mergeRuns(&ping, &loss)
        for run in runs { folder.remove(run.path) }
        let pingSums = try ping.finish(scopes: Self.scopeCount, readerBytes: Self.readerBytes)
        let lossSums = try loss.finish(scopes: Self.scopeCount, readerBytes: Self.readerBytes)

        let keys =
            [("overall", "all")] + Analytics.pingOrder.map { ("ping_category", $0.rawValue) }
            + LossBand.allCases.map { ("loss_band", $0.label) }
        let stats = keys.enumerated().map { s, key in
            let (summary, scope) = (summaries[s], merged.scopes[s])
            let n = summary.count
            return StatsRow(
                scope: key.0, key: key.1, tally: scope.tally, p50: scope.p50.value,
                p95: scope.p95.value, p99: scope.p99.value,
                pearsonPing: summary.ping.needsDeviations(n) ? scope.ping.r : nil,
                spearmanPing: Self.spearman(
                    n, summary.ping, distanceSquares: scope.squares, pingSums[s]),
                pearsonLoss: summary.loss.needsDeviations(n) ? scope.loss.r : nil,
                spearmanLoss: Self.spearman(
                    n, summary.loss, distanceSquares: scope.squares, lossSums[s]))
        }
        return (stats, merged.eventTypes.map(\.value))
    }

    /// Spearman's rho from exact sums of doubled ranks D (distance) and L
    /// (the other side) over n ticks. Both average n + 1, so
    /// Σ (D − (n+1)) (L − (n+1)) = Σ D L − n (n+1)², and likewise for the
    /// squares; the factor 4 of the doubling cancels in the ratio. Nil in
    /// `Statistics.pearson`'s cases: fewer than two ticks or a side
    /// constant.
    static func spearman(
        _ n: Int, _ first: PearsonSums, distanceSquares: UInt128, _ sums: SpearmanSort.Sums
    ) -> Double? {
        guard first.needsDeviations(n) else { return nil }
        let base = Int128(n) * Int128(n + 1) * Int128(n + 1)
        let sxx = Int128(distanceSquares) - base
        let syy = Int128(sums.squares) - base
        let sxy = Int128(sums.products) - base
        guard sxx > 0, syy > 0 else { return nil }
        return min(1, max(-1, Double(sxy) / (Double(sxx) * Double(syy)).squareRoot()))
    }

    /// The buffer of each run reader when `readers` are open at once:
    /// 256 KiB, less when there are many, so they share about 48 MiB.
    static func readerBytes(_ readers: Int) -> Int {
        max(64 << 10, min(256 << 10, (48 << 20) / max(readers, 1)))
    }
}
