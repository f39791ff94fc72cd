/// How a telemetry stream is written on disk: JSON Lines (one object per
/// line, the notebook's format) or CSV (a header row, then RFC 4180
/// records).
public enum TelemetryFormat: String, Sendable, CaseIterable {
    case jsonl
    case csv

    /// The extension `desync generate` gives its files.
    public var fileExtension: String { rawValue }

    /// The format a file's name implies: `.csv` is CSV; `.jsonl`, `.json`,
    /// `.ndjson` and anything else are JSON Lines, as before CSV existed.
    public init(path: String) {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if let dot = name.lastIndex(of: "."), name[name.index(after: dot)...].lowercased() == "csv"
        {
            self = .csv
        } else {
            self = .jsonl
        }
    }
}
