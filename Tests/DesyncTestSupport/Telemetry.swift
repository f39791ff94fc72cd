import Desync
import Foundation

/// Builds input lines by hand for the robustness tests, so that each test
/// states exactly which field is wrong. Values are raw JSON text: `"20"` is
/// the number 20, `"\"20\""` the string, `nil` drops the key.
public enum Telemetry {
    /// Microseconds of 2025-10-28T00:00:00Z, the tests' first tick.
    public static let start: Int64 = 1_761_609_600_000_000

    /// ISO-8601 text (UTC, `T`, six fraction digits) of `start + micros`.
    public static func time(_ micros: Int64) -> String {
        var text = Timestamp(microseconds: start + micros).sqlText
        text = text.replacingOccurrences(of: " ", with: "T")
        return text
    }

    /// A valid client event for tick `i` (50 ms apart), with `changes`
    /// applied to its raw JSON values.
    public static func event(
        _ i: Int, session: String = "s1", player: String = "p1",
        _ changes: [String: String?] = [:]
    ) -> String {
        object(
            [
                ("event_id", "\"e-\(session)-\(player)-\(i)\""), ("session_id", "\"\(session)\""),
                ("player_id", "\"\(player)\""), ("event_type", "\"player_move\""),
                ("timestamp", "\"\(time(Int64(i) * 50_000))\""),
                ("client_position_x", "\(Double(i % 100))"), ("client_position_y", "2.5"),
                ("client_position_z", "1.25"),
            ], changes)
    }

    /// A valid server state matching `event(i)`, 3 units away on x when
    /// `desynced`.
    public static func state(
        _ i: Int, session: String = "s1", player: String = "p1", desynced: Bool = false,
        _ changes: [String: String?] = [:]
    ) -> String {
        object(
            [
                ("state_id", "\"s-\(session)-\(player)-\(i)\""), ("session_id", "\"\(session)\""),
                ("player_id", "\"\(player)\""), ("timestamp", "\"\(time(Int64(i) * 50_000))\""),
                ("server_position_x", "\(Double(i % 100) + (desynced ? 3 : 0))"),
                ("server_position_y", "2.5"), ("server_position_z", "1.25"),
                ("ping", "\(20 + i % 200)"), ("packet_loss", "0.0\(i % 10)"),
            ], changes)
    }

    static func object(_ fields: [(String, String)], _ changes: [String: String?]) -> String {
        var parts: [String] = []
        for (key, value) in fields {
            if let change = changes[key] {
                if let change { parts.append("\"\(key)\": \(change)") }
            } else {
                parts.append("\"\(key)\": \(value)")
            }
        }
        for (key, value) in changes.sorted(by: { $0.key < $1.key })
        where !fields.contains(where: { $0.0 == key }) {
            if let value { parts.append("\"\(key)\": \(value)") }
        }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    /// Lines joined with `\n`, each ended by one.
    public static func file(_ lines: [String]) -> Data {
        Data(lines.map { $0 + "\n" }.joined().utf8)
    }
}

/// A folder holding the two streams of one test, and helpers to run the
/// pipeline on it and read the store back.
public struct TestInput {
    public let folder: String
    public var eventsPath: String { folder + "/player_events.jsonl" }
    public var statesPath: String { folder + "/server_state.jsonl" }

    public init(events: Data, states: Data, label: String = "robust") throws {
        folder = temporaryFolder(label)
        try events.write(to: URL(fileURLWithPath: eventsPath))
        try states.write(to: URL(fileURLWithPath: statesPath))
    }

    public init(events: [String], states: [String], label: String = "robust") throws {
        try self.init(events: Telemetry.file(events), states: Telemetry.file(states), label: label)
    }

    /// `n` clean ticks on both sides, every fifth one de-synced.
    public static func clean(_ n: Int) -> (events: [String], states: [String]) {
        (
            (0..<n).map { Telemetry.event($0) },
            (0..<n).map { Telemetry.state($0, desynced: $0 % 5 == 0) }
        )
    }

    public func configuration(
        _ store: StoreLocation, mode: WriteMode = .replace, maxRejectRate: Double = 1
    ) -> RunConfiguration {
        var config = RunConfiguration(
            playerEventsPath: eventsPath, serverStatePath: statesPath, store: store)
        config.mode = mode
        config.maxRejectRate = maxRejectRate
        return config
    }

