/// A histogram of de-sync distances: contiguous bins on a distance axis,
/// bar heights proportional to the number of ticks in each bin, the
/// threshold drawn as a dashed line, and an overflow bar for the long tail.
///
/// When one bin dwarfs the others (the notebook's data puts most ticks at
/// exactly zero), the y axis stops a little above the second-tallest bar
/// and the taller bars are drawn cut, with a break mark and their count
/// written on them, so the rest of the distribution stays readable.
public struct SVGHistogram: Sendable {
    public var title: String
    public var bins: [HistogramBin]
    /// Ticks beyond the last bin (the tail above the 99th percentile).
    public var overflow: Int64
    public var threshold: Double?

    public init(title: String, bins: [HistogramBin], overflow: Int64, threshold: Double?) {
        self.title = title
        self.bins = bins
        self.overflow = overflow
        self.threshold = threshold
    }

    /// Where the y axis ends: above the tallest bar, or a little above the
    /// second tallest when the tallest is more than five times higher.
    var axisTop: Int64 {
        let counts = (bins.map(\.count) + [overflow]).sorted(by: >)
        let largest = counts.first ?? 0
        let second = counts.count > 1 ? counts[1] : 0
        guard second > 0, largest > 5 * second else { return largest }
        return second + second / 4
    }

    /// True when a bar is drawn cut.
    public var isClipped: Bool {
        let top = axisTop
        return (bins.map(\.count) + [overflow]).contains { $0 > top }
    }

    public func svg() -> String {
        let width = 1200.0
        let height = 420.0
        let left = 90.0
        let right = width - (overflow > 0 ? 110 : 30)
        let top = 40.0
        let bottom = height - 60
        let low = bins.first?.low ?? 0
        let high = bins.last?.high ?? 1
        let x = LinearScale(domain: (low, high), range: (left, right))
        let yTicks = LinearScale.ticks(from: 0, to: Double(max(1, axisTop)), count: 5)
        let y = LinearScale(domain: (0, yTicks.last!), range: (bottom, top))

        var svg = SVGWriter(width: width, height: height, title: title)
        svg.leftAxis(y, ticks: yTicks, left: left, right: right, title: "ticks (rows)")
        let xTicks = LinearScale.ticks(from: low, to: high, count: 10).filter { $0 <= high + 1e-9 }
        svg.bottomAxis(
            x, ticks: xTicks, top: bottom, bottom: bottom,
            title: "de-sync distance (world units)")
        let cap = yTicks.last!
        func bar(
            _ x0: Double, _ x1: Double, _ count: Int64, fill: String,
            _ attributes: [(String, String)], tip: String
        ) {
            let clipped = Double(count) > cap
            let shown = min(Double(count), cap)
            svg.rect(
                x: x0, y: y(shown), width: x1 - x0, height: bottom - y(shown), fill: fill,
                attributes + [("data-count", "\(count)"), ("data-clipped", "\(clipped)")],
                tooltip: tip)
            guard clipped else { return }
            let mid = y(shown) + 14
            svg.line(x0 - 2, mid + 3, x1 + 2, mid - 3, stroke: "#fff", width: 4)
            svg.text(
                ChartFormat.grouped(count), x: x1 + 5, y: y(shown) + 12, size: 12, weight: "600",
                [("class", "clipped-count")])
        }
        for bin in bins {
            let range =
                "\(ChartFormat.decimal(2).text(bin.low))–\(ChartFormat.decimal(2).text(bin.high))"
            bar(
                x(bin.low) + 0.5, x(bin.high) - 0.5, bin.count, fill: ChartPalette.bar,
                [("class", "bin"), ("data-low", "\(bin.low)"), ("data-high", "\(bin.high)")],
                tip: "\(range): \(ChartFormat.grouped(bin.count)) ticks")
        }
        if overflow > 0 {
            let x0 = right + 20
            bar(
                x0, x0 + 50, overflow, fill: ChartPalette.series[1],
                [("class", "bin overflow"), ("data-low", "\(high)")],
                tip:
                    "above \(ChartFormat.decimal(2).text(high)):"
                    + " \(ChartFormat.grouped(overflow)) ticks"
            )
            svg.text(
                "> \(ChartFormat.decimal(2).text(high))", x: x0 + 25, y: bottom + 16,
                anchor: "middle", size: 12)
            if Double(overflow) <= cap {
                svg.text(
                    ChartFormat.grouped(overflow), x: x0 + 25, y: y(Double(overflow)) - 4,
                    anchor: "middle", size: 11)
            }
        }
        if let threshold, threshold >= low, threshold <= high {
            let tx = x(threshold)
            svg.line(
                tx, top - 10, tx, bottom, stroke: ChartPalette.warning, width: 2, dash: "6 4",
                [("class", "threshold"), ("data-value", "\(threshold)")])
            svg.text(
                "threshold \(ChartFormat.coordinate(threshold))", x: tx + 6, y: top - 14,
                size: 12, weight: "600", fill: ChartPalette.warning)
        }
        svg.legend(
            [
                LegendEntry(name: "ticks per bin", color: ChartPalette.bar),
                LegendEntry(
                    name: "de-sync threshold", color: ChartPalette.warning, mark: .line(dash: "6 4")
                ),
            ], x: right - 330, y: 18)
        return svg.markup(cssClass: "chart histogram")
    }
}

/// One bin of distances, `low` inclusive, `high` exclusive.
public struct HistogramBin: Sendable, Equatable {
    public var low: Double
    public var high: Double
    public var count: Int64

    public init(low: Double, high: Double, count: Int64) {
        self.low = low
        self.high = high
        self.count = count
    }
}
