/// The min-heap of a k-way merge: which run holds the smallest next key,
/// equal keys by run number, so a merge of runs listed in input order
/// is stable.
struct MergeHeap {
    private var runs: [Int] = []
    private var keys: [UInt64] = []

    init() {}

    /// The run to take from next, and its key.
    var top: (run: Int, key: UInt64)? { runs.isEmpty ? nil : (runs[0], keys[0]) }

    mutating func push(run: Int, key: UInt64) {
        runs.append(run)
        keys.append(key)
        var i = runs.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard less(i, parent) else { break }
            swapAt(i, parent)
            i = parent
        }
    }

    /// The top run's next key replaces the one just taken.
    mutating func replaceTop(key: UInt64) {
        keys[0] = key
        siftDown()
    }

    /// The top run is exhausted.
    mutating func removeTop() {
        let last = runs.count - 1
        swapAt(0, last)
        runs.removeLast()
        keys.removeLast()
        siftDown()
    }

    @inline(__always)
    private func less(_ a: Int, _ b: Int) -> Bool {
        keys[a] != keys[b] ? keys[a] < keys[b] : runs[a] < runs[b]
    }

    private mutating func swapAt(_ a: Int, _ b: Int) {
        runs.swapAt(a, b)
        keys.swapAt(a, b)
    }

    private mutating func siftDown() {
        var i = 0
        let n = runs.count
        while true {
            let l = 2 * i + 1
            guard l < n else { return }
            let r = l + 1
            let child = r < n && less(r, l) ? r : l
            guard less(child, i) else { return }
            swapAt(i, child)
            i = child
        }
    }
}
