import Desync
import Foundation
import Testing

/// Each statistic against a hand-computed case and against a slow,
/// obviously correct reference over many small random inputs.
@Suite struct AnalyticsStatisticsTests {
    // MARK: References, written the slow and plain way.

    /// numpy's default percentile, read off a sorted copy.
    static func referencePercentile(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let x = values.sorted()
        let h = Double(x.count - 1) * p
        let i = Int(floor(h))
        return i + 1 < x.count ? x[i] + (h - Double(i)) * (x[i + 1] - x[i]) : x[i]
    }

    /// The Wilson interval found by bisection: the p for which
    /// (p̂ − p)² = z² p (1 − p) / n, one root below p̂ and one above.
    static func referenceWilson(_ k: Int, _ n: Int) -> (Double, Double) {
        let z = 1.959963984540054
        let observed = Double(k) / Double(n)
        func inside(_ p: Double) -> Bool {
            (observed - p) * (observed - p) <= z * z * p * (1 - p) / Double(n)
        }
        func boundary(from outside: Double, to inner: Double) -> Double {
            var (a, b) = (outside, inner)
            for _ in 0..<200 {
                let m = (a + b) / 2
                if inside(m) { b = m } else { a = m }
            }
            return b
        }
        let low = k == 0 ? 0 : boundary(from: 0, to: observed)
        let high = k == n ? 1 : boundary(from: 1, to: observed)
        return (low, high)
    }

    /// Textbook Pearson from raw sums.
    static func referencePearson(_ x: [Double], _ y: [Double]) -> Double? {
        let n = Double(x.count)
        guard x.count >= 2 else { return nil }
        let sx = x.reduce(0, +)
        let sy = y.reduce(0, +)
        let sxx = x.map { $0 * $0 }.reduce(0, +)
        let syy = y.map { $0 * $0 }.reduce(0, +)
        let sxy = zip(x, y).map { $0 * $1 }.reduce(0, +)
        let vx = n * sxx - sx * sx
        let vy = n * syy - sy * sy
        guard vx > 1e-9, vy > 1e-9 else { return nil }
        return (n * sxy - sx * sy) / (vx * vy).squareRoot()
    }

    /// Ranks by counting: 1 + (values below) + (ties − 1) / 2.
    static func referenceRanks(_ x: [Double]) -> [Double] {
        x.map { v in
            let below = x.filter { $0 < v }.count
            let equal = x.filter { $0 == v }.count
            return 1 + Double(below) + Double(equal - 1) / 2
        }
    }

    static func referenceSpearman(_ x: [Double], _ y: [Double]) -> Double? {
        referencePearson(referenceRanks(x), referenceRanks(y))
    }

    // MARK: Hand cases

    @Test func percentileHandCase() {
        let values = [4.0, 1, 3, 2]
        #expect(Statistics.percentile(sorted: values.sorted(), 0.5) == 2.5)
        // h = 3 × 0.95 = 2.85: 3 + 0.85 × (4 − 3).
        #expect(near(Statistics.percentile(sorted: values.sorted(), 0.95), 3.85))
        #expect(Statistics.percentile(sorted: [7], 0.99) == 7)
        #expect(Statistics.percentile(sorted: [], 0.5) == nil)
        #expect(Statistics.percentile(sorted: [1, 2, 3], 0) == 1)
        #expect(Statistics.percentile(sorted: [1, 2, 3], 1) == 3)
    }

    /// 3 of 10: the 95% Wilson interval published in tables is
    /// 0.1078 to 0.6032.
    @Test func wilsonHandCase() throws {
        let w = try #require(Statistics.wilson(successes: 3, trials: 10))
        #expect(abs(w.low - 0.1078) < 1e-4 && abs(w.high - 0.6032) < 1e-4)
        let none = try #require(Statistics.wilson(successes: 0, trials: 10))
        #expect(none.low == 0 && abs(none.high - 0.2775) < 1e-4)
        let all = try #require(Statistics.wilson(successes: 10, trials: 10))
        #expect(all.high == 1 && abs(all.low - 0.7225) < 1e-4)
        #expect(Statistics.wilson(successes: 0, trials: 0) == nil)
    }

    /// x = 1, 2, 2, 3 has ranks 1, 2.5, 2.5, 4; against y = 1, 3, 2, 4 the
    /// Pearson of the ranks is 4.5 / sqrt(4.5 × 5) = sqrt(0.9).
    @Test func spearmanWithTiesHandCase() throws {
        #expect(Statistics.ranks([1, 2, 2, 3]) == [1, 2.5, 2.5, 4])
        let rho = try #require(Statistics.spearman([1, 2, 2, 3], [1, 3, 2, 4]))
        #expect(near(rho, 0.9_486_832_980_505_138))
        // A monotone but non-linear relation: Spearman 1, Pearson below 1.
        let x = [1.0, 2, 3, 4, 5]
        let y = x.map { $0 * $0 * $0 }
        #expect(near(Statistics.spearman(x, y), 1))
        #expect(try #require(Statistics.pearson(x, y)) < 0.99)
        #expect(Statistics.pearson([1, 1, 1], [1, 2, 3]) == nil)
        #expect(Statistics.pearson([1], [2]) == nil)
    }

    // MARK: Against the references

    @Test(arguments: 0..<200)
    func statisticsMatchReferences(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed))
        let n = Int.random(in: 0...25, using: &random)
        // Few distinct values, so ties are common.
        let x = (0..<n).map { _ in Double(Int.random(in: 0...6, using: &random)) / 2 }
        let y = (0..<n).map { _ in Double(Int.random(in: -3...3, using: &random)) }
        for p in [0.0, 0.5, 0.95, 0.99, 1.0] {
            #expect(
                near(Statistics.percentile(sorted: x.sorted(), p), Self.referencePercentile(x, p)))
        }
        #expect(near(Statistics.pearson(x, y), Self.referencePearson(x, y)))
        #expect(near(Statistics.spearman(x, y), Self.referenceSpearman(x, y)))
        #expect(Statistics.ranks(x) == Self.referenceRanks(x))
        if n > 0 {
            let k = Int.random(in: 0...n, using: &random)
            let w = Statistics.wilson(successes: Int64(k), trials: Int64(n))!
            let r = Self.referenceWilson(k, n)
            #expect(abs(w.low - r.0) < 1e-9 && abs(w.high - r.1) < 1e-9, "k \(k) n \(n)")
        }
    }
}
