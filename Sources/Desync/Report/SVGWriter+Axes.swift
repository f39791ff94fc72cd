/// Axes, grid lines and legends, drawn the same way on every chart.
extension SVGWriter {
    /// A value axis along the bottom: vertical grid lines from `top` to
    /// `bottom`, tick labels under it, and the axis title (with its unit)
    /// centred below.
    mutating func bottomAxis(
        _ scale: LinearScale, ticks: [Double], top: Double, bottom: Double, title: String,
        percent: Bool = false
    ) {
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        for tick in ticks {
            let x = scale(tick)
            line(x, top, x, bottom, stroke: ChartPalette.grid)
            text(
                ChartFormat.tick(tick, step: step, percent: percent), x: x, y: bottom + 16,
                anchor: "middle", size: 12, fill: ChartPalette.axis)
        }
        line(scale.range.low, bottom, scale.range.high, bottom, stroke: ChartPalette.axis)
        text(
            title, x: (scale.range.low + scale.range.high) / 2, y: bottom + 38, anchor: "middle",
            weight: "600", [("class", "axis-title")])
    }

    /// A value axis on the left: horizontal grid lines from `left` to
    /// `right`, tick labels left of it, and the title turned upright.
    mutating func leftAxis(
        _ scale: LinearScale, ticks: [Double], left: Double, right: Double, title: String,
        percent: Bool = false
    ) {
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        for tick in ticks {
            let y = scale(tick)
            line(left, y, right, y, stroke: ChartPalette.grid)
            text(
                ChartFormat.tick(tick, step: step, percent: percent), x: left - 6, y: y + 4,
                anchor: "end", size: 12, fill: ChartPalette.axis)
        }
        line(left, scale.range.low, left, scale.range.high, stroke: ChartPalette.axis)
        text(
            title, x: 16, y: (scale.range.low + scale.range.high) / 2, anchor: "middle",
            weight: "600", vertical: true, [("class", "axis-title")])
    }

    /// A row of legend entries starting at (x, y): a swatch and a name each.
    mutating func legend(_ entries: [LegendEntry], x: Double, y: Double) {
        var cursor = x
        open("g", [("class", "legend")])
        for entry in entries {
            switch entry.mark {
            case .box:
                rect(
                    x: cursor, y: y - 10, width: 14, height: 12, fill: entry.color,
                    entry.opacity.map { [("fill-opacity", ChartFormat.coordinate($0))] } ?? [])
            case .line(let dash):
                line(cursor, y - 4, cursor + 14, y - 4, stroke: entry.color, width: 2.5, dash: dash)
            }
            let label = HTMLText.shortened(entry.name, to: 40)
            text(label, x: cursor + 19, y: y, size: 12, tooltip: entry.name)
            cursor += 19 + Double(label.count) * 7 + 18
        }
        close("g")
    }
}

/// One entry of a chart legend.
struct LegendEntry {
    enum Mark {
        case box
        case line(dash: String?)
    }

    var name: String
    var color: String
    var mark: Mark = .box
    var opacity: Double? = nil
}
