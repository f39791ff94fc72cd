/// The second half of Spearman's rho over data larger than memory: an
/// external sort of the ticks by ping (or by loss) that carries each
/// tick's distance ranks, so the ranks of both sides meet without ever
/// holding a column.
///
/// Records arrive in any order and are kept in chunks of `chunkSize`;
/// each full chunk is sorted in memory (`RadixOrder`) and written as a
/// run. `finish` merges the runs in value order and walks the groups of
/// equal values: every tick of a group in one scope shares the group's
/// midrank there, so each scope only needs, per group, its count and the
/// sum of its ticks' distance ranks; nothing of a group is buffered.
///
/// Ranks are doubled (2 × midrank, always an integer) and the sums are
/// 128-bit integers, so they are exact for any input size.
struct SpearmanSort {
    /// One tick: the value's radix key and its doubled distance ranks in
    /// its three scopes (overall, its ping band, its loss band).
    struct Record: BitwiseCopyable {
        var key: UInt64
        var rankOverall: UInt64
        var rankPingBand: UInt64
        var rankLossBand: UInt64
        var pingBand: UInt8
        var lossBand: UInt8
    }

    /// What one scope's Spearman needs from the value side, in doubled
    /// ranks L and the distance side's D: Σ L² and Σ D·L.
    struct Sums {
        var squares: UInt128 = 0
        var products: UInt128 = 0
    }

    private let folder: SpillFolder
    private let purpose: String
    private let chunkSize: Int
    private var chunk: [Record] = []
    private var runs: [SpillRun] = []

    init(_ folder: SpillFolder, purpose: String, chunkSize: Int) {
        self.folder = folder
        self.purpose = purpose
        self.chunkSize = chunkSize
    }

    @inline(__always)
    mutating func append(_ record: Record) throws {
        if chunk.isEmpty { chunk.reserveCapacity(chunkSize) }
        chunk.append(record)
        if chunk.count == chunkSize { try spill() }
    }

    /// Sorts the chunk by value and writes it as a run.
    private mutating func spill() throws {
        guard !chunk.isEmpty else { return }
        let order = chunk.withUnsafeBufferPointer { records in
            RadixOrder.rows(count: records.count) { records[$0].key }
        }
        let path = try folder.create(purpose)
        do {
            let writer = try SpillWriter(path: path, bufferBytes: 1 << 20)
            try chunk.withUnsafeBufferPointer { records in
                for r in order {
                    writer.append(records[Int(r)])
                    try writer.recordDone()
                }
            }
            try writer.flush()
            runs.append(SpillRun(path: path, count: chunk.count))
        } catch {
            folder.remove(path)
            throw error
        }
        chunk.removeAll(keepingCapacity: true)
    }

    /// Merges the runs and returns each scope's sums; `readerBytes` is the
    /// buffer of each run's reader. The run files are deleted.
    mutating func finish(scopes: Int, readerBytes: (Int) -> Int) throws -> [Sums] {
        try spill()
        chunk = []
        defer { for run in runs { folder.remove(run.path) } }
        // FIXME: one merge pass over all runs, each with its own file
        // descriptor and reader: past about 200 runs (100M ticks) the
        // readers shrink toward 64 KiB and small reads; a multi-level merge
        // would bound the fan-in.
        let bytes = readerBytes(runs.count)
        var merge = try RunMerge<Record>(runs, bufferBytes: bytes) { $0.key }
        var scope = [ValueScope](repeating: ValueScope(), count: scopes)
        var groupKey: UInt64? = nil
        while let (_, key, tick) = try merge.next() {
            if key != groupKey {
                for s in 0..<scopes { scope[s].closeGroup() }
                groupKey = key
            }
            let (a, b, l) = PartitionedStats.scopes(tick.pingBand, tick.lossBand)
            scope[a].add(tick.rankOverall)
            scope[b].add(tick.rankPingBand)
            scope[l].add(tick.rankLossBand)
        }
        for s in 0..<scopes { scope[s].closeGroup() }
        return scope.map(\.sums)
    }
}

/// One scope's walk over the groups of equal values.
private struct ValueScope {
    /// Ticks of the scope in earlier groups, and in the current one.
    var before: UInt64 = 0
    var count: UInt64 = 0
    /// Σ of the current group's doubled distance ranks.
    var groupRanks: UInt128 = 0
    var sums = SpearmanSort.Sums()

    @inline(__always)
    mutating func add(_ rank: UInt64) {
        count += 1
        groupRanks += UInt128(rank)
    }

    /// The group's ticks hold positions before+1 ... before+count: their
    /// doubled midrank is 2 before + count + 1.
    mutating func closeGroup() {
        guard count > 0 else { return }
        let rank = UInt128(2 * before + count + 1)
        sums.squares += UInt128(count) * rank * rank
        sums.products += rank * groupRanks
        before += count
        count = 0
        groupRanks = 0
    }
}
