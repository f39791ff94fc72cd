import Desync
import DesyncTestSupport
import Foundation
import Testing

/// Each chart's SVG, parsed and checked against the numbers it was given:
/// bar lengths proportional to values, counts in labels, axis titles.
@Suite struct ReportChartTests {
    @Test func barLengthsAreProportionalAndLabelled() throws {
        let values: [Double] = [3, 120, 47.5, 0]
        let chart = SVGBarChart(
            title: "Rows", axisTitle: "rows read (count)", format: .count, series: ["a"],
            rows: values.enumerated().map {
                .init("row \($0.offset)", [.init($0.element, note: "n=\(Int($0.element) * 1000)")])
            })
        let tree = try MarkupTree(chart.svg())
        let bars = tree.all("rect", class: "bar")
        #expect(bars.count == 4)
        let left = bars[0].number("x")!
        let perUnit = bars[1].number("width")! / 120
        for (bar, value) in zip(bars, values) {
            #expect(bar.number("x") == left)
            #expect(abs(bar.number("width")! - perUnit * value) < 0.01)
            #expect(bar.number("data-value") == value)
        }
        // The axis agrees with the bars: the tick labelled 100 sits where a
        // bar of 100 would end.
        let tick = try #require(tree.all("text").first { $0.text == "100" })
        #expect(abs(tick.number("x")! - (left + perUnit * 100)) < 0.01)
        #expect(tree.texts.contains("rows read (count)"))
        #expect(tree.texts.contains("120  n=120000"))
        #expect(tree.texts.contains("48  n=47000"))
        #expect(tree.texts.contains("row 2"))
    }

    @Test func intervalsAreDrawnWhereTheyBelong() throws {
        let chart = SVGBarChart(
            title: "Rate", axisTitle: "ticks de-synced (%)", format: .percent(decimals: 1),
            series: ["rate"],
            rows: [.init("high", [.init(0.8, interval: 0.75...0.85, note: "n=200")])])
        let tree = try MarkupTree(chart.svg())
        let bar = try #require(tree.all("rect", class: "bar").first)
        let whisker = try #require(tree.all("line", class: "interval").first)
        let perUnit = bar.number("width")! / 0.8
        let left = bar.number("x")!
        #expect(abs(whisker.number("x1")! - (left + 0.75 * perUnit)) < 0.01)
        #expect(abs(whisker.number("x2")! - (left + 0.85 * perUnit)) < 0.01)
        #expect(tree.texts.contains("80.0% [75.0%, 85.0%]  n=200"))
        #expect(tree.texts.contains("100%"))
    }

    @Test func legendNamesEverySeries() throws {
        let chart = SVGBarChart(
            title: "Ledger", axisTitle: "rows", format: .count, series: ["client", "server"],
            rows: [.init("read", [.init(10), .init(12)])])
        let tree = try MarkupTree(chart.svg())
        #expect(tree.texts.contains("client") && tree.texts.contains("server"))
        let bars = tree.all("rect", class: "bar")
        #expect(bars.map { $0.attributes["data-series"]! } == ["client", "server"])
        #expect(abs(bars[0].number("width")! / bars[1].number("width")! - 10.0 / 12) < 1e-3)
    }

    @Test func histogramHeightsFollowCountsAndMarkTheThreshold() throws {
        let counts: [Int64] = [10, 40, 25, 0, 5]
        let bins = counts.enumerated().map {
            HistogramBin(
                low: Double($0.offset) * 0.5, high: Double($0.offset + 1) * 0.5, count: $0.element)
        }
        let chart = SVGHistogram(title: "Distances", bins: bins, overflow: 3, threshold: 1.0)
        let tree = try MarkupTree(chart.svg())
        let rects = tree.all("rect", class: "bin")
        #expect(rects.count == 6)
        let perTick = rects[1].number("height")! / 40
        for (rect, count) in zip(rects, counts + [3]) {
            #expect(rect.number("data-count") == Double(count))
            #expect(abs(rect.number("height")! - perTick * Double(count)) < 0.01)
            #expect(rect.attributes["data-clipped"] == "false")
        }
        // The threshold line sits on the edge between the bins [0.5, 1.0)
        // and [1.0, 1.5) (bars are drawn half a pixel inside their edges).
        let line = try #require(tree.all("line", class: "threshold").first)
        #expect(abs(rects[2].number("x")! - 0.5 - line.number("x1")!) < 0.01)
        #expect(tree.texts.contains("threshold 1"))
        #expect(tree.texts.contains("de-sync distance (world units)"))
        #expect(tree.texts.contains("ticks (rows)"))
        #expect(tree.texts.contains("> 2.50") && tree.texts.contains("3"))
    }

    @Test func aTowerIsCutAndLabelled() throws {
        let bins = [
            HistogramBin(low: 0, high: 1, count: 1000), HistogramBin(low: 1, high: 2, count: 40),
            HistogramBin(low: 2, high: 3, count: 20),
        ]
        let chart = SVGHistogram(title: "Distances", bins: bins, overflow: 0, threshold: nil)
        #expect(chart.isClipped)
        let tree = try MarkupTree(chart.svg())
        let rects = tree.all("rect", class: "bin")
        #expect(rects.map { $0.attributes["data-clipped"]! } == ["true", "false", "false"])
        #expect(abs(rects[1].number("height")! / rects[2].number("height")! - 2) < 1e-3)
        #expect(rects[0].number("height")! > rects[1].number("height")!)
        #expect(tree.all("text", class: "clipped-count").map(\.text) == ["1,000"])
    }

