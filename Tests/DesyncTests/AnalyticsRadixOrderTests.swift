@testable import Desync
import Testing

/// The radix orders the analytics use against a comparison sort on
/// (value, row): the same rows in the same order, ties included.
@Suite struct AnalyticsRadixOrderTests {
    /// Rows ordered by value, ties by row: the slow, obvious reference.
    static func reference<V: Comparable>(_ values: [V]) -> [Int32] {
        values.indices.sorted { a, b in
            values[a] != values[b] ? values[a] < values[b] : a < b
        }.map { Int32($0) }
    }

    @Test(arguments: [0, 1, 2, 7, 100, 5000])
    func doublesMatchAComparisonSort(count: Int) {
        var generator = SystemRandomNumberGenerator()
        // Few distinct values so ties are common; signs, zeros of both
        // signs, tiny and huge magnitudes.
        let pool: [Double] = [
            0, -0.0, 1, -1, 0.5, 1e-300, -1e-300, 1e300, -1e300, .infinity, -.infinity,
            2.25, 2.2500000000000004, 1000.125,
        ]
        let values = (0..<count).map { _ in
            Bool.random(using: &generator)
                ? pool.randomElement(using: &generator)!
                : Double.random(in: -1e6...1e6, using: &generator)
        }
        let fast = RadixOrder.rows(count: count) { RadixOrder.key(values[$0]) }
        #expect(fast == Self.reference(values))
    }

    @Test func integersMatchAComparisonSort() {
        let wide: [Int64] = (0..<3000).map { _ in
            [
                Int64.min, -1, 0, 1, Int64.max, Int64.random(in: -5...5),
                Int64.random(in: .min ... .max),
            ].randomElement()!
        }
        #expect(
            RadixOrder.rows(count: wide.count) { RadixOrder.key(wide[$0]) }
                == Self.reference(wide))
        let narrow: [Int32] = (0..<3000).map { _ in Int32.random(in: -40...300) }
        #expect(
            RadixOrder.rows(count: narrow.count) { RadixOrder.key(narrow[$0]) }
                == Self.reference(narrow))
    }

    /// Three stable passes, least significant key first, give the order
    /// of (session, player, time, row), as the episode walk needs.
    @Test func composedPassesOrderByEveryKey() {
        let n = 4000
        let session = (0..<n).map { _ in Int32.random(in: 0..<5) }
        let player = (0..<n).map { _ in Int32.random(in: 0..<7) }
        let time = (0..<n).map { _ in Int64.random(in: -50...50) }
        var fast = RadixOrder.rows(count: n) { RadixOrder.key(time[$0]) }
        RadixOrder.sort(&fast) { UInt64(UInt32(bitPattern: player[$0])) }
        RadixOrder.sort(&fast) { UInt64(UInt32(bitPattern: session[$0])) }
        let slow = (0..<n).sorted { a, b in
            (session[a], player[a], time[a], a) < (session[b], player[b], time[b], b)
        }.map { Int32($0) }
        #expect(fast == slow)
    }
}
