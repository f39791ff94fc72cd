/// The SQL type of an output column, named the same in both stores.
public enum ColumnType: String, Sendable {
    case text = "TEXT"
    case timestamp = "TIMESTAMP"
    case double = "DOUBLE PRECISION"
    case integer = "INTEGER"
    case bigint = "BIGINT"
    case boolean = "BOOLEAN"
}

public struct ColumnSpec: Sendable, Equatable {
    public var name: String
    public var type: ColumnType

    public init(_ name: String, _ type: ColumnType) {
        self.name = name
        self.type = type
    }
}

/// An output table: its name and columns in order. Contract tables list
/// CONTRACT.md's columns first, then ours (`run_id` last), so a notebook
/// user's `SELECT` of the contract columns keeps working.
public struct TableSpec: Sendable, Equatable {
    public var name: String
    public var columns: [ColumnSpec]

    public init(_ name: String, _ columns: [ColumnSpec]) {
        self.name = name
        self.columns = columns
    }
}

/// Every table the pipeline writes.
public enum Tables {
    static let runID = ColumnSpec("run_id", .text)

    public static let playerEvents = TableSpec(
        "player_events",
        [
            .init("event_id", .text), .init("session_id", .text), .init("player_id", .text),
            .init("event_type", .text), .init("timestamp", .timestamp),
            .init("client_position_x", .double), .init("client_position_y", .double),
            .init("client_position_z", .double), runID,
        ])

    public static let serverState = TableSpec(
        "server_state",
        [
            .init("state_id", .text), .init("session_id", .text), .init("player_id", .text),
            .init("timestamp", .timestamp), .init("server_position_x", .double),
            .init("server_position_y", .double), .init("server_position_z", .double),
            .init("ping", .integer), .init("packet_loss", .double), runID,
        ])

    public static let desyncEvents = TableSpec(
        "desync_events",
        [
            .init("session_id", .text), .init("player_id", .text), .init("timestamp", .timestamp),
            .init("event_id", .text), .init("event_type", .text),
            .init("client_position_x", .double), .init("client_position_y", .double),
            .init("client_position_z", .double), .init("state_id", .text),
            .init("server_position_x", .double), .init("server_position_y", .double),
            .init("server_position_z", .double), .init("ping", .integer),
            .init("packet_loss", .double), .init("desync_distance", .double),
            .init("is_desynced", .boolean), .init("ping_category", .text),
            .init("player_speed", .double), .init("latency_explained_distance", .double),
            .init("residual_distance", .double), runID,
        ])

    public static let desyncByPing = TableSpec(
        "desync_by_ping",
        [
            .init("ping_category", .text), .init("average_desync_distance", .double),
            .init("desync_event_count", .bigint), .init("in_sync_event_count", .bigint), runID,
        ])

    public static let desyncByPacketLoss = TableSpec(
        "desync_by_packet_loss",
        [
            .init("packet_loss", .double), .init("average_desync_distance", .double),
            .init("desync_event_count", .bigint), .init("in_sync_event_count", .bigint), runID,
        ])

    /// Input lines not used, with the reason (see `RejectReason`).
    public static let rejectedRecords = TableSpec(
        "rejected_records",
        [
            runID, .init("stream", .text), .init("source_file", .text),
            .init("line_number", .bigint), .init("reason", .text), .init("message", .text),
            .init("raw_line", .text),
        ])

    /// Accepted rows that found no partner in the other stream.
    public static let unmatchedEvents = TableSpec(
        "unmatched_events",
        [
            runID, .init("stream", .text), .init("record_id", .text),
            .init("session_id", .text), .init("player_id", .text),
            .init("timestamp", .timestamp), .init("line_number", .bigint),
        ])

    /// The ledger: one row per run, successful or not.
    public static let pipelineRuns = TableSpec(
        "pipeline_runs",
        [
            .init("run_id", .text), .init("started_at", .timestamp),
            .init("finished_at", .timestamp), .init("status", .text), .init("engine", .text),
            .init("mode", .text), .init("input_fingerprint", .text), .init("inputs", .text),
            .init("player_events_read", .bigint), .init("player_events_accepted", .bigint),
            .init("player_events_rejected", .bigint), .init("player_events_duplicates", .bigint),
            .init("server_state_read", .bigint), .init("server_state_accepted", .bigint),
            .init("server_state_rejected", .bigint), .init("server_state_duplicates", .bigint),
            .init("joined", .bigint), .init("client_only", .bigint), .init("server_only", .bigint),
            .init("rejected_by_reason", .text), .init("options", .text), .init("message", .text),
            // Blank lines are not rows (they are in none of the counts
            // above); they are kept here so every line of a file is told of.
            .init("player_events_blank_lines", .bigint), .init("server_state_blank_lines", .bigint),
            // The join (`exact` or `nearest`) and its tolerance (ms, 0 for
            // exact); unmatched rows with no partner within the tolerance
            // (subsets of client_only and server_only; NULL when the engine
            // does not count them).
            .init("join_mode", .text), .init("tolerance_ms", .double),
            .init("client_outside_tolerance", .bigint), .init("server_outside_tolerance", .bigint),
        ])

