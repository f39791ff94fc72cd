import Desync
import DesyncCLI
import DesyncTestSupport
import Foundation
import Testing

/// Against a real PostgreSQL (`DESYNC_TEST_PG`, started by
/// scripts/start-postgres.sh). Without one, these tests are skipped
/// locally and fail in CI.
@Suite(.serialized) struct PostgresFixtureTests {
    func url() throws -> String {
        guard let url = TestPostgres.url else {
            if TestPostgres.required {
                Issue.record(
                    "DESYNC_TEST_PG is not set: CI must start PostgreSQL (scripts/start-postgres.sh)"
                )
            }
            throw SkipPostgres()
        }
        return url
    }

    struct SkipPostgres: Error {}

    func runFixture(_ fixture: String, url: String) throws -> RunResult {
        let config = RunConfiguration(
            playerEventsPath: Fixtures.folder(fixture) + "/player_events.jsonl",
            serverStatePath: Fixtures.folder(fixture) + "/server_state.jsonl",
            store: try StoreLocation(url))
        return try Pipeline(configuration: config).run()
    }

    @Test(arguments: Fixtures.names)
    func postgresMatchesSpark(fixture: String) throws {
        guard let url = try? url() else { return }
        _ = try runFixture(fixture, url: url)
        let stored = try StoredResults(try StoreLocation(url).open())
        #expect(stored.mismatches(try Fixtures.expected(fixture)) == [])
    }

    @Test func columnTypesAreTheContractsTypes() throws {
        guard let url = try? url() else { return }
        _ = try runFixture("notebook-1000", url: url)
        let store = try StoreLocation(url).open()
        let types = try store.query(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name ="
                + " 'desync_events' AND table_schema = current_schema() ORDER BY ordinal_position")
        let contract = [
            "session_id", "player_id", "timestamp", "event_id", "event_type", "client_position_x",
            "client_position_y", "client_position_z", "state_id", "server_position_x",
            "server_position_y", "server_position_z", "ping", "packet_loss", "desync_distance",
            "is_desynced", "ping_category",
        ]
        #expect(Array(types.prefix(17).map { $0[0]! }) == contract)
        let byName = Dictionary(uniqueKeysWithValues: types.map { ($0[0]!, $0[1]!) })
        #expect(byName["timestamp"] == "timestamp without time zone")
        #expect(byName["ping"] == "integer")
        #expect(byName["is_desynced"] == "boolean")
        #expect(byName["desync_distance"] == "double precision")
        let first = try store.query(
            "SELECT timestamp::text, ping, is_desynced FROM desync_events ORDER BY timestamp LIMIT 1"
        )
        #expect(first[0] == ["2025-10-28 00:33:36.450004", "33", "f"])
    }

    @Test func rerunKeepsUserIndexesViewsAndGrants() throws {
        guard let url = try? url() else { return }
        _ = try runFixture("notebook-1000", url: url)
        let store = try StoreLocation(url).open()
        _ = try store.query("CREATE INDEX IF NOT EXISTS user_idx ON desync_events (player_id)")
        _ = try store.query(
            "CREATE OR REPLACE VIEW user_view AS SELECT count(*) AS n FROM desync_events")
        _ = try store.query("GRANT SELECT ON desync_events TO PUBLIC")
        _ = try runFixture("notebook-1000", url: url)
        #expect(
            try store.query(
                "SELECT count(*) FROM information_schema.role_table_grants WHERE table_name ="
                    + " 'desync_events' AND grantee = 'PUBLIC' AND privilege_type = 'SELECT'")[0][0]
                == "1")
        _ = try store.query("REVOKE SELECT ON desync_events FROM PUBLIC")
        #expect(
            try store.query("SELECT count(*) FROM pg_indexes WHERE indexname = 'user_idx'")[0][0]
                == "1")
        #expect(try store.query("SELECT n FROM user_view")[0][0] == "1000")
        _ = try store.query("DROP VIEW user_view")
        _ = try store.query("DROP INDEX user_idx")
    }

    @Test func wrongPasswordNeverShowsThePassword() throws {
        guard let url = try? url() else { return }
        let secret = "s3cret-Pa55word"
        let withPassword = url.replacingOccurrences(of: "postgres@", with: "postgres:\(secret)@")
        let capture = Console.Capture()
        let code = CLI.main(
            ["run", "--input", Fixtures.folder("notebook-1000"), "--db", withPassword],
            console: .capturing(capture))
        #expect(code == 69)
        #expect(capture.err.contains("password authentication failed"))
        #expect(!capture.err.contains(secret) && !capture.out.contains(secret))
        #expect(capture.err.contains("postgres:***@"))
    }
}
