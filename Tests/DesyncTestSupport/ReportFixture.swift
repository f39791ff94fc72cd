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
                    ticks.append(
                        Tick(
                            session: session, player: player, microseconds: t, ping: ping,
                            loss: loss, distance: distance))
                    events +=
                        "{\"event_id\":\"e-\(i)-\(j)-\(k)\",\"session_id\":\(json(session)),"
                        + "\"player_id\":\(json(player)),\"event_type\":\"player_move\","
                        + "\"timestamp\":\"\(time)\",\"client_position_x\":0,"
                        + "\"client_position_y\":0,\"client_position_z\":0}\n"
                    states +=
                        "{\"state_id\":\"s-\(i)-\(j)-\(k)\",\"session_id\":\(json(session)),"
                        + "\"player_id\":\(json(player)),\"timestamp\":\"\(time)\","
                        + "\"server_position_x\":\(distance),\"server_position_y\":0,"
                        + "\"server_position_z\":0,\"ping\":\(ping),\"packet_loss\":\(loss)}\n"
                }
            }
        }
        events += "{not json\n"
        events +=
            "{\"event_id\":\"e-late\",\"session_id\":\"s-1\",\"player_id\":\"p-a\","
            + "\"event_type\":\"player_move\",\"timestamp\":\"2025-10-28T01:00:00\","
            + "\"client_position_x\":0,\"client_position_y\":0,\"client_position_z\":0}\n"
        try events.write(toFile: folder + "/player_events.jsonl", atomically: true, encoding: .utf8)
        try states.write(toFile: folder + "/server_state.jsonl", atomically: true, encoding: .utf8)
        self.ticks = ticks
    }

    /// Empties the analytics tables for `runID`, as a store written by an
    /// engine that does not fill them would be.
    public func clearAnalytics(_ store: ResultStore, runID: String) throws {
        for table in AnalyticsTables.all {
            _ = try store.query("DELETE FROM \(table.name) WHERE run_id = '\(runID)'")
        }
    }

    /// The fixture's ticks of one player in time order.
    public func ticks(session: String, player: String) -> [Tick] {
        ticks.filter { $0.session == session && $0.player == player }
            .sorted { $0.microseconds < $1.microseconds }
    }

    /// Runs of consecutive de-synced ticks (distance above 1) of one
    /// player, as (first, last) tick times in µs: counted by hand.
    public func episodes(session: String, player: String) -> [(Int64, Int64)] {
        var runs: [(Int64, Int64)] = []
        var open: (Int64, Int64)?
        for tick in ticks(session: session, player: player) {
            if tick.distance > 1 {
                open = (open?.0 ?? tick.microseconds, tick.microseconds)
            } else if let run = open {
                runs.append(run)
                open = nil
            }
        }
        if let open { runs.append(open) }
        return runs
    }
}
