import Desync
import DesyncCLI
import DesyncTestSupport
import Foundation
import Testing

/// Duplicates, the ledger's sums, the reject budget, append mode and
/// re-runs, against a real SQLite file.
@Suite struct RobustnessLedgerTests {
    func count(_ store: ResultStore, _ sql: String) throws -> Int {
        Int(try store.query(sql)[0][0] ?? "") ?? -1
    }

    @Test func duplicatesByIDAndByKeyAreCountedAndTheFirstCopyWins() throws {
        let events = (0..<6).map { Telemetry.event($0) }
        let states = [
            Telemetry.state(0), Telemetry.state(1), Telemetry.state(2),
            Telemetry.state(1),  // line 4: exact copy of line 2
            // line 5: same id as line 3, another time: the id repeats
            Telemetry.state(2, ["timestamp": "\"\(Telemetry.time(5 * 50_000))\""]),
            // line 6: another id, same session, player and time as line 1,
            // another position: the first copy's position must be kept
            Telemetry.state(0, ["state_id": "\"other\"", "server_position_x": "55.5"]),
            Telemetry.state(3), Telemetry.state(4),
            "{\"broken\": ",  // line 9: rejected, not a duplicate
        ]
        let input = try TestInput(events: events, states: states)
        let result = try input.run()
        let l = result.ledger
        #expect(l.read[.serverState] == 9)
        #expect(l.duplicates[.serverState] == 3)
        #expect(l.rejected[.serverState] == 1)
        #expect(l.accepted[.serverState] == 5)
        #expect(
            l.read[.serverState]! == l.accepted[.serverState]! + l.rejected[.serverState]!
                + l.duplicates[.serverState]!)
        // Event 5 has no server state (line 5 was a duplicate by id).
        #expect(l.joined == 5 && l.clientOnly == 1 && l.serverOnly == 0)
        #expect(l.balances)

