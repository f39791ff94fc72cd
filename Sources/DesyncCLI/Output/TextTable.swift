import Desync

/// An aligned text table: a header, a rule, and rows; numbers right-aligned.
/// Cells are escaped so that telemetry text cannot steer the terminal.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []
    /// Which columns are numeric (right-aligned).
    var numeric: [Bool]

    init(_ headers: [String], numeric: [Bool]) {
        self.headers = headers
        self.numeric = numeric
    }

    mutating func add(_ row: [String]) {
        rows.append(row.map { TerminalText.cell($0) })
    }

    func render(title: String? = nil) -> String {
        var widths = headers.map { $0.count }
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return numeric[i] ? pad + cell : cell + pad
            }.joined(separator: "  ")
        }
        var out = ""
        if let title { out += title + "\n" }
        out += line(headers) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for row in rows { out += line(row) + "\n" }
        return out
    }
}

/// Fixed-decimal formatting for table cells.
func fixed(_ value: Double, _ decimals: Int = 4) -> String {
    String(format: "%.\(decimals)f", value)
}
