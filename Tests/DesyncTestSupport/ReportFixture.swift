import Desync
import Foundation

/// A small run made for the report's tests: two sessions of three players
/// with distances, pings and losses chosen by rule, so every figure the
/// report shows can be recomputed here by hand. One player id is a script
/// tag and the input folder's name holds markup, to prove both inert.
public struct ReportFixture {
    public static let scriptPlayer = "<script>alert(1)</script>"
    public static let sessions = ["s-1", "s-2"]
    public static let players = ["p-a", scriptPlayer, "p-c"]
    public static let ticksPerPlayer = 240

    /// One joined tick as the fixture wrote it.
    public struct Tick: Sendable {
        public var session: String
        public var player: String
        public var microseconds: Int64
        public var ping: Int
        public var loss: Double
        public var distance: Double
    }

    public let folder: String
    public let database: String
    public let ticks: [Tick]
    /// Lines of player_events.jsonl: every tick, one line of bad JSON and
    /// one event with no server state.
    public static let playerEventLines = sessions.count * players.count * ticksPerPlayer + 2

    /// Writes the two streams into a fresh folder whose name holds markup.
    public init() throws {
        folder = temporaryFolder("report<b>fixture")
        database = folder + "/report.db"
        let start = Timestamp.parse("2025-10-28T00:00:00")!.microseconds
        var ticks: [Tick] = []
        var events = ""
        var states = ""
        func json(_ text: String) -> String { JSONText.quoted(text) }
        for (i, session) in Self.sessions.enumerated() {
            for (j, player) in Self.players.enumerated() {
                for k in 0..<Self.ticksPerPlayer {
                    let band = (k / 40 + j) % 3
                    let ping = [20, 80, 200][band]
                    let loss = [0.0, 0.02, 0.07][band]
                    let distance: Double
                    switch band {
                    case 0: distance = Double(k % 9) / 10
                    case 1:
                        distance = k % (i == 0 ? 4 : 2) == 0 ? 2 + Double(k % 13) / 10 : 0.5
                    default:
                        distance = k % 5 == 0 ? 0.3 : 1.5 + Double((k * 7 + j * 3 + i) % 35) / 10
                    }
                    let t = start + Int64(k) * 50_000
                    let time = Timestamp(microseconds: t).isoText
                    ticks.append(Tick(session: session, player: player, microseconds: t, ping: ping,
                                      loss: loss, distance: distance))
                    events += "{\"event_id\":\"e-\(i)-\(j)-\(k)\",\"session_id\":\(json(session)),"
                        + "\"player_id\":\(json(player)),\"event_type\":\"player_move\","
                        + "\"timestamp\":\"\(time)\",\"client_position_x\":0,"
                        + "\"client_position_y\":0,\"client_position_z\":0}\n"
                    states += "{\"state_id\":\"s-\(i)-\(j)-\(k)\",\"session_id\":\(json(session)),"
                        + "\"player_id\":\(json(player)),\"timestamp\":\"\(time)\","
                        + "\"server_position_x\":\(distance),\"server_position_y\":0,"
                        + "\"server_position_z\":0,\"ping\":\(ping),\"packet_loss\":\(loss)}\n"
                }
            }
        }
        events += "{not json\n"
        events += "{\"event_id\":\"e-late\",\"session_id\":\"s-1\",\"player_id\":\"p-a\","
            + "\"event_type\":\"player_move\",\"timestamp\":\"2025-10-28T01:00:00\","
            + "\"client_position_x\":0,\"client_position_y\":0,\"client_position_z\":0}\n"
        try events.write(toFile: folder + "/player_events.jsonl", atomically: true, encoding: .utf8)
        try states.write(toFile: folder + "/server_state.jsonl", atomically: true, encoding: .utf8)
        self.ticks = ticks
    }

    /// Rows for the analytics tables, as the analysis stage would write
    /// them; tests insert them to see the charts those tables feed.
    public static let heatmapRows = [
        "'low', 0, 49, '0.00', 0.0, 0.01, 480, 0, 0.0, 0.4",
        "'medium', 50, 149, '0.01-0.05', 0.01, 0.05, 480, 180, 0.375, 1.3",
        "'high', 150, NULL, '0.05-0.10', 0.05, 0.10, 480, 384, 0.8, 2.9",
        "'high', 150, NULL, '0.01-0.05', 0.01, 0.05, 12, 3, 0.25, 1.1",
    ]
    public static let sweepRows = [
        (0.0, 1000, 800), (0.5, 1000, 610), (1.0, 1000, 400), (2.0, 1000, 250),
        (4.0, 1000, 90), (8.0, 1000, 3),
    ]
    /// (session, player, ticks, de-synced); the last has too few ticks.
    public static let playerRows: [(String, String, Int64, Int64)] = [
        ("s-1", "p-a", 240, 60), ("s-1", scriptPlayer, 240, 130), ("s-1", "p-c", 240, 90),
        ("s-2", "p-a", 240, 100), ("s-2", scriptPlayer, 240, 150), ("s-2", "p-c", 240, 75),
        ("s-3", "p-tiny", 20, 19),
    ]

    /// Inserts the analytics rows for `runID` into the store.
    public func insertAnalytics(_ store: ResultStore, runID: String) throws {
        let run = "'" + runID + "'"
        for row in Self.heatmapRows {
            _ = try store.query(
                "INSERT INTO desync_heatmap (ping_category, ping_low_ms, ping_high_ms, loss_band,"
                    + " loss_low, loss_high, ticks, desync_event_count, desync_rate,"
                    + " average_desync_distance, run_id) VALUES (\(row), \(run))")
        }
        for (threshold, ticks, count) in Self.sweepRows {
            _ = try store.query(
                "INSERT INTO threshold_sweep (threshold, ticks, desync_event_count, desync_share,"
                    + " run_id) VALUES (\(threshold), \(ticks), \(count),"
                    + " \(Double(count) / Double(ticks)), \(run))")
        }
        for (session, player, ticks, count) in Self.playerRows {
            let rate = Double(count) / Double(ticks)
            _ = try store.query(
                "INSERT INTO desync_by_player (session_id, player_id, ticks, desync_event_count,"
                    + " desync_rate, desync_rate_ci_low, desync_rate_ci_high,"
                    + " average_desync_distance, run_id) VALUES ('\(session)', '\(player)', \(ticks),"
                    + " \(count), \(rate), \(rate - 0.05), \(min(1, rate + 0.05)), 1.5, \(run))")
        }
        // Two episodes in each session, for the script player, in seconds
        // 2.0 to 3.0 and 7.5 to 7.5 (one tick).
        for session in Self.sessions {
            for (start, end, peak) in [("00:00:02", "00:00:03", 4.8), ("00:00:07.5", "00:00:07.5", 2.2)] {
                _ = try store.query(
                    "INSERT INTO desync_episodes (session_id, player_id, episode_start, episode_end,"
                        + " ticks, duration_ms, peak_desync_distance, average_desync_distance,"
                        + " recovery_ms, run_id) VALUES ('\(session)', '\(Self.scriptPlayer)',"
                        + " '2025-10-28 \(start)', '2025-10-28 \(end)', 3, 100, \(peak), 2.0, 50,"
                        + " \(run))")
            }
        }
        _ = try store.query(
            "INSERT INTO desync_stats (scope, group_key, ticks, desync_event_count, desync_rate,"
                + " p50_desync_distance, p95_desync_distance, p99_desync_distance,"
                + " max_desync_distance, run_id) VALUES ('overall', 'all', 1440, 600, 0.4167, 0.8,"
                + " 4.6, 4.9, 4.9, \(run))")
    }
}
