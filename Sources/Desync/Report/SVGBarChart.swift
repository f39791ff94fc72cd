/// A horizontal bar chart: one row per category, one bar per series in
/// each row, an optional 95% interval drawn as a whisker, and the value
/// with a note (the sample size) written after each bar.
///
/// Bars start at zero, so their lengths are proportional to the values.
/// Each bar carries `data-value` so tests can check the drawing.
public struct SVGBarChart: Sendable {
    public struct Bar: Sendable {
        public var value: Double
        public var interval: ClosedRange<Double>?
        /// Written after the value, for example "n=1,234".
        public var note: String

        public init(_ value: Double, interval: ClosedRange<Double>? = nil, note: String = "") {
            self.value = value
            self.interval = interval
            self.note = note
        }
    }

    public struct Row: Sendable {
        public var label: String
        public var bars: [Bar]

        public init(_ label: String, _ bars: [Bar]) {
            self.label = label
            self.bars = bars
        }
    }

    public var title: String
    /// The value axis title, with its unit.
    public var axisTitle: String
    public var format: ChartFormat
    /// Series names, shown in a legend when there are several.
    public var series: [String]
    public var rows: [Row]
    /// The axis reaches at least this far (1 for rates).
    public var minimumAxisEnd: Double = 0

    public init(
        title: String, axisTitle: String, format: ChartFormat, series: [String], rows: [Row]
    ) {
        self.title = title
        self.axisTitle = axisTitle
        self.format = format
        self.series = series
        self.rows = rows
    }

    static let width = 1200.0
    static let barHeight = 20.0
    static let barGap = 3.0
    static let rowGap = 14.0

    public func svg() -> String {
        let seriesCount = max(1, series.count)
        let legendHeight = seriesCount > 1 ? 28.0 : 0
        let top = 12 + legendHeight
        let rowHeight = Double(seriesCount) * (Self.barHeight + Self.barGap) - Self.barGap
        let plotBottom = top + Double(rows.count) * (rowHeight + Self.rowGap)
        let height = plotBottom + 54
        let longest = rows.map { min(44, $0.label.count) }.max() ?? 4
        let left = min(340, max(90, Double(longest) * 7.3 + 20))
        let right = Self.width - 250

        var largest = minimumAxisEnd
        for row in rows {
            for bar in row.bars where bar.value.isFinite {
                largest = max(largest, bar.interval?.upperBound ?? bar.value, bar.value)
            }
        }
        let ticks = LinearScale.ticks(from: 0, to: largest > 0 ? largest : 1, count: 6)
        let scale = LinearScale(domain: (0, ticks.last!), range: (left, right))

        var svg = SVGWriter(width: Self.width, height: height, title: title)
        if seriesCount > 1 {
            svg.legend(
                series.enumerated().map {
                    LegendEntry(name: $0.element, color: ChartPalette.color($0.offset))
                },
                x: left, y: 20)
        }
        svg.bottomAxis(
            scale, ticks: ticks, top: top - 6, bottom: plotBottom, title: axisTitle,
            percent: isPercent)
        for (r, row) in rows.enumerated() {
            let rowTop = top + Double(r) * (rowHeight + Self.rowGap)
            let label = HTMLText.shortened(row.label, to: 44)
            svg.text(
                label, x: left - 8, y: rowTop + rowHeight / 2 + 4, anchor: "end",
                [("class", "category")], tooltip: row.label)
            for (s, bar) in row.bars.enumerated() {
                let y = rowTop + Double(s) * (Self.barHeight + Self.barGap)
                let value = bar.value.isFinite ? bar.value : 0
                let name = s < series.count ? series[s] : ""
                svg.rect(
                    x: left, y: y, width: scale(value) - left, height: Self.barHeight,
                    fill: ChartPalette.color(s),
                    [
                        ("class", "bar"), ("data-row", row.label), ("data-series", name),
                        ("data-value", "\(value)"),
                    ], tooltip: "\(row.label) \(name): \(format.text(value)) \(bar.note)")
                var end = scale(value)
                if let interval = bar.interval {
                    let x1 = scale(max(0, interval.lowerBound))
                    let x2 = scale(interval.upperBound)
                    let mid = y + Self.barHeight / 2
                    svg.line(x1, mid, x2, mid, stroke: "#222", width: 1.5, [("class", "interval")])
                    svg.line(x1, mid - 5, x1, mid + 5, stroke: "#222", width: 1.5)
                    svg.line(x2, mid - 5, x2, mid + 5, stroke: "#222", width: 1.5)
                    end = max(end, x2)
                }
                var note = format.text(value)
                if let interval = bar.interval {
                    note +=
                        " [\(format.text(interval.lowerBound)),"
                        + " \(format.text(interval.upperBound))]"
                }
                if !bar.note.isEmpty { note += "  " + bar.note }
                svg.text(
                    note, x: end + 6, y: y + Self.barHeight / 2 + 4, size: 12,
                    [("class", "bar-note")])
            }
        }
        return svg.markup(cssClass: "chart bar-chart")
    }

    private var isPercent: Bool {
        if case .percent = format { return true }
        return false
    }
}
