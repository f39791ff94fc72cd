/// Makes untrusted text safe inside HTML and SVG.
///
/// Session and player ids, file paths and messages come from telemetry or
/// from the user; one holding `<script>` must show as text, never run. The
/// five markup characters become entities, and control characters (which
/// XML forbids even as references) become U+FFFD, so the output is also
/// well-formed XML for the inline SVG.
public enum HTMLText {
    public static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            case _
            where scalar.value < 0x20 || scalar.value == 0x7F
                || (0x80..<0xA0).contains(scalar.value) || (0xFFFE...0xFFFF).contains(scalar.value):
                out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// At most `limit` characters, with an ellipsis when cut: long ids
    /// would push a chart's bars off the page. Escape the result after.
    public static func shortened(_ text: String, to limit: Int) -> String {
        guard text.count > limit, limit > 1 else { return text }
        return String(text.prefix(limit - 1)) + "…"
    }
}