    /// Runs the embedded pipeline into `store` (a fresh SQLite file in the
    /// folder by default). The reject budget is off unless given.
    @discardableResult
    public func run(
        _ store: StoreLocation? = nil, mode: WriteMode = .replace, maxRejectRate: Double = 1,
        maxLineBytes: Int? = nil
    ) throws -> RunResult {
        var config = configuration(
            store ?? .sqlite(path: folder + "/out.db"), mode: mode, maxRejectRate: maxRejectRate)
        if let maxLineBytes { config.validation.maxLineBytes = maxLineBytes }
        return try Pipeline(configuration: config).run()
    }

    public var sqlite: StoreLocation { .sqlite(path: folder + "/out.db") }

    /// One instant written as `+02:00` and as `Z`, and two ticks 300 µs
    /// apart, each in both streams.
    public static func zones() throws -> TestInput {
        let events = [
            Telemetry.event(0, ["timestamp": "\"2025-10-28T10:00:00+02:00\""]),
            Telemetry.event(1, ["timestamp": "\"2025-10-28T08:00:01.000100Z\""]),
            Telemetry.event(2, ["timestamp": "\"2025-10-28T08:00:01.000400Z\""]),
        ]
        let states = [
            Telemetry.state(0, ["timestamp": "\"2025-10-28T08:00:00Z\""]),
            Telemetry.state(1, ["timestamp": "\"2025-10-28 13:30:01.0001+05:30\""]),
            Telemetry.state(2, ["timestamp": "\"2025-10-28T08:00:01.000400\""]),
        ]
        return try TestInput(events: events, states: states)
    }

    /// `desync_events.timestamp` of `zones()`, in UTC, ordered.
    public static let zonesExpected: [[String?]] = [
        ["2025-10-28 08:00:00.000000"], ["2025-10-28 08:00:01.000100"],
        ["2025-10-28 08:00:01.000400"],
    ]
}

/// One row of `rejected_records`, as read back.
public struct StoredReject: Equatable, CustomStringConvertible, Sendable {
    public var stream: String
    public var line: Int64
    public var reason: String
    public var message: String
    public var raw: String

    public var description: String { "\(stream):\(line) \(reason) \(message)" }

    /// Every reject of the store's newest batch, by stream and line.
    public static func all(_ store: ResultStore) throws -> [StoredReject] {
        try store.query(
            "SELECT stream, line_number, reason, message, raw_line FROM rejected_records"
                + " ORDER BY stream, line_number, reason"
        ).map {
            StoredReject(
                stream: $0[0] ?? "", line: Int64($0[1] ?? "") ?? -1, reason: $0[2] ?? "",
                message: $0[3] ?? "", raw: $0[4] ?? "")
        }
    }
}

/// Tables' contents as sorted text, to compare two stores or two runs.
public enum TableDump {
    /// Every column but `run_id` of each table, rows sorted, values in one
    /// spelling whatever the store: doubles as Swift prints them,
    /// timestamps with six fraction digits, booleans as 0 and 1.
    public static func dump(_ store: ResultStore, tables: [TableSpec] = Tables.batchTables) throws
        -> [String: [String]]
    {
        var out: [String: [String]] = [:]
        for spec in tables {
            let columns = spec.columns.filter { $0.name != "run_id" }
            let select = columns.map { column -> String in
                let name = "\"\(column.name)\""
                switch column.type {
                case .timestamp: return "CAST(\(name) AS TEXT)"
                case .boolean: return "CASE WHEN \(name) THEN 1 ELSE 0 END"
                default: return name
                }
            }
            let rows = try store.query(
                "SELECT \(select.joined(separator: ", ")) FROM \"\(spec.name)\"")
            out[spec.name] = rows.map { row in
                zip(columns, row).map { column, value -> String in
                    guard let value else { return "NULL" }
                    switch column.type {
                    case .double: return Double(value).map { "\($0)" } ?? "?\(value)"
                    case .timestamp: return Timestamp.parse(value)?.sqlText ?? "?\(value)"
                    default: return value
                    }
                }.joined(separator: "|")
            }.sorted()
        }
        return out
    }
}
