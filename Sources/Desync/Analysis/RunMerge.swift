/// A k-way merge of sorted run files of `Record`s: their records in
/// ascending key order, equal keys by run number (so stable for runs
/// listed in input order), then by position in the run.
struct RunMerge<Record: BitwiseCopyable> {
    private let readers: [SpillReader]
    private let key: (Record) -> UInt64
    /// Each run's next record, and how many it still holds after it.
    private var heads: [Record?]
    private var remaining: [Int]
    private var heap = MergeHeap()

    init(_ runs: [SpillRun], bufferBytes: Int, key: @escaping (Record) -> UInt64) throws {
        readers = try runs.map { try SpillReader(path: $0.path, bufferBytes: bufferBytes) }
        self.key = key
        heads = [Record?](repeating: nil, count: runs.count)
        remaining = runs.map(\.count)
        for r in runs.indices where remaining[r] > 0 {
            let first = try readers[r].read(Record.self)
            remaining[r] -= 1
            heads[r] = first
            heap.push(run: r, key: key(first))
        }
    }

    /// The next record, its run and its key; nil when all runs are read.
    mutating func next() throws -> (run: Int, key: UInt64, record: Record)? {
        guard let (r, k) = heap.top, let record = heads[r] else { return nil }
        if remaining[r] > 0 {
            let following = try readers[r].read(Record.self)
            remaining[r] -= 1
            heads[r] = following
            heap.replaceTop(key: key(following))
        } else {
            heads[r] = nil
            heap.removeTop()
        }
        return (r, k, record)
    }
}
