import Desync
import DesyncTestSupport
import Foundation
import Testing

/// Atomic, idempotent persistence in a real PostgreSQL: a client killed
/// during COPY, the server restarting mid-run, a user's constraint, the
/// reject budget, and the same content as SQLite for the same input. Each
/// test works in a database of its own (or a server of its own) so that
/// suites running in parallel do not meet.
@Suite(.serialized) struct PostgresRobustnessTests {
    func database() throws -> String? {
        guard let url = TestPostgres.urlOrFail({ Issue.record(Comment(rawValue: $0)) }) else {
            return nil
        }
        return try TestPostgres.freshDatabase(url)
    }

    /// The earlier results a failing run must leave alone: 1000 ticks, made
    /// here so that the test does not depend on a fixture's size.
    static var fixture: String { DesyncBinary.generated(sessions: 1, small: true) }

    /// 40 000 ticks per stream, made by `desync generate`.
    static var bigInput: String { DesyncBinary.generated(sessions: 8) }

    func snapshot(_ url: String) throws -> [String: [String]] {
        try TableDump.dump(try StoreLocation(url).open(), tables: Tables.all)
    }

    /// Polls until a COPY of the session named `application` has sent rows.
    func copyInProgress(_ watcher: ResultStore, _ application: String) -> Bool {
        let rows = try? watcher.query(
            "SELECT count(*) FROM pg_stat_progress_copy c JOIN pg_stat_activity a ON a.pid = c.pid"
                + " WHERE a.application_name = '\(application)' AND c.tuples_processed > 0")
        return rows?.first?.first == "1"
    }

    @Test func sigkillDuringCopyLeavesThePreviousResultsAndTheNextRunSucceeds() throws {
        guard let url = try database() else { return }
        #expect(ChildProcess.desync(["run", "--input", Self.fixture, "--db", url]).code == 0)
        let store = try StoreLocation(url).open()
        _ = try store.query("CREATE VIEW user_view AS SELECT count(*) AS n FROM desync_events")
        let before = try snapshot(url)

        let application = "robust-kill-\(UUID().uuidString.prefix(8))"
        let child = ChildProcess(
            desync: ["run", "--input", Self.bigInput, "--db", url],
            environment: ["PGAPPNAME": application])
        try child.start()
        let caught = child.waitUntil { copyInProgress(store, application) }
        child.kill()
        let code = child.wait()
        try #require(
            caught && code == 128 + SIGKILL, "not killed during COPY: exit \(code) \(child.err)")

