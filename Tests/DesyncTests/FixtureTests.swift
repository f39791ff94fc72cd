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
            "SELECT name FROM sqlite_master WHERE name IN ('user_index', 'user_view') ORDER BY name"
        )
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

/// The analytics tables after a fixture run, and the nearest join on data
/// whose timestamps line up.
@Suite struct AnalyticsFixtureTests {
    func run(_ fixture: String, _ configure: (inout RunConfiguration) -> Void = { _ in }) throws
        -> (RunResult, ResultStore)
    {
        let store = StoreLocation.sqlite(path: temporaryFolder() + "/out.db")
        var config = RunConfiguration(
            playerEventsPath: Fixtures.folder(fixture) + "/player_events.jsonl",
            serverStatePath: Fixtures.folder(fixture) + "/server_state.jsonl", store: store)
        configure(&config)
        let result = try Pipeline(configuration: config).run()
        return (result, try store.open())
    }

    @Test func everyAnalyticsTableIsFilled() throws {
        let (result, store) = try run("multi-50k")
        let tables = try AnalyticsReadBack.tables(store)
        for spec in AnalyticsTables.all {
            #expect(tables[spec.name]?.isEmpty == false, "\(spec.name) is empty")
        }
        // Totals agree with desync_events and the notebook's numbers.
        let expected = try Fixtures.expected("multi-50k")
        let overall = try store.query(
            "SELECT ticks, desync_event_count, average_desync_distance, max_desync_distance"
                + " FROM desync_stats WHERE scope = 'overall'")
        #expect(Int64(overall[0][0]!) == expected.desync_events.rows)
        #expect(Int64(overall[0][1]!) == expected.desync_events.desynced)
        #expect(
            close(
                Double(overall[0][2]!)!,
                expected.desync_events.sum_desync_distance / Double(expected.desync_events.rows)))
        #expect(close(Double(overall[0][3]!)!, expected.desync_events.max_desync_distance))
        for ping in expected.desync_by_ping {
            let row = try store.query(
                "SELECT ticks, desync_event_count FROM desync_stats WHERE scope = 'ping_category'"
                    + " AND group_key = '\(ping.ping_category)'")
            #expect(Int64(row[0][0]!) == ping.desync_event_count + ping.in_sync_event_count)
            #expect(Int64(row[0][1]!) == ping.desync_event_count)
        }
        let sums = try store.query(
            "SELECT (SELECT sum(ticks) FROM desync_by_session), (SELECT sum(ticks) FROM"
                + " desync_by_player), (SELECT sum(ticks) FROM desync_heatmap), (SELECT sum(ticks)"
                + " FROM desync_by_window), (SELECT sum(ticks) FROM desync_episodes),"
                + " (SELECT desync_event_count FROM threshold_sweep WHERE threshold = 1.0)")
        #expect(sums[0].prefix(4).allSatisfy { Int64($0!) == expected.desync_events.rows })
        #expect(Int64(sums[0][4]!) == expected.desync_events.desynced)
        #expect(Int64(sums[0][5]!) == expected.desync_events.desynced)
        #expect(result.ledger.clientOutsideTolerance == 0)
        let ledger = try store.query(
            "SELECT join_mode, tolerance_ms, client_outside_tolerance, options FROM pipeline_runs")
        #expect(ledger[0][0] == "exact" && ledger[0][2] == "0")
        #expect(ledger[0][3]!.contains("\"window_ms\":60000"))
    }

    /// The fixtures' streams share timestamps, so the nearest join must
    /// pair exactly what the exact join pairs: the notebook's numbers.
    @Test(arguments: Fixtures.names)
    func nearestJoinOnAlignedDataEqualsTheNotebook(fixture: String) throws {
        let (result, store) = try run(fixture) {
            $0.join.mode = .nearest
            $0.join.correctClockOffset = true
        }
        #expect(result.ledger.balances)
        #expect(try StoredResults(store).mismatches(try Fixtures.expected(fixture)) == [])
        let offsets = try store.query("SELECT DISTINCT clock_offset_ms FROM desync_by_session")
        #expect(offsets.map { $0[0] } == ["0.0"])
        #expect(
            try store.query("SELECT join_mode, tolerance_ms FROM pipeline_runs")[0] == [
                "nearest", "25.0",
            ])
    }
}
