import Foundation

/// The shared fixtures (`../shared/fixtures/<name>` next to the repository,
/// or `$DESYNC_FIXTURES/<name>`) and their `expected.json`.
struct Fixture: Sendable, CustomStringConvertible {
    let name: String

    static let all = ["notebook-1000", "multi-50k"].map(Fixture.init)

    static var root: URL {
        if let path = ProcessInfo.processInfo.environment["DESYNC_FIXTURES"] {
            return URL(fileURLWithPath: path)
        }
        // Tests/SparkConnectTests/Fixtures.swift → repository → ../shared/fixtures
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/fixtures")
    }

    var directory: URL { Self.root.appendingPathComponent(name) }
    var playerEvents: String { directory.appendingPathComponent("player_events.jsonl").path }
    var serverState: String { directory.appendingPathComponent("server_state.jsonl").path }
    var description: String { name }

    /// One summary row of expected.json.
    struct Group: Equatable {
        var key: String
        var average: Double
        var desynced: Int64
        var inSync: Int64
    }

    struct Expected {
        var rows: Int64
        var desynced: Int64
        var distanceSum: Double
        var distanceMax: Double
        var byPing: [Group]
        var byPacketLoss: [Group]
    }

    func expected() throws -> Expected {
        let data = try Data(contentsOf: directory.appendingPathComponent("expected.json"))
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let events = json["desync_events"] as! [String: Any]
        func groups(_ table: String, _ key: String) -> [Group] {
            (json[table] as! [[String: Any]]).map { row in
                let keyText =
                    (row[key] as? String) ?? "\((row[key] as! NSNumber).doubleValue)"
                return Group(
                    key: keyText,
                    average: (row["average_desync_distance"] as! NSNumber).doubleValue,
                    desynced: (row["desync_event_count"] as! NSNumber).int64Value,
                    inSync: (row["in_sync_event_count"] as! NSNumber).int64Value)
            }
        }
        return Expected(
            rows: (events["rows"] as! NSNumber).int64Value,
            desynced: (events["desynced"] as! NSNumber).int64Value,
            distanceSum: (events["sum_desync_distance"] as! NSNumber).doubleValue,
            distanceMax: (events["max_desync_distance"] as! NSNumber).doubleValue,
            byPing: groups("desync_by_ping", "ping_category"),
            byPacketLoss: groups("desync_by_packet_loss", "packet_loss"))
    }
}

/// True when `a` and `b` agree to a relative 1e-9 (exactly when both are 0).
func closeEnough(_ a: Double, _ b: Double) -> Bool {
    a == b || abs(a - b) <= 1e-9 * max(abs(a), abs(b))
}