        #expect(try snapshot(url) == before)
        let next = ChildProcess.desync(["run", "--input", Self.bigInput, "--db", url])
        #expect(next.code == 0, "\(next.err)")
        #expect(try store.query("SELECT n FROM user_view") == [["40000"]])
        #expect(try store.query("SELECT count(*) FROM pipeline_runs") == [["2"]])
        // The killed session is gone, its transaction rolled back.
        #expect(
            try store.query(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = '\(application)'")
                == [["0"]])
    }

    @Test func serverRestartMidRunLeavesThePreviousResultsAndTheNextRunSucceeds() throws {
        guard TestPostgres.urlOrFail({ Issue.record(Comment(rawValue: $0)) }) != nil else { return }
        let server = try PrivatePostgres()
        defer { server.stop() }
        let first = ChildProcess.desync(
            ["run", "--input", Self.fixture, "--db", server.publicURL],
            environment: server.environment)
        try #require(first.code == 0, "\(first.err)")
        let before = try snapshot(server.url)

        let application = "robust-restart-\(UUID().uuidString.prefix(8))"
        let child = ChildProcess(
            desync: ["run", "--input", Self.bigInput, "--db", server.publicURL],
            environment: server.environment.merging(["PGAPPNAME": application]) { $1 })
        try child.start()
        let watcher = try StoreLocation(server.url).open()
        let caught = child.waitUntil { copyInProgress(watcher, application) }
        let restart = server.restart()
        let code = child.wait()
        try #require(restart.code == 0, "pg_ctl restart: \(restart.err)")
        try #require(caught, "the run ended before its COPY was seen: exit \(code)")
        #expect(code == 69, "\(child.err)")
        #expect(child.err.contains("lost the connection to PostgreSQL"), "\(child.err)")
        #expect(child.err.contains("Nothing of this run was kept") && !looksLikeACrash(child.err))
        #expect(!child.err.contains(server.environment["PGPASSWORD"]!))

        #expect(try snapshot(server.url) == before)
        let next = ChildProcess.desync(
            ["run", "--input", Self.bigInput, "--db", server.publicURL],
            environment: server.environment)
        #expect(next.code == 0, "\(next.err)")
        #expect(
            try StoreLocation(server.url).open().query("SELECT count(*) FROM desync_events") == [
                ["40000"]
            ])
    }

    @Test func failingUserConstraintRollsBackWithAClearMessage() throws {
        guard let url = try database() else { return }
        let (events, states) = TestInput.clean(20)
        let input = try TestInput(events: events, states: states)
        try input.run(try StoreLocation(url))
        let store = try StoreLocation(url).open()
        _ = try store.query(
            "ALTER TABLE server_state ADD CONSTRAINT ping_below_100 CHECK (ping < 100)")
        let before = try TableDump.dump(store)

        let second = try TestInput(
            events: (0..<30).map { Telemetry.event($0) },
            states: (0..<30).map { Telemetry.state($0, ["ping": $0 == 25 ? "150" : "30"]) })
        let r = ChildProcess.desync(["run", "--input", second.folder, "--db", url])
        #expect(r.code == 78)
        #expect(
            r.err.contains("a constraint on the table refused a row")
                && r.err.contains("ping_below_100"), "\(r.err)")
        #expect(!looksLikeACrash(r.err))
        #expect(try TableDump.dump(store) == before)
        #expect(
            try store.query("SELECT status FROM pipeline_runs ORDER BY started_at").map { $0[0] }
                == ["succeeded", "failed"])
    }

    @Test func tableWithIncompatibleColumnsNamesItAndSaysWhatToDo() throws {
        guard let url = try database() else { return }
        _ = try StoreLocation(url).open().query(
            "CREATE TABLE desync_events (session_id integer, player_id text)")
        let r = ChildProcess.desync(["run", "--input", Self.fixture, "--db", url])
        #expect(r.code == 78)
        #expect(
            r.err.contains("column session_id of type INTEGER")
                && r.err.contains("ALTER TABLE desync_events ALTER COLUMN session_id TYPE TEXT"),
            "\(r.err)")
        #expect(!looksLikeACrash(r.err))
    }

    @Test func aboveTheRejectBudgetOnlyTheLedgerAndRejectsAreStored() throws {
        guard let url = try database() else { return }
        let (events, states) = TestInput.clean(40)
        try TestInput(events: events, states: states).run(try StoreLocation(url))
        let store = try StoreLocation(url).open()
        let before = try TableDump.dump(store)
        let dirty = try TestInput(
            events: events, states: states.enumerated().map { $0 % 4 == 0 ? "{" : $1 })
        let r = ChildProcess.desync(["run", "--input", dirty.folder, "--db", url])
        #expect(
            r.code == 65 && r.err.contains("10 of 40 rows of server_state rejected (25.00%)"),
            "\(r.err)")
        var after = try TableDump.dump(store)
        #expect(after["rejected_records"]?.count == 10)
        after["rejected_records"] = before["rejected_records"]
        #expect(after == before)
        #expect(
            try store.query("SELECT status FROM pipeline_runs ORDER BY started_at").map { $0[0] }
                == ["succeeded", "failed"])
    }

    @Test func sameInputTwiceAndAppendAgainGiveIdenticalTables() throws {
        guard let url = try database() else { return }
        let (events, states) = TestInput.clean(60)
        let input = try TestInput(events: events, states: states + ["{\"ping\": NaN}"])
        let location = try StoreLocation(url)
        let store = try location.open()
        try input.run(location)
        let once = try TableDump.dump(store)
        try input.run(location)
        #expect(try TableDump.dump(store) == once)
        try input.run(location, mode: .append)
        try input.run(location, mode: .append)
        #expect(try TableDump.dump(store) == once)
        let other = try TestInput(
            events: (0..<10).map { Telemetry.event($0, session: "b") },
            states: (0..<10).map { Telemetry.state($0, session: "b") })
        try other.run(location, mode: .append)
        #expect(try store.query("SELECT count(*) FROM desync_events") == [["70"]])
        try input.run(location, mode: .append)
        #expect(try store.query("SELECT count(*) FROM desync_events") == [["70"]])
        #expect(try store.query("SELECT count(DISTINCT run_id) FROM desync_events") == [["2"]])
    }

    /// A NaN coordinate, out-of-range values, two zones for one instant,
    /// microsecond ticks, null players: SQLite and PostgreSQL hold the same
    /// rows for the same input.
    @Test func sqliteAndPostgresHoldIdenticalContent() throws {
        guard let url = try database() else { return }
        var events = (0..<30).map { Telemetry.event($0) }
        var states = (0..<30).map { Telemetry.state($0, desynced: $0 % 3 == 0) }
        states[3] = Telemetry.state(3, ["server_position_x": "NaN"])
        states[4] = Telemetry.state(4, ["ping": "4294967295"])
        states[5] = Telemetry.state(5, ["packet_loss": "1.5"])
        states[6] = Telemetry.state(6, ["player_id": "null"])
        events[6] = Telemetry.event(6, ["player_id": "null"])
        events[7] = Telemetry.event(7, ["timestamp": "\"\(Telemetry.time(7 * 50_000 + 300))\""])
        events.append(Telemetry.event(40, ["timestamp": "\"2025-10-28T10:00:00+02:00\""]))
        states.append(Telemetry.state(40, ["timestamp": "\"2025-10-28T08:00:00Z\""]))
        events.append(Telemetry.event(41, ["player_id": "\"ünï \\\"quoted\\\" 🎮\""]))
        states.append(Telemetry.state(41, ["player_id": "\"ünï \\\"quoted\\\" 🎮\""]))
        let input = try TestInput(events: events, states: states + [Telemetry.state(3)])
        try input.run()
        try input.run(try StoreLocation(url))
        let lite = try TableDump.dump(try input.sqlite.open())
        let pg = try TableDump.dump(try StoreLocation(url).open())
        for spec in Tables.batchTables {
            #expect(lite[spec.name] == pg[spec.name], "\(spec.name)")
        }
        #expect(lite["desync_events"]?.count == 28)
        #expect(
            try StoreLocation(url).open().query(
                "SELECT count(*) FROM desync_events WHERE desync_distance = 'NaN' OR server_position_x = 'NaN'"
            ) == [["0"]])
    }

    @Test func timestampsReadBackExactWhateverTheZone() throws {
        guard let url = try database() else { return }
        let input = try TestInput.zones()
        let r = ChildProcess.desync(
            ["run", "--input", input.folder, "--db", url],
            environment: ["TZ": "Asia/Kolkata", "PGTZ": "Asia/Kolkata"])
        try #require(r.code == 0, "\(r.err)")
        let store = try StoreLocation(url).open()
        _ = try store.query("SET TimeZone = 'America/St_Johns'")
        #expect(
            try store.query(
                "SELECT to_char(timestamp, 'YYYY-MM-DD HH24:MI:SS.US') FROM desync_events ORDER BY timestamp"
            )
                == TestInput.zonesExpected)
        #expect(try store.query("SELECT count(*) FROM desync_events") == [["3"]])
    }
}
