/// The telemetry model to simulate.
public enum SimulationProfile: String, Sendable, CaseIterable {
    /// The original notebook producer: independent positions per tick and
    /// a network tier drawn per tick.
    case notebook
    /// Continuous movement, drifting network, latency-driven error.
    case realistic
}

/// What `desync generate` produces.
public struct GenerateOptions: Sendable {
    public var profile: SimulationProfile = .notebook
    public var sessions = 10
    /// Players per session.
    public var players = 5
    /// Ticks per player.
    public var ticks = 1000
    public var tickMilliseconds = 50
    public var start = Timestamp.parse("2025-10-28T00:00:00")!
    public var seed: UInt64 = 42
    /// JSON Lines (the notebook's format) or CSV.
    public var outputFormat = TelemetryFormat.jsonl
    /// The `realistic` profile's knobs (unused by `notebook`).
    public var realistic = RealisticOptions()

    public init() {}

    public var totalTicks: Int64 { Int64(sessions) * Int64(players) * Int64(ticks) }

    static func sessionID(_ s: Int) -> [UInt8] {
        Array("session_\(padded(s, 4))".utf8)
    }

    static func playerID(_ s: Int, _ p: Int) -> [UInt8] {
        Array("player_\(padded(s, 4))_\(padded(p, 2))".utf8)
    }

    static func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