    @Test func linePointsMapLinearlyAndSpansShade() throws {
        let points = [ChartPoint(0, 0), ChartPoint(1, 2.5), ChartPoint(2, 1), ChartPoint(4, 4)]
        var chart = SVGLineChart(
            title: "Timeline", xTitle: "time (s)", yTitle: "de-sync distance (world units)",
            series: [.init("p-1", points), .init("p-2", [ChartPoint(0, 1), ChartPoint(4, 1)])])
        chart.spans = [.init(from: 1, to: 2, label: "episode")]
        chart.referenceY = (1.0, "threshold 1")
        let tree = try MarkupTree(chart.svg())
        let lines = tree.all("polyline", class: "series")
        #expect(lines.map { $0.attributes["data-series"]! } == ["p-1", "p-2"])
        let pixels = lines[0].attributes["points"]!.split(separator: " ").map {
            $0.split(separator: ",").map { Double($0)! }
        }
        #expect(pixels.count == points.count)
        // pixel = offset + scale × value on both axes, y pointing down.
        let sx = (pixels[3][0] - pixels[0][0]) / 4
        let sy = (pixels[3][1] - pixels[0][1]) / 4
        #expect(sx > 0 && sy < 0)
        for (pixel, point) in zip(pixels, points) {
            #expect(abs(pixel[0] - (pixels[0][0] + sx * point.x)) < 0.02)
            #expect(abs(pixel[1] - (pixels[0][1] + sy * point.y)) < 0.02)
        }
        let span = try #require(tree.all("rect", class: "span").first)
        #expect(abs(span.number("x")! - (pixels[0][0] + sx)) < 0.02)
        #expect(abs(span.number("width")! - sx) < 0.02)
        let reference = try #require(tree.all("line", class: "reference").first)
        #expect(abs(reference.number("y1")! - (pixels[0][1] + sy)) < 0.02)
        for label in [
            "p-1", "p-2", "episode", "threshold 1", "time (s)", "de-sync distance (world units)",
        ] {
            #expect(tree.texts.contains(label), "missing \(label)")
        }
    }

    @Test func heatCellsDarkenWithRateAndShowCounts() throws {
        let chart = SVGHeatmap(
            title: "Heat", rowTitle: "ping band", columnTitle: "packet loss",
            rows: ["low", "high"],
            columns: ["0", "0.05"],
            cells: [
                .init(row: "low", column: "0", rate: 0.0, ticks: 1234),
                .init(row: "low", column: "0.05", rate: 0.2, ticks: 50),
                .init(row: "high", column: "0", rate: 0.5, ticks: 7),
                .init(row: "high", column: "0.05", rate: 0.8, ticks: 900),
            ])
        let tree = try MarkupTree(chart.svg())
        let cells = tree.all("rect", class: "cell")
        #expect(cells.count == 4)
        func brightness(_ fill: String) -> Int {
            let hex = Array(fill.dropFirst())
            return stride(from: 0, to: 6, by: 2).map { Int(String(hex[$0...$0 + 1]), radix: 16)! }
                .reduce(0, +)
        }
        let byRate = cells.sorted { $0.number("data-rate")! < $1.number("data-rate")! }
        let levels = byRate.map { brightness($0.attributes["fill"]!) }
        #expect(levels == levels.sorted(by: >) && Set(levels).count == 4)
        for label in [
            "n=1,234", "n=50", "n=7", "n=900", "80.0%", "0.0%", "ping band", "packet loss",
        ] {
            #expect(tree.texts.contains(label), "missing \(label)")
        }
        // The high/0.05 cell is in the second row, second column.
        let corner = try #require(cells.first { $0.number("data-rate") == 0.8 })
        #expect(
            corner.number("x")! > cells[0].number("x")!
                && corner.number("y")! > cells[0].number("y")!)
    }

    @Test func markupIsEscaped() throws {
        #expect(
            HTMLText.escaped("<script>alert(1)</script>&\"'")
                == "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;")
        #expect(HTMLText.escaped("a\u{1B}[31mb\u{0}") == "a\u{FFFD}[31mb\u{FFFD}")
        // A hostile label reaches the reader as the same text, inert.
        let label = "<img src=x onerror=alert(1)> \"&'"
        let chart = SVGBarChart(
            title: label, axisTitle: "rows", format: .count, series: [label],
            rows: [.init(label, [.init(1, note: label)])])
        let svg = chart.svg()
        #expect(!svg.contains("<img"))
        let tree = try MarkupTree(svg)
        #expect(tree.all("text", class: "category").first?.text == label)
        #expect(tree.all("rect", class: "bar").first?.attributes["data-row"] == label)
        #expect(tree.all("title").first?.text == label)
    }

    /// The mean's interval from SQL aggregates (AVG of x and of x²)
    /// equals the textbook one from the values, two-pass.
    @Test(arguments: [[1.0, 2, 3, 4], [0.5, 0.5, 0.5], [10, 0, 7.25, 3, 3, 9.5, 1e-3]])
    func meanIntervalMatchesTheTextbook(values: [Double]) throws {
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let squares = values.map { $0 * $0 }.reduce(0, +) / n
        let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1)).squareRoot()
        let interval = try #require(
            Statistics.meanInterval(mean, meanOfSquares: squares, count: Int64(values.count)))
        #expect(abs(interval.lowerBound - (mean - 1.959963984540054 * sd / n.squareRoot())) < 1e-9)
        #expect(abs(interval.upperBound - (mean + 1.959963984540054 * sd / n.squareRoot())) < 1e-9)
        #expect(Statistics.meanInterval(1, meanOfSquares: 1, count: 1) == nil)
    }
}
