// The rows of the analytics tables (`AnalyticsTables`), before they are
// written. Ids are the interned session, player and event-type numbers of
// `Dimensions`; optional values are NULL in the tables.

/// A row of `desync_episodes`.
public struct EpisodeRow: Sendable, Equatable {
    public var session: Int32
    public var player: Int32
    public var episode: Episode
}

/// A row of `desync_by_session`.
public struct SessionRow: Sendable {
    public var session: Int32
    public var players: Int64
    public var tally: Tally
    public var p95Distance: Double?
    public var episodes: Int64
    /// Median client minus server time of the session's pairs (ms).
    public var clockOffsetMs: Double?
    public var pearsonPing: Double?
    public var pearsonLoss: Double?
}

/// A row of `desync_by_player`.
public struct PlayerRow: Sendable {
    public var session: Int32
    public var player: Int32
    public var tally: Tally
    public var episodes: Int64
}

/// A row of `desync_by_event_type`.
public struct EventTypeRow: Sendable {
    public var eventType: Int32
    public var tally: Tally
    public var p95Distance: Double?
}

/// A row of `desync_by_window`: ticks whose client time is in
/// [start, end).
public struct WindowRow: Sendable {
    public var start: Int64
    public var end: Int64
    public var tally: Tally
}

/// A cell of `desync_heatmap`.
public struct HeatmapCell: Sendable {
    public var ping: PingCategory
    public var loss: LossBand
    public var tally: Tally
}

/// A row of `desync_stats`.
public struct StatsRow: Sendable {
    /// `overall`, `ping_category` or `loss_band`.
    public var scope: String
    public var key: String
    public var tally: Tally
    public var p50: Double?
    public var p95: Double?
    public var p99: Double?
    public var pearsonPing: Double?
    public var spearmanPing: Double?
    public var pearsonLoss: Double?
    public var spearmanLoss: Double?
}

/// A row of `threshold_sweep`.
public struct SweepRow: Sendable, Equatable {
    public var threshold: Double
    public var ticks: Int64
    /// Ticks with a distance strictly above the threshold.
    public var desynced: Int64

    public var share: Double? { ticks > 0 ? Double(desynced) / Double(ticks) : nil }
}
