import Desync
import Foundation

/// The shared fixtures (`../shared/fixtures` beside the project, or the
/// folder in `DESYNC_SHARED`), with the results Apache Spark computed.
public enum Fixtures {
    public static var sharedFolder: String {
        if let custom = ProcessInfo.processInfo.environment["DESYNC_SHARED"] { return custom }
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.deletingLastPathComponent().appendingPathComponent("shared").path
    }

    public static var names: [String] { ["notebook-1000", "multi-50k"] }

    public static func folder(_ name: String) -> String {
        sharedFolder + "/fixtures/" + name
    }

    public static func expected(_ name: String) throws -> Expected {
        let data = try Data(contentsOf: URL(fileURLWithPath: folder(name) + "/expected.json"))
        return try JSONDecoder().decode(Expected.self, from: data)
    }

    /// `expected.json`'s shape.
    public struct Expected: Decodable, Sendable {
        public struct Totals: Decodable, Sendable {
            public var rows: Int64
            public var desynced: Int64
            public var sum_desync_distance: Double
            public var max_desync_distance: Double
        }
        public struct ByPing: Decodable, Sendable {
            public var ping_category: String
            public var average_desync_distance: Double
            public var desync_event_count: Int64
            public var in_sync_event_count: Int64
        }
        public struct ByLoss: Decodable, Sendable {
            public var packet_loss: Double
            public var average_desync_distance: Double
            public var desync_event_count: Int64
            public var in_sync_event_count: Int64
        }
        public var desync_events: Totals
        public var desync_by_ping: [ByPing]
        public var desync_by_packet_loss: [ByLoss]
    }
}

/// Relative closeness, as the fixtures demand (1e-9).
public func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
    if a == b { return true }
    return abs(a - b) <= tolerance * max(abs(a), abs(b))
}

/// A fresh temporary folder, removed by the caller (or left for the OS).
public func temporaryFolder(_ label: String = "desync-test") -> String {
    let path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString.prefix(8))"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes text to a file, creating it.
public func writeFile(_ path: String, _ text: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

/// The PostgreSQL the integration tests use: `DESYNC_TEST_PG` (a URI
/// without password; the password comes from PGPASSWORD). In CI a missing
/// server is a failure, never a skip.
public enum TestPostgres {
    public static var url: String? {
        ProcessInfo.processInfo.environment["DESYNC_TEST_PG"]
    }

    public static var required: Bool {
        ProcessInfo.processInfo.environment["CI"] == "true"
    }
}

/// Reads back what a store holds for the fixture comparison.
public struct StoredResults {
    public var rows: Int64
    public var desynced: Int64
    public var distanceSum: Double
    public var distanceMax: Double
    public var byPing: [[String?]]
    public var byLoss: [[String?]]

    public init(_ store: ResultStore) throws {
        let totals = try store.query(
            "SELECT count(*), sum(CASE WHEN is_desynced THEN 1 ELSE 0 END), sum(desync_distance),"
                + " max(desync_distance) FROM desync_events")[0]
        rows = Int64(totals[0]!)!
        desynced = Int64(totals[1]!)!
        distanceSum = Double(totals[2]!)!
        distanceMax = Double(totals[3]!)!
        byPing = try store.query(
            "SELECT ping_category, average_desync_distance, desync_event_count, in_sync_event_count"
                + " FROM desync_by_ping ORDER BY ping_category")
        byLoss = try store.query(
            "SELECT packet_loss, average_desync_distance, desync_event_count, in_sync_event_count"
                + " FROM desync_by_packet_loss ORDER BY packet_loss")
    }

    /// Every mismatch against `expected.json`, as readable lines (empty
    /// when everything matches).
    public func mismatches(_ e: Fixtures.Expected) -> [String] {
        var problems: [String] = []
        if rows != e.desync_events.rows {
            problems.append("rows \(rows) != \(e.desync_events.rows)")
        }
        if desynced != e.desync_events.desynced {
            problems.append("desynced \(desynced) != \(e.desync_events.desynced)")
        }
        if !close(distanceSum, e.desync_events.sum_desync_distance) {
            problems.append("sum \(distanceSum) != \(e.desync_events.sum_desync_distance)")
        }
        if !close(distanceMax, e.desync_events.max_desync_distance) {
            problems.append("max \(distanceMax) != \(e.desync_events.max_desync_distance)")
        }
        if byPing.count != e.desync_by_ping.count {
            problems.append(
                "desync_by_ping has \(byPing.count) rows, expected \(e.desync_by_ping.count)")
        }
        for (row, want) in zip(byPing, e.desync_by_ping) {
            if row[0] != want.ping_category
                || !close(Double(row[1]!)!, want.average_desync_distance)
                || Int64(row[2]!) != want.desync_event_count
                || Int64(row[3]!) != want.in_sync_event_count
            {
                problems.append("desync_by_ping row \(row) != \(want)")
            }
        }
        if byLoss.count != e.desync_by_packet_loss.count {
            problems.append(
                "desync_by_packet_loss has \(byLoss.count) rows, expected \(e.desync_by_packet_loss.count)"
            )
        }
        for (row, want) in zip(byLoss, e.desync_by_packet_loss) {
            if !close(Double(row[0]!)!, want.packet_loss)
                || !close(Double(row[1]!)!, want.average_desync_distance)
                || Int64(row[2]!) != want.desync_event_count
                || Int64(row[3]!) != want.in_sync_event_count
            {
                problems.append("desync_by_packet_loss row \(row) != \(want)")
            }
        }
        return problems
    }
}
