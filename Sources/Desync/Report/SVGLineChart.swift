/// A line chart on two numeric axes: one polyline per series, optional
/// shaded spans along x (rubber-band episodes), an optional dashed
/// horizontal reference (the threshold) and an optional marked x value.
public struct SVGLineChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var points: [ChartPoint]

        public init(_ name: String, _ points: [ChartPoint]) {
            self.name = name
            self.points = points
        }
    }

    /// A span of x shaded behind the lines, with a tooltip. A `callout`
    /// span is shaded darker and labelled above the plot (the worst
    /// episode), so a reader finds it at a glance.
    public struct Span: Sendable {
        public var from: Double
        public var to: Double
        public var label: String
        public var callout: String?

        public init(from: Double, to: Double, label: String, callout: String? = nil) {
            self.from = from
            self.to = to
            self.label = label
            self.callout = callout
        }
    }

    public var title: String
    public var xTitle: String
    public var yTitle: String
    public var yPercent = false
    public var series: [Series]
    public var spans: [Span] = []
    public var spanLegend = "episode"
    public var referenceY: (value: Double, label: String)? = nil
    public var markerX: (value: Double, label: String)? = nil
    public var height = 380.0

    public init(title: String, xTitle: String, yTitle: String, series: [Series]) {
        self.title = title
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.series = series
    }

    public func svg() -> String {
        let width = 1200.0
        let left = 90.0
        let right = width - 30
        let top = 46.0
        let bottom = height - 60
        let xs = series.flatMap { $0.points.map(\.x) } + spans.flatMap { [$0.from, $0.to] }
        let ys = series.flatMap { $0.points.map(\.y) } + [referenceY?.value ?? 0]
        let xLow = xs.min() ?? 0
        let xHigh = max(xs.max() ?? 1, xLow + 1e-9)
        let yTicks = LinearScale.ticks(from: 0, to: max(ys.max() ?? 1, 1e-9), count: 5)
        let x = LinearScale(domain: (xLow, xHigh), range: (left, right))
        let y = LinearScale(domain: (0, yTicks.last!), range: (bottom, top))

        var svg = SVGWriter(width: width, height: height, title: title)
        for span in spans {
            let x1 = x(span.from)
            let x2 = max(x(span.to), x1 + 2)
            svg.rect(
                x: x1, y: top, width: x2 - x1, height: bottom - top, fill: ChartPalette.shade,
                [
                    ("fill-opacity", span.callout == nil ? "0.16" : "0.45"), ("class", "span"),
                    ("data-from", "\(span.from)"), ("data-to", "\(span.to)"),
                ], tooltip: span.label)
            if let callout = span.callout {
                let anchor = x1 > (left + right) / 2 ? "end" : "start"
                svg.text(
                    callout, x: anchor == "end" ? x2 : x1, y: top - 6, anchor: anchor, size: 12,
                    weight: "600", fill: ChartPalette.warning, [("class", "callout")])
            }
        }
        svg.leftAxis(y, ticks: yTicks, left: left, right: right, title: yTitle, percent: yPercent)
        let xTicks = LinearScale.ticks(from: xLow, to: xHigh, count: 10).filter {
            $0 >= xLow - 1e-9 && $0 <= xHigh + 1e-9
        }
        svg.bottomAxis(x, ticks: xTicks, top: bottom, bottom: bottom, title: xTitle)
        if let reference = referenceY {
            svg.line(
                left, y(reference.value), right, y(reference.value), stroke: ChartPalette.warning,
                width: 1.5, dash: "6 4",
                [("class", "reference"), ("data-value", "\(reference.value)")])
        }
        for (i, line) in series.enumerated() {
            svg.polyline(
                line.points.map { (x($0.x), y($0.y)) }, stroke: ChartPalette.color(i),
                [("class", "series"), ("data-series", line.name)])
        }
        if let marker = markerX {
            svg.line(
                x(marker.value), top, x(marker.value), bottom, stroke: ChartPalette.warning,
                width: 2, dash: "6 4", [("class", "marker"), ("data-value", "\(marker.value)")])
            svg.text(
                marker.label, x: x(marker.value) + 6, y: top + 14, size: 12, weight: "600",
                fill: ChartPalette.warning)
        }
        var entries = series.enumerated().map {
            LegendEntry(
                name: $0.element.name, color: ChartPalette.color($0.offset), mark: .line(dash: nil))
        }
        if !spans.isEmpty {
            entries.append(LegendEntry(name: spanLegend, color: ChartPalette.shade, opacity: 0.25))
        }
        if let reference = referenceY {
            entries.append(
                LegendEntry(
                    name: reference.label, color: ChartPalette.warning, mark: .line(dash: "6 4")))
        }
        if entries.count > 1 { svg.legend(entries, x: left, y: 20) }
        return svg.markup(cssClass: "chart line-chart")
    }
}

/// A point of a line chart.
public struct ChartPoint: Sendable, Equatable {
    public var x: Double
    public var y: Double

    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }
}