        let store = try input.sqlite.open()
        let rejects = try StoredReject.all(store)
        #expect(rejects.map(\.line) == [4, 5, 6, 9])
        #expect(rejects.map(\.reason) == ["duplicate", "duplicate", "duplicate", "malformed_json"])
        #expect(rejects[0].message.contains("line 2") && rejects[1].message.contains("line 3"))
        #expect(rejects[2].message.contains("line 1"))
        // The copy that lost keeps its own values, so nothing is lost.
        let raw = try store.query("SELECT raw_line FROM rejected_records WHERE line_number = 6")
        let copy = try #require(raw.first?[0] ?? nil)
        #expect(
            copy.contains("\"state_id\": \"other\"") && copy.contains("\"server_position_x\": 55.5")
        )
        let kept = try store.query(
            "SELECT state_id, server_position_x FROM server_state WHERE timestamp ="
                + " (SELECT min(timestamp) FROM server_state)")
        #expect(kept == [["s-s1-p1-0", "0.0"]])
        #expect(try count(store, "SELECT count(*) FROM server_state") == 5)
        let ledgerRow = try store.query(
            "SELECT server_state_read, server_state_accepted, server_state_rejected,"
                + " server_state_duplicates, joined, client_only, server_only, rejected_by_reason"
                + " FROM pipeline_runs")
        #expect(ledgerRow == [["9", "5", "1", "3", "5", "1", "0", "{\"malformed_json\":1}"]])
    }

    @Test func unmatchedRowsAreStoredOnBothSides() throws {
        let events = (0..<8).map { Telemetry.event($0) }
        let states = (3..<12).map { Telemetry.state($0) }
        let input = try TestInput(events: events, states: states)
        let result = try input.run()
        let l = result.ledger
        #expect(l.joined == 5 && l.clientOnly == 3 && l.serverOnly == 4)
        #expect(l.accepted[.playerEvents] == l.joined + l.clientOnly)
        #expect(l.accepted[.serverState] == l.joined + l.serverOnly)
        let store = try input.sqlite.open()
        let unmatched = try store.query(
            "SELECT stream, record_id, line_number FROM unmatched_events ORDER BY stream, line_number"
        )
        #expect(
            unmatched.map { $0.compactMap { $0 } } == [
                ["player_events", "e-s1-p1-0", "1"], ["player_events", "e-s1-p1-1", "2"],
                ["player_events", "e-s1-p1-2", "3"], ["server_state", "s-s1-p1-8", "6"],
                ["server_state", "s-s1-p1-9", "7"], ["server_state", "s-s1-p1-10", "8"],
                ["server_state", "s-s1-p1-11", "9"],
            ])
    }

    /// Ten good rows and one bad in each hundred rows: 9% rejected.
    func dirtyInput() throws -> TestInput {
        let events = (0..<100).map { Telemetry.event($0) }
        let states = (0..<100).map { i in
            i % 11 == 5 ? Telemetry.state(i, ["ping": "-1"]) : Telemetry.state(i)
        }
        return try TestInput(events: events, states: states)
    }

    @Test func aboveTheRejectBudgetOnlyTheLedgerAndRejectsAreStored() throws {
        let (events, states) = TestInput.clean(50)
        let good = try TestInput(events: events, states: states)
        let dbPath = good.folder + "/shared.db"
        try good.run(.sqlite(path: dbPath))
        let store = try StoreLocation.sqlite(path: dbPath).open()
        let before = try TableDump.dump(store)
        #expect(before["desync_events"]?.count == 50)

        let dirty = try dirtyInput()
        var failure: DesyncError?
        do {
            try dirty.run(.sqlite(path: dbPath), maxRejectRate: 0.05)
        } catch let error as DesyncError {
            failure = error
        }
        let error = try #require(failure)
        #expect(error.code == .rejectBudget && error.exitCode == 65)
        #expect(error.message.contains("9 of 100 rows of server_state rejected (9.00%)"))
        #expect(error.message.contains("above --max-reject-rate 5.00%"))
        #expect(error.message.contains("previous results are unchanged"))

        // Previous results intact; only the failed run's ledger row and
        // its rejects were added.
        let runs = try store.query("SELECT run_id, status FROM pipeline_runs ORDER BY started_at")
        #expect(runs.map { $0[1] } == ["succeeded", "failed"])
        let failedID = runs[1][0]!
        var after = try TableDump.dump(store)
        let failedRejects = try store.query(
            "SELECT count(*), min(reason), max(reason) FROM rejected_records WHERE run_id = ?"
                .replacingOccurrences(of: "?", with: "'\(failedID)'"))
        #expect(failedRejects == [["9", "out_of_range", "out_of_range"]])
        after["rejected_records"] = before["rejected_records"]
        #expect(after == before)
        for spec in Tables.batchTables where spec.name != "rejected_records" {
            #expect(
                try count(store, "SELECT count(*) FROM \(spec.name) WHERE run_id = '\(failedID)'")
                    == 0)
        }
        let message = try store.query("SELECT message FROM pipeline_runs WHERE status = 'failed'")
        #expect(message[0][0]?.contains("above --max-reject-rate") == true)
    }

    @Test func rejectBudgetIsAStrictBoundAndIgnoresDuplicates() throws {
        // 1 of 20 rejected is exactly 5%: allowed.
        let events = (0..<20).map { Telemetry.event($0) }
        var states = (0..<19).map { Telemetry.state($0) }
        states.append("not json")
        let atLimit = try TestInput(events: events, states: states)
        #expect(try atLimit.run(maxRejectRate: 0.05).ledger.status == "succeeded")
        // Half the lines are duplicates: not rejects, so within budget.
        let doubled = try TestInput(
            events: events, states: (0..<20).flatMap { [Telemetry.state($0), Telemetry.state($0)] })
        let result = try doubled.run(maxRejectRate: 0)
        #expect(
            result.ledger.duplicates[.serverState] == 20
                && result.ledger.rejected[.serverState] == 0)
    }

    @Test func rejectBudgetExitCodeAndMessageFromTheCommandLine() throws {
        let dirty = try dirtyInput()
        let capture = Console.Capture()
        let code = CLI.main(
            ["run", "--input", dirty.folder, "--db", "sqlite:\(dirty.folder)/cli.db"],
            console: .capturing(capture))
        #expect(code == 65)
        #expect(capture.err.hasPrefix("desync run: run run-"))
        #expect(capture.err.contains("above --max-reject-rate 5.00%"))
        #expect(capture.err.contains("desync show rejected_records"))
        #expect(capture.out.isEmpty)
    }

    @Test func sameInputTwiceGivesIdenticalTables() throws {
        let dirty = try dirtyInput()
        try dirty.run()
        let store = try dirty.sqlite.open()
        let first = try TableDump.dump(store)
        try dirty.run()
        let second = try TableDump.dump(store)
        #expect(first == second)
        #expect(first["server_state"]?.count == 91 && first["rejected_records"]?.count == 9)
        #expect(try count(store, "SELECT count(DISTINCT run_id) FROM desync_events") == 1)
        #expect(try count(store, "SELECT count(*) FROM pipeline_runs") == 2)
    }

    @Test func appendAddsBatchesAndReplacesABatchAlreadyIn() throws {
        func input(_ session: String, _ n: Int) throws -> TestInput {
            try TestInput(
                events: (0..<n).map { Telemetry.event($0, session: session) },
                states: (0..<n).map { Telemetry.state($0, session: session, desynced: $0 % 3 == 0) }
                    + ["bad line of \(session)"])
        }
        let a = try input("a", 30)
        let b = try input("b", 20)
        let db = StoreLocation.sqlite(path: a.folder + "/append.db")
        try a.run(db, mode: .append)
        try b.run(db, mode: .append)
        let store = try db.open()
        let both = try TableDump.dump(store)
        #expect(both["desync_events"]?.count == 50)
        #expect(both["rejected_records"]?.count == 2)
        #expect(try count(store, "SELECT count(DISTINCT run_id) FROM desync_events") == 2)

        // The same files again: their batch is replaced, not doubled.
        try a.run(db, mode: .append)
        #expect(try TableDump.dump(store) == both)
        #expect(try count(store, "SELECT count(DISTINCT run_id) FROM desync_events") == 2)
        #expect(try count(store, "SELECT count(*) FROM pipeline_runs") == 3)
        let newest = try store.query(
            "SELECT run_id FROM pipeline_runs ORDER BY started_at DESC LIMIT 1")[0][0]!
        #expect(
            try count(store, "SELECT count(*) FROM player_events WHERE run_id = '\(newest)'") == 30)
        #expect(try count(store, "SELECT count(*) FROM player_events WHERE session_id = 'b'") == 20)

        // Replace mode then keeps only its own batch.
        try b.run(db, mode: .replace)
        #expect(try count(store, "SELECT count(*) FROM desync_events") == 20)
    }

    @Test func retriedFailedRunsDoNotDoubleTheirRejects() throws {
        let dirty = try dirtyInput()
        for mode in WriteMode.allCases {
            let db = StoreLocation.sqlite(path: dirty.folder + "/retry-\(mode.rawValue).db")
            for _ in 0..<2 {
                #expect(throws: DesyncError.self) {
                    try dirty.run(db, mode: mode, maxRejectRate: 0.01)
                }
            }
            let store = try db.open()
            #expect(try count(store, "SELECT count(*) FROM rejected_records") == 9)
            // Then the retry with a larger budget: still nine, not 18 or 27.
            try dirty.run(db, mode: mode, maxRejectRate: 0.5)
            #expect(try count(store, "SELECT count(*) FROM rejected_records") == 9)
            #expect(try count(store, "SELECT count(*) FROM server_state") == 91)
            #expect(try count(store, "SELECT count(*) FROM pipeline_runs") == 3)
        }
    }

    @Test func failingUserConstraintRollsBackWithAClearMessage() throws {
        let (events, states) = TestInput.clean(20)  // pings 20...39
        let first = try TestInput(events: events, states: states)
        let db = StoreLocation.sqlite(path: first.folder + "/check.db")
        let columns = Tables.serverState.columns.map { "\"\($0.name)\" \($0.type.rawValue)" }
        _ = try db.open().query(
            "CREATE TABLE server_state (\(columns.joined(separator: ", ")),"
                + " CONSTRAINT ping_below_100 CHECK (ping < 100))")
        try first.run(db)
        let store = try db.open()
        let before = try TableDump.dump(
            store, tables: Tables.all.filter { $0.name != "pipeline_runs" })

        let second = try TestInput(
            events: (0..<30).map { Telemetry.event($0) },
            states: (0..<30).map { Telemetry.state($0, ["ping": $0 == 25 ? "150" : "30"]) })
        var failure: DesyncError?
        do { try second.run(db) } catch let error as DesyncError { failure = error }
        let error = try #require(failure)
        #expect(error.code == .schema && error.exitCode == 78)
        #expect(
            error.message.contains("constraint")
                && error.message.contains("nothing of this run was kept"))
        #expect(error.cause?.contains("ping_below_100") == true)
        #expect(
            try TableDump.dump(store, tables: Tables.all.filter { $0.name != "pipeline_runs" })
                == before)
        // The ledger still tells of the failed run.
        let runs = try store.query("SELECT status, message FROM pipeline_runs ORDER BY started_at")
        #expect(runs.map { $0[0] } == ["succeeded", "failed"])
        #expect(runs[1][1]?.contains("constraint") == true)
    }
}
