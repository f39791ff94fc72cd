/// A grid of cells coloured by de-sync rate: ping bands down, packet-loss
/// bands across. Each cell is labelled with its rate and its sample size;
/// a colour key on the right maps colour to rate.
public struct SVGHeatmap: Sendable {
    public struct Cell: Sendable {
        public var row: String
        public var column: String
        public var rate: Double
        public var ticks: Int64

        public init(row: String, column: String, rate: Double, ticks: Int64) {
            self.row = row
            self.column = column
            self.rate = rate
            self.ticks = ticks
        }
    }

    public var title: String
    public var rowTitle: String
    public var columnTitle: String
    /// Row and column labels in display order.
    public var rows: [String]
    public var columns: [String]
    public var cells: [Cell]

    public init(
        title: String, rowTitle: String, columnTitle: String, rows: [String], columns: [String],
        cells: [Cell]
    ) {
        self.title = title
        self.rowTitle = rowTitle
        self.columnTitle = columnTitle
        self.rows = rows
        self.columns = columns
        self.cells = cells
    }

    public func svg() -> String {
        let width = 1200.0
        let left = 200.0
        let keyWidth = 120.0
        let right = width - keyWidth - 20
        let top = 20.0
        let cellHeight = 58.0
        let bottom = top + Double(rows.count) * cellHeight
        let height = bottom + 62
        let cellWidth = (right - left) / Double(max(1, columns.count))
        let maxRate = max(cells.map(\.rate).max() ?? 0, 1e-9)

        var svg = SVGWriter(width: width, height: height, title: title)
        for (r, row) in rows.enumerated() {
            svg.text(
                HTMLText.shortened(row, to: 18), x: left - 8,
                y: top + (Double(r) + 0.5) * cellHeight + 4,
                anchor: "end", [("class", "category")], tooltip: row)
        }
        for (c, column) in columns.enumerated() {
            svg.text(
                HTMLText.shortened(column, to: 16), x: left + (Double(c) + 0.5) * cellWidth,
                y: bottom + 18, anchor: "middle", size: 12, [("class", "category")], tooltip: column
            )
        }
        svg.text(
            columnTitle, x: (left + right) / 2, y: bottom + 44, anchor: "middle", weight: "600",
            [("class", "axis-title")])
        svg.text(
            rowTitle, x: 16, y: (top + bottom) / 2, anchor: "middle", weight: "600", vertical: true,
            [("class", "axis-title")])
        // Combinations with no row of their own show as empty cells.
        var all = cells
        for row in rows {
            for column in columns
            where !cells.contains(where: { $0.row == row && $0.column == column }) {
                all.append(Cell(row: row, column: column, rate: 0, ticks: 0))
            }
        }
        for cell in all {
            guard let r = rows.firstIndex(of: cell.row), let c = columns.firstIndex(of: cell.column)
            else { continue }
            let x = left + Double(c) * cellWidth
            let y = top + Double(r) * cellHeight
            let fraction = cell.rate / maxRate
            let fill = cell.ticks > 0 ? ChartPalette.heat(fraction) : "#f0f0f0"
            svg.rect(
                x: x + 1, y: y + 1, width: cellWidth - 2, height: cellHeight - 2, fill: fill,
                [
                    ("class", "cell"), ("data-row", cell.row), ("data-column", cell.column),
                    ("data-rate", "\(cell.rate)"), ("data-ticks", "\(cell.ticks)"),
                ],
                tooltip:
                    "\(cell.row), loss \(cell.column):"
                    + " \(ChartFormat.percent(decimals: 1).text(cell.rate))"
                    + " of \(ChartFormat.grouped(cell.ticks)) ticks de-synced")
            let ink = fraction > 0.55 ? "#fff" : "#222"
            let fontSize = cellWidth < 70 ? 10.0 : 13.0
            if cell.ticks > 0 {
                svg.text(
                    ChartFormat.percent(decimals: 1).text(cell.rate), x: x + cellWidth / 2,
                    y: y + cellHeight / 2 - 2, anchor: "middle", size: fontSize, weight: "600",
                    fill: ink)
            }
            svg.text(
                "n=" + ChartFormat.grouped(cell.ticks), x: x + cellWidth / 2,
                y: y + cellHeight / 2 + 14, anchor: "middle", size: fontSize - 2, fill: ink,
                [("class", "cell-count")])
        }
        // The colour key: a column of swatches from 0 to the largest rate.
        let keyX = right + 30
        let steps = 10
        let stepHeight = (bottom - top) / Double(steps)
        for k in 0..<steps {
            let f = 1 - (Double(k) + 0.5) / Double(steps)
            svg.rect(
                x: keyX, y: top + Double(k) * stepHeight, width: 22, height: stepHeight + 0.5,
                fill: ChartPalette.heat(f))
        }
        svg.text(
            ChartFormat.percent(decimals: 0).text(maxRate), x: keyX + 28, y: top + 10, size: 12)
        svg.text("0%", x: keyX + 28, y: bottom, size: 12)
        svg.text("de-sync rate", x: keyX, y: bottom + 18, size: 12, weight: "600")
        return svg.markup(cssClass: "chart heatmap")
    }
}