    /// Tables whose rows belong to one batch: replaced by a re-run, or, in
    /// append mode, replaced batch by batch.
    public static var batchTables: [TableSpec] {
        [
            playerEvents, serverState, desyncEvents, desyncByPing, desyncByPacketLoss,
            rejectedRecords, unmatchedEvents,
        ] + AnalyticsTables.all
    }

    public static var all: [TableSpec] { batchTables + [pipelineRuns] }
}

/// Tables beyond the notebook, filled by the analysis stage (DOMAIN.md).
/// Declared here so that stores create, check and clear them with the
/// others. Distances are in world units, times in milliseconds, rates are
/// fractions in [0, 1], and `*_ci_low`/`*_ci_high` bound a 95% Wilson
/// interval.
public enum AnalyticsTables {
    static let runID = Tables.runID

    /// Consecutive de-synced ticks of one player.
    public static let episodes = TableSpec(
        "desync_episodes",
        [
            .init("session_id", .text), .init("player_id", .text),
            .init("episode_start", .timestamp), .init("episode_end", .timestamp),
            .init("ticks", .bigint), .init("duration_ms", .double),
            .init("peak_desync_distance", .double), .init("average_desync_distance", .double),
            // From the episode's last de-synced tick to the player's next tick
            // under the threshold; NULL when the data ends first.
            .init("recovery_ms", .double), runID,
        ])

    public static let bySession = TableSpec(
        "desync_by_session",
        [
            .init("session_id", .text), .init("players", .bigint), .init("ticks", .bigint),
            .init("desync_event_count", .bigint), .init("desync_rate", .double),
            .init("average_desync_distance", .double), .init("p95_desync_distance", .double),
            .init("max_desync_distance", .double), .init("average_ping", .double),
            .init("average_packet_loss", .double), .init("episodes", .bigint),
            // Median of client minus server time over matched pairs (ms).
            .init("clock_offset_ms", .double), .init("pearson_distance_ping", .double),
            .init("pearson_distance_loss", .double), runID,
        ])

    public static let byPlayer = TableSpec(
        "desync_by_player",
        [
            .init("session_id", .text), .init("player_id", .text), .init("ticks", .bigint),
            .init("desync_event_count", .bigint), .init("desync_rate", .double),
            .init("desync_rate_ci_low", .double), .init("desync_rate_ci_high", .double),
            .init("average_desync_distance", .double), .init("max_desync_distance", .double),
            .init("average_ping", .double), .init("average_packet_loss", .double),
            .init("average_speed", .double), .init("episodes", .bigint), runID,
        ])

    public static let byEventType = TableSpec(
        "desync_by_event_type",
        [
            .init("event_type", .text), .init("ticks", .bigint),
            .init("desync_event_count", .bigint), .init("desync_rate", .double),
            .init("average_desync_distance", .double), .init("p95_desync_distance", .double),
            runID,
        ])

    public static let byWindow = TableSpec(
        "desync_by_window",
        [
            .init("window_start", .timestamp), .init("window_end", .timestamp),
            .init("ticks", .bigint), .init("desync_event_count", .bigint),
            .init("desync_rate", .double), .init("average_desync_distance", .double),
            .init("average_ping", .double), .init("average_packet_loss", .double), runID,
        ])

    /// Ping band × packet-loss band.
    public static let heatmap = TableSpec(
        "desync_heatmap",
        [
            .init("ping_category", .text), .init("ping_low_ms", .integer),
            .init("ping_high_ms", .integer), .init("loss_band", .text),
            .init("loss_low", .double), .init("loss_high", .double), .init("ticks", .bigint),
            .init("desync_event_count", .bigint), .init("desync_rate", .double),
            .init("average_desync_distance", .double), runID,
        ])

    /// Distribution and rate per ping band (`scope` = 'ping_category') and
    /// overall (`scope` = 'overall', `group_key` = 'all').
    public static let stats = TableSpec(
        "desync_stats",
        [
            .init("scope", .text), .init("group_key", .text), .init("ticks", .bigint),
            .init("desync_event_count", .bigint), .init("desync_rate", .double),
            .init("desync_rate_ci_low", .double), .init("desync_rate_ci_high", .double),
            .init("average_desync_distance", .double), .init("p50_desync_distance", .double),
            .init("p95_desync_distance", .double), .init("p99_desync_distance", .double),
            .init("max_desync_distance", .double), .init("pearson_distance_ping", .double),
            .init("spearman_distance_ping", .double), .init("pearson_distance_loss", .double),
            .init("spearman_distance_loss", .double), runID,
        ])

    /// Share of ticks above each threshold.
    public static let thresholdSweep = TableSpec(
        "threshold_sweep",
        [
            .init("threshold", .double), .init("ticks", .bigint),
            .init("desync_event_count", .bigint), .init("desync_share", .double), runID,
        ])

    public static var all: [TableSpec] {
        [episodes, bySession, byPlayer, byEventType, byWindow, heatmap, stats, thresholdSweep]
    }
}
