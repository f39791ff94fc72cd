/// Delays some client events so the file holds them late, out of order or
/// twice, the way a real collector receives them, with a bounded buffer.
///
/// Each event gets a release row: its own row number, plus 1 when it is
/// swapped with the next (`reorderRate`), plus 2...`lateWindow` when it is
/// late (`lateRate`); a duplicate (`duplicateRate`) is released again 1 to
/// 3 rows later. After row k is pushed, everything due at k or before
/// comes out in release order; a delayed event leaves after the on-time
/// event of the row it waited for, ties otherwise in push order. At most about
/// `lateWindow` events wait at once.
struct DeliveryQueue<Element> {
    private struct Entry {
        /// Twice the release row, plus one when delayed: a delayed event
        /// leaves after the on-time event of the row it waits for.
        var release: Int
        var order: Int
        var element: Element

        init(row: Int, delay: Int, order: Int, element: Element) {
            release = 2 * (row + delay) + (delay > 0 ? 1 : 0)
            self.order = order
            self.element = element
        }
    }

    /// What happened to the events released so far.
    struct Counts {
        var late: Int64 = 0
        var reordered: Int64 = 0
        var duplicated: Int64 = 0
    }

    let options: RealisticOptions
    private var heap: [Entry] = []
    private var pushed = 0
    private(set) var counts = Counts()

    init(options: RealisticOptions) {
        self.options = options
    }

    /// Queues the event of row `row`; `emit` gets the events now due.
    mutating func push(
        _ element: Element, row: Int, random: inout RandomSource, emit: (Element) throws -> Void
    ) rethrows {
        var delay = 0
        let u = random.unit()
        if u < options.lateRate {
            delay = random.integer(2, max(2, options.lateWindow))
            counts.late += 1
        } else if u < options.lateRate + options.reorderRate {
            delay = 1
            counts.reordered += 1
        }
        insert(Entry(row: row, delay: delay, order: pushed, element: element))
        if random.unit() < options.duplicateRate {
            let again = delay + random.integer(1, 3)
            insert(Entry(row: row, delay: again, order: pushed, element: element))
            counts.duplicated += 1
        }
        pushed += 1
        while let top = heap.first, top.release <= 2 * row + 1 {
            try emit(removeFirst().element)
        }
    }

    /// Releases everything still waiting (at the end of a player's ticks).
    mutating func drain(_ emit: (Element) throws -> Void) rethrows {
        while !heap.isEmpty {
            try emit(removeFirst().element)
        }
    }

    // MARK: Binary min-heap on (release, order)

    private static func before(_ a: Entry, _ b: Entry) -> Bool {
        a.release != b.release ? a.release < b.release : a.order < b.order
    }

    private mutating func insert(_ entry: Entry) {
        heap.append(entry)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.before(heap[i], heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    private mutating func removeFirst() -> Entry {
        let top = heap[0]
        let last = heap.removeLast()
        guard !heap.isEmpty else { return top }
        heap[0] = last
        var i = 0
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var best = i
            if l < heap.count, Self.before(heap[l], heap[best]) { best = l }
            if r < heap.count, Self.before(heap[r], heap[best]) { best = r }
            guard best != i else { break }
            heap.swapAt(i, best)
            i = best
        }
        return top
    }
}
