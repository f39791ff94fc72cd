import Foundation

/// How chart labels write numbers: counts with thousands separators,
/// shares as percentages, distances with a fixed number of decimals.
public enum ChartFormat: Sendable, Equatable {
    case count
    case percent(decimals: Int)
    case decimal(Int)

    public func text(_ value: Double) -> String {
        switch self {
        case .count: return Self.grouped(Int64(value.rounded()))
        case .percent(let decimals): return String(format: "%.\(decimals)f%%", value * 100)
        case .decimal(let decimals): return String(format: "%.\(decimals)f", value)
        }
    }

    /// 1234567 as "1,234,567".
    public static func grouped(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return value < 0 ? "-" + out : out
    }

    /// A coordinate for SVG markup: two decimals are below a pixel's
    /// hundredth, and keep the file small.
    static func coordinate(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        var text = String(format: "%.2f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// A tick label: as few decimals as the tick step needs.
    static func tick(_ value: Double, step: Double, percent: Bool) -> String {
        let shown = percent ? value * 100 : value
        let shownStep = percent ? step * 100 : step
        let decimals = max(0, min(6, Int((-log10(shownStep)).rounded(.up))))
        if !percent, decimals == 0, abs(shown) >= 1000 { return grouped(Int64(shown.rounded())) }
        return String(format: "%.\(decimals)f", shown) + (percent ? "%" : "")
    }
}
