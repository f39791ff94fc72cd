import Desync
import DesyncTestSupport
import Foundation
import Testing

/// Failures reported against other telemetry tools, each as a tiny test
/// against SQLite (the PostgreSQL side is in PostgresRobustnessTests).
@Suite struct RobustnessBugReportTests {
    /// Other tools turn a line cut mid-file into an all-null row.
    @Test func lineCutMidFileIsOneRejectAndItsNeighboursLoad() throws {
        let (events, states) = TestInput.clean(5)
        var cut = events
        cut[2] = String(events[2].prefix(90))
        let input = try TestInput(events: cut, states: states)
        let result = try input.run()
        let store = try input.sqlite.open()
        #expect(
            try StoredReject.all(store).map { "\($0.line) \($0.reason)" } == ["3 malformed_json"])
        #expect(
            try store.query("SELECT event_id FROM player_events ORDER BY timestamp").map { $0[0]! }
                == ["e-s1-p1-0", "e-s1-p1-1", "e-s1-p1-3", "e-s1-p1-4"])
        #expect(
            try store.query("SELECT count(*) FROM player_events WHERE session_id IS NULL")[0][0]
                == "0")
        #expect(result.ledger.joined == 4 && result.ledger.serverOnly == 1)
    }

    /// SQLite would store a NaN as NULL; here the row never reaches the
    /// distance computation.
    @Test func nanCoordinateIsRejectedBeforeAnyDistance() throws {
        let (events, states) = TestInput.clean(4)
        var bad = states
        bad[1] = Telemetry.state(1, ["server_position_y": "NaN"])
        let input = try TestInput(events: events, states: bad)
        let result = try input.run()
        let store = try input.sqlite.open()
        #expect(try StoredReject.all(store).map { "\($0.line) \($0.reason)" } == ["2 non_finite"])
        #expect(result.joinedRows == 3 && result.distanceSum.isFinite)
        #expect(
            try store.query(
                "SELECT count(*) FROM desync_events WHERE desync_distance IS NULL OR server_position_y IS NULL"
            )[0][0] == "0")
        #expect(
            try store.query("SELECT count(*) FROM desync_events WHERE state_id = 's-s1-p1-1'")[0][0]
                == "0")
        // The client event of that tick is kept, unmatched.
        #expect(try store.query("SELECT record_id FROM unmatched_events") == [["e-s1-p1-1"]])
    }

    /// In a dataframe merge, null keys on both sides match each other.
    @Test func rowsWithNullPlayerNeverJoin() throws {
        let events = [
            Telemetry.event(0), Telemetry.event(1, ["player_id": "null"]),
            Telemetry.event(2, ["player_id": nil]),
        ]
        let states = [
            Telemetry.state(0), Telemetry.state(1, ["player_id": "null"]),
            Telemetry.state(2, ["player_id": nil]),
        ]
        let input = try TestInput(events: events, states: states)
        let result = try input.run()
        #expect(
            result.ledger.joined == 1 && result.ledger.clientOnly == 0
                && result.ledger.serverOnly == 0)
        let store = try input.sqlite.open()
        #expect(
            try StoredReject.all(store).map { "\($0.stream) \($0.line) \($0.reason)" } == [
                "player_events 2 missing_field", "player_events 3 missing_field",
                "server_state 2 missing_field", "server_state 3 missing_field",
            ])
        #expect(
            try store.query("SELECT event_id, state_id FROM desync_events") == [
                ["e-s1-p1-0", "s-s1-p1-0"]
            ])
    }

    /// A retried run (same input, after a failure or not) must not double
    /// a row, in either mode.
    @Test func retriedRunDoesNotDuplicateAnyRow() throws {
        let (events, states) = TestInput.clean(30)
        let input = try TestInput(events: events, states: states + ["junk"])
        for mode in WriteMode.allCases {
            let db = StoreLocation.sqlite(path: input.folder + "/\(mode.rawValue).db")
            try input.run(db, mode: mode)
            let once = try TableDump.dump(try db.open())
            try input.run(db, mode: mode)
            try input.run(db, mode: mode)
            #expect(try TableDump.dump(try db.open()) == once, "\(mode)")
        }
    }

    /// Summing a 4294967295 ping into an Int32 traps other pipelines.
    @Test(arguments: [
        ("4294967295", "out_of_range"), ("-1", "out_of_range"),
        ("9223372036854775808", "out_of_range"),
    ])
    func hugeOrNegativePingIsRejectedNotSummed(ping: String, reason: String) throws {
        let (events, states) = TestInput.clean(3)
        let input = try TestInput(
            events: events, states: states + [Telemetry.state(3, ["ping": ping])])
        let result = try input.run()
        #expect(try StoredReject.all(try input.sqlite.open()).map(\.reason) == [reason])
        #expect(result.summaries.byPing.reduce(0) { $0 + $1.desyncedCount + $1.inSyncCount } == 3)
    }

    @Test func packetLossAboveOneIsRejectedWithAReason() throws {
        let (events, states) = TestInput.clean(3)
        let input = try TestInput(
            events: events, states: states + [Telemetry.state(3, ["packet_loss": "1.5"])])
        try input.run()
        let rejects = try StoredReject.all(try input.sqlite.open())
        #expect(
            rejects.map(\.reason) == ["out_of_range"] && rejects[0].message.contains("packet_loss"))
    }
}
