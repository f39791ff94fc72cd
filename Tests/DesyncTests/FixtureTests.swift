import Desync
import DesyncTestSupport
import Testing

/// The fixtures were produced by the original project's own producer and
/// evaluated by Apache Spark with the notebook's logic: our SQLite tables
/// must read back the same numbers.
@Suite struct FixtureTests {
    @Test(arguments: Fixtures.names)
    func sqliteMatchesSpark(fixture: String) throws {
        let folder = temporaryFolder()
        let store = StoreLocation.sqlite(path: folder + "/out.db")
        let config = RunConfiguration(
            playerEventsPath: Fixtures.folder(fixture) + "/player_events.jsonl",
            serverStatePath: Fixtures.folder(fixture) + "/server_state.jsonl", store: store)
        let result = try Pipeline(configuration: config).run()
        let expected = try Fixtures.expected(fixture)

        #expect(result.joinedRows == expected.desync_events.rows)
        #expect(result.ledger.balances)
        let stored = try StoredResults(try store.open())
        #expect(stored.mismatches(expected) == [])
    }

    @Test func rerunReplacesContentsAndKeepsUserObjects() throws {
        let folder = temporaryFolder()
        let path = folder + "/out.db"
        let config = RunConfiguration(
            playerEventsPath: Fixtures.folder("notebook-1000") + "/player_events.jsonl",
            serverStatePath: Fixtures.folder("notebook-1000") + "/server_state.jsonl",
            store: .sqlite(path: path))
        _ = try Pipeline(configuration: config).run()
        let store = try StoreLocation.sqlite(path: path).open()
        _ = try store.query("CREATE INDEX user_index ON desync_events (player_id)")
        _ = try store.query("CREATE VIEW user_view AS SELECT count(*) AS n FROM desync_events")

        _ = try Pipeline(configuration: config).run()
        let objects = try store.query(
            "SELECT name FROM sqlite_master WHERE name IN ('user_index', 'user_view') ORDER BY name")
        #expect(objects.map { $0[0] } == ["user_index", "user_view"])
        #expect(try store.query("SELECT n FROM user_view")[0][0] == "1000")
        #expect(try store.query("SELECT count(*) FROM player_events")[0][0] == "1000")
        #expect(try store.query("SELECT count(DISTINCT run_id) FROM desync_events")[0][0] == "1")
        #expect(try store.query("SELECT count(*) FROM pipeline_runs")[0][0] == "2")
    }

    @Test func timestampsAndTypesReadBackExactly() throws {
        let folder = temporaryFolder()
        let store = StoreLocation.sqlite(path: folder + "/out.db")
        let config = RunConfiguration(
            playerEventsPath: Fixtures.folder("notebook-1000") + "/player_events.jsonl",
            serverStatePath: Fixtures.folder("notebook-1000") + "/server_state.jsonl", store: store)
        _ = try Pipeline(configuration: config).run()
        let s = try store.open()
        // First line of the fixture: 2025-10-28T00:33:36.450004, ping 33,
        // client and server in the same place.
        let row = try s.query(
            "SELECT timestamp, ping, typeof(ping), is_desynced, typeof(packet_loss) FROM desync_events"
                + " ORDER BY timestamp LIMIT 1")[0]
        #expect(row == ["2025-10-28 00:33:36.450004", "33", "integer", "0", "real"])
    }
}
