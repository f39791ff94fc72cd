/// Colours the charts share: the Okabe–Ito palette, told apart by readers
/// with the common colour-vision deficiencies, and in print.
enum ChartPalette {
    static let series = [
        "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
    ]
    static let bar = "#0072B2"
    static let warning = "#D55E00"
    static let grid = "#e3e3e3"
    static let axis = "#555"
    static let shade = "#D55E00"

    static func color(_ index: Int) -> String { series[index % series.count] }

    /// A sequential colour from pale yellow (0) to dark red (1), for the
    /// heat map.
    static func heat(_ fraction: Double) -> String {
        let stops: [(Double, Double, Double)] = [
            (255, 247, 220), (253, 190, 110), (240, 100, 50), (165, 15, 21), (90, 0, 20),
        ]
        let t = min(1, max(0, fraction.isFinite ? fraction : 0)) * Double(stops.count - 1)
        let i = min(stops.count - 2, Int(t))
        let f = t - Double(i)
        let a = stops[i]
        let b = stops[i + 1]
        func mix(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * f).rounded()) }
        let rgb = [mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2)]
        return "#" + rgb.map { hex2($0) }.joined()
    }

    private static func hex2(_ value: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[(value >> 4) & 15], digits[value & 15]])
    }
}
