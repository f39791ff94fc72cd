/// Builds the markup of one inline SVG chart, element by element.
///
/// Every attribute value and text node goes through `HTMLText.escaped`, so
/// a chart may carry telemetry ids in labels and tooltips safely. The
/// result is well-formed XML: tests parse it to check the drawing against
/// the data.
struct SVGWriter {
    let width: Double
    let height: Double
    let title: String
    private var body = ""

    init(width: Double, height: Double, title: String) {
        self.width = width
        self.height = height
        self.title = title
    }

    /// One element; `tooltip` becomes a `<title>` child that browsers show
    /// on hover.
    mutating func element(
        _ name: String, _ attributes: [(String, String)], text: String? = nil,
        tooltip: String? = nil
    ) {
        body += "<" + name
        for (key, value) in attributes {
            body += " \(key)=\"\(HTMLText.escaped(value))\""
        }
        guard text != nil || tooltip != nil else {
            body += "/>"
            return
        }
        body += ">"
        if let tooltip { body += "<title>\(HTMLText.escaped(tooltip))</title>" }
        if let text { body += HTMLText.escaped(text) }
        body += "</\(name)>"
    }

    mutating func open(_ name: String, _ attributes: [(String, String)] = []) {
        body += "<" + name
        for (key, value) in attributes {
            body += " \(key)=\"\(HTMLText.escaped(value))\""
        }
        body += ">"
    }

    mutating func close(_ name: String) {
        body += "</\(name)>"
    }

    mutating func rect(
        x: Double, y: Double, width: Double, height: Double, fill: String,
        _ extra: [(String, String)] = [], tooltip: String? = nil
    ) {
        element(
            "rect",
            [
                ("x", c(x)), ("y", c(y)), ("width", c(max(0, width))),
                ("height", c(max(0, height))), ("fill", fill),
            ] + extra, tooltip: tooltip)
    }

    mutating func line(
        _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#888",
        width: Double = 1, dash: String? = nil, _ extra: [(String, String)] = []
    ) {
        var attributes = [
            ("x1", c(x1)), ("y1", c(y1)), ("x2", c(x2)), ("y2", c(y2)), ("stroke", stroke),
            ("stroke-width", c(width)),
        ]
        if let dash { attributes.append(("stroke-dasharray", dash)) }
        element("line", attributes + extra)
    }

    /// Text; `anchor` is start, middle or end; `vertical` turns it a
    /// quarter anticlockwise about its position (y-axis titles).
    mutating func text(
        _ content: String, x: Double, y: Double, anchor: String = "start", size: Double = 13,
        weight: String? = nil, fill: String = "#222", vertical: Bool = false,
        _ extra: [(String, String)] = [], tooltip: String? = nil
    ) {
        var attributes = [
            ("x", c(x)), ("y", c(y)), ("text-anchor", anchor), ("font-size", c(size)),
            ("fill", fill),
        ]
        if let weight { attributes.append(("font-weight", weight)) }
        if vertical { attributes.append(("transform", "rotate(-90 \(c(x)) \(c(y)))")) }
        element("text", attributes + extra, text: content, tooltip: tooltip)
    }

    mutating func polyline(
        _ points: [(Double, Double)], stroke: String, width: Double = 1.5,
        _ extra: [(String, String)] = []
    ) {
        let list = points.map { "\(c($0.0)),\(c($0.1))" }.joined(separator: " ")
        element(
            "polyline",
            [
                ("points", list), ("fill", "none"), ("stroke", stroke), ("stroke-width", c(width)),
                ("stroke-linejoin", "round"),
            ] + extra)
    }

    /// The finished `<svg>` element, scaled to its container's width.
    /// No xmlns: inline SVG in HTML needs none, and so the page names no
    /// outside address at all.
    func markup(cssClass: String) -> String {
        "<svg class=\"\(HTMLText.escaped(cssClass))\""
            + " viewBox=\"0 0 \(c(width)) \(c(height))\" role=\"img\""
            + " font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\">"
            + "<title>\(HTMLText.escaped(title))</title>" + body + "</svg>"
    }

    private func c(_ value: Double) -> String { ChartFormat.coordinate(value) }
}
