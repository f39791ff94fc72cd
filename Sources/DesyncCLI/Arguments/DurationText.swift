import Desync

/// Durations on the command line: a number and a unit.
public enum DurationText {
    /// "60s", "1m", "500ms", "1.5h" as microseconds.
    public static func microseconds(_ text: String, option: String) throws -> Int64 {
        let units: [(String, Double)] = [("ms", 1e3), ("s", 1e6), ("m", 60e6), ("h", 3600e6)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            // "ms" also ends in "s": a number before the unit decides.
            guard let value = Double(number), value.isFinite else { continue }
            let microseconds = (value * scale).rounded()
            guard microseconds >= 1, microseconds <= 1e15 else { break }
            return Int64(microseconds)
        }
        throw DesyncError(
            .usage,
            "\(option) expects a positive duration with a unit (ms, s, m or h), got"
                + " '\(TerminalText.escaped(text))'; for example \(option) 60s")
    }
}
