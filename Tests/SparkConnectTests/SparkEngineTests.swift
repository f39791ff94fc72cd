import Desync
import DesyncCLI
import DesyncTestSupport
import Foundation
import Testing

/// `desync run --engine spark` end to end: a real Spark Connect server
/// (`DESYNC_SPARK_REMOTE`) writing into a real PostgreSQL (`DESYNC_TEST_PG`,
/// password in PGPASSWORD), compared with expected.json and with the
/// embedded engine's tables in the same database.
@Suite(.enabled(if: SparkTestServer.enabled, SparkTestServer.skipReason), .serialized)
struct SparkEngineTests {
    struct MissingPostgres: Error, CustomStringConvertible {
        var description: String {
            "DESYNC_TEST_PG is not set: start PostgreSQL with scripts/start-postgres.sh"
        }
    }

    /// The URL of a database of our own on the test PostgreSQL (other
    /// suites write the same tables in parallel), or nil to skip (only
    /// outside CI).
    static func postgres() throws -> String? {
        guard let url = TestPostgres.url else {
            if SparkTestServer.isCI { throw MissingPostgres() }
            return nil
        }
        guard var components = URLComponents(string: url) else { return url }
        let admin = try StoreLocation(url).open()
        let exists = try admin.query(
            "SELECT count(*) FROM pg_database WHERE datname = '\(database)'")
        if exists.first?.first == "0" {
            _ = try? admin.query("CREATE DATABASE \(database)")
        }
        components.path = "/" + database
        return components.string ?? url
    }

    static let database = "desync_spark_test"

    /// Runs the CLI; returns (exit code, stdout, stderr).
    static func desync(_ arguments: [String]) -> (Int32, String, String) {
        let capture = Console.Capture()
        let code = CLI.main(arguments, console: .capturing(capture))
        return (code, capture.out, capture.err)
    }

    static func sparkRun(_ extra: [String], db: String) throws -> (Int32, String, String) {
        guard let remote = SparkTestServer.remote else { throw SparkTestServer.NotConfigured() }
        return desync(["run", "--engine", "spark", "--spark-remote", remote, "--db", db] + extra)
    }

    /// Every row of our batch tables except the run id, as sorted text;
    /// doubles rounded to 9 significant digits after the point.
    static func snapshot(_ store: ResultStore, tables: [TableSpec]) throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        for spec in tables {
            let columns = spec.columns.filter { $0.name != "run_id" }.map { column in
                column.type == .double
                    ? "round(\"\(column.name)\"::numeric, 9)::text"
                    : "\"\(column.name)\"::text"
            }
            let rows = try store.query(
                "SELECT \(columns.joined(separator: ", ")) FROM \"\(spec.name)\"")
            result[spec.name] = rows.map { $0.map { $0 ?? "NULL" }.joined(separator: "|") }.sorted()
        }
        return result
    }

    static let compared: [TableSpec] = [
        Tables.playerEvents, Tables.serverState, Tables.desyncEvents, Tables.desyncByPing,
        Tables.desyncByPacketLoss, Tables.unmatchedEvents,
    ]

    @Test(arguments: Fixtures.names)
    func fixtureMatchesExpectedAndEmbedded(fixture: String) throws {
        guard let db = try Self.postgres() else { return }
        let folder = Fixtures.folder(fixture)

        let (code, out, err) = try Self.sparkRun(["--input", folder, "--quiet"], db: db)
        #expect(code == 0, "stderr: \(err)")
        #expect(out.contains("desync_by_ping"))
        #expect(out.contains("engine: spark"))

        let store = try StoreLocation(db).open()
        #expect(try StoredResults(store).mismatches(try Fixtures.expected(fixture)) == [])
        let ledger = try store.query(
            "SELECT engine, status FROM pipeline_runs ORDER BY started_at DESC LIMIT 1")
        #expect(ledger.first == ["spark", "succeeded"])
        let staging = try store.query(
            "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'desync_stage_%'")
        #expect(staging.first?.first == "0")
        let spark = try Self.snapshot(store, tables: Self.compared)

        let embedded = Self.desync(["run", "--input", folder, "--db", db, "--quiet"])
        #expect(embedded.0 == 0, "stderr: \(embedded.2)")
        let reference = try Self.snapshot(store, tables: Self.compared)
        for spec in Self.compared {
            #expect(spark[spec.name]?.count == reference[spec.name]?.count, "\(spec.name)")
            #expect(spark[spec.name] == reference[spec.name], "\(spec.name) differs")
        }
    }

    /// Every reason code, a duplicate, a blank line and unmatched rows:
    /// Spark must reject the same lines for the same reasons as the
    /// embedded engine and keep the same rows.
    @Test func rejectsMatchTheEmbeddedEngine() throws {
        guard let db = try Self.postgres() else { return }
        let folder = temporaryFolder("desync-spark-rejects")
        try writeFile(folder + "/player_events.jsonl", Self.messyPlayerEvents)
        try writeFile(folder + "/server_state.jsonl", Self.messyServerState)
        let options = ["--input", folder, "--max-reject-rate", "1", "--quiet"]

        let (code, _, err) = try Self.sparkRun(options, db: db)
        #expect(code == 0, "stderr: \(err)")
        let store = try StoreLocation(db).open()
        let rejectsQuery =
            "SELECT stream, line_number::text, reason, raw_line FROM rejected_records"
            + " ORDER BY stream, line_number"
        let sparkRejects = try store.query(rejectsQuery)
        let sparkTables = try Self.snapshot(store, tables: Self.compared)

        let embedded = Self.desync(["run", "--db", db] + options)
        #expect(embedded.0 == 0, "stderr: \(embedded.2)")
        let reference = try store.query(rejectsQuery)
        #expect(sparkRejects.count == reference.count)
        for (got, want) in zip(sparkRejects, reference) {
            if want[2] == "duplicate" {
                // Spark keeps the copy's line as read, the embedded engine
                // renders its values: both must hold the copy's content.
                #expect(Array(got.prefix(3)) == Array(want.prefix(3)))
                // The copy's own timestamp tells it from the first copy
                // when only the id repeats.
                let rendered = want[3] ?? ""
                let time = rendered.components(separatedBy: "\"timestamp\": \"").dropFirst().first?
                    .prefix { $0 != "\"" }.replacingOccurrences(of: "Z", with: "")
                #expect(time != nil && got[3]?.contains(time!) == true, "\(got) vs \(want)")
            } else {
                #expect(got == want)
            }
        }
        #expect(sparkTables == (try Self.snapshot(store, tables: Self.compared)))
    }

    @Test func unreachableSparkFailsClearlyAndKeepsResults() throws {
        guard let db = try Self.postgres() else { return }
        let folder = Fixtures.folder("notebook-1000")
        #expect(Self.desync(["run", "--input", folder, "--db", db, "--quiet"]).0 == 0)
        let before = try Self.snapshot(try StoreLocation(db).open(), tables: Self.compared)
        let (code, _, err) = Self.desync([
            "run", "--engine", "spark", "--spark-remote", "sc://127.0.0.1:1", "--input", folder,
            "--db", db,
        ])
        #expect(code != 0)
        #expect(err.contains("cannot reach Spark Connect at sc://127.0.0.1:1"))
        let store = try StoreLocation(db).open()
        let staging = try store.query(
            "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'desync_stage_%'")
        #expect(staging.first?.first == "0")
        #expect(try Self.snapshot(store, tables: Self.compared) == before)
    }

    static func event(_ id: String, _ time: String, x: String = "1.5", extra: String = "")
        -> String
    {
        "{\"event_id\": \"\(id)\", \"session_id\": \"s1\", \"player_id\": \"p1\","
            + " \"event_type\": \"player_move\", \"timestamp\": \"\(time)\","
            + " \"client_position_x\": \(x), \"client_position_y\": 2.25,"
            + " \"client_position_z\": 3.0\(extra)}"
    }

    static func state(_ id: String, _ time: String, ping: String = "42", loss: String = "0.02")
        -> String
    {
        "{\"state_id\": \"\(id)\", \"session_id\": \"s1\", \"player_id\": \"p1\","
            + " \"timestamp\": \"\(time)\", \"server_position_x\": 4.5,"
            + " \"server_position_y\": 2.25, \"server_position_z\": 3.0,"
            + " \"ping\": \(ping), \"packet_loss\": \(loss)}"
    }

    static let messyPlayerEvents =
        [
            event("e1", "2025-10-28T00:33:36.450004"),
            "not json at all",
            "{\"event_id\": \"e3\", \"player_id\": \"p1\"}",
            event("e4", "2025-10-28T00:33:36.5", extra: ", \"session_id\": 7")
                .replacingOccurrences(of: "\"session_id\": \"s1\", ", with: ""),
            event("", "2025-10-28T00:33:36.6"),
            event("e6", "2025-13-01T00:00:00"),
            event("e7", "2025-10-28T00:33:36.7", x: "NaN"),
            event("e8", "2025-10-28T00:33:36.8", x: "1e10"),
            event("e9", "2025-10-28T00:33:36.9", x: "\"1.5\""),
            "",
            event("e1", "2025-10-28T00:33:39"),
            event("e12", "2025-10-28 00:33:37Z"),
            event("e13", "2025-10-28T00:33:38.123456789"),
            "[1, 2]",
            event("e15", "2025-10-28T00:33:40", x: "null"),
            event(
                "e16", "2025-10-28T00:33:41",
                extra: ", \"pad\": \""
                    + String(repeating: "x", count: 70_000) + "\""),
        ].joined(separator: "\n") + "\n"

    static let messyServerState =
        [
            state("s1", "2025-10-28T00:33:36.450004"),
            state("s2", "2025-10-28T00:34:00", ping: "42.5"),
            state("s3", "2025-10-28T00:34:01", ping: "42.0"),
            state("s4", "2025-10-28T00:34:02", ping: "-1"),
            state("s5", "2025-10-28T00:34:03", loss: "1.5"),
            state("s6", "2025-10-28T00:34:04", loss: "\"x\""),
            state("s7", "2025-10-28T02:33:37.000000+02:00"),
            state("s8", "2025-10-28T00:33:36.450004"),
            state("s9", "2025-10-28T00:34:05", ping: "1e3"),
            state("s10", "2025-10-28T00:34:06"),
        ].joined(separator: "\n") + "\n"
}
