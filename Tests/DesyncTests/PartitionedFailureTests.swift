import DesyncTestSupport
import Foundation
import Testing

@testable import Desync

/// Failed runs must leave the same trace whether the run was held in memory
/// or spilled to disk in partitions: the same ledger row and the same
/// rejects. These tests were written by a user test of the partitioned run
/// and fail on the code they were written against.
@Suite struct PartitionedFailureTests {
    /// Runs the streams into the SQLite file `database` with `partitions`,
    /// returning the error the run threw.
    func failingRun(
        _ input: TestInput, database: String, partitions: Int, maxRejectRate: Double = 1
    ) -> DesyncError? {
        var config = RunConfiguration(
            playerEventsPath: input.eventsPath, serverStatePath: input.statesPath,
            store: .sqlite(path: database))
        config.maxRejectRate = maxRejectRate
        config.partitions = partitions
        config.tempDirectory = input.folder
        do {
            _ = try Pipeline(configuration: config).run()
            return nil
        } catch let error as DesyncError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    /// Over its reject budget, an in-memory run stores every reject of its
    /// input, the dropped duplicates included; the partitioned run must
    /// store the same rows (here: 2 broken lines and 2 copies).
    @Test func overBudgetRunStoresTheSameRejectsInPartitions() throws {
        let (clean, states) = TestInput.clean(20)
        let events =
            clean + [
                clean[3],  // an exact copy: dropped by id
                clean[7],  // another
                "{\"broken\": ",
                "not json",
            ]
        let input = try TestInput(events: events, states: states, label: "budget-dups")
        var stored: [Int: [StoredReject]] = [:]
        for partitions in [1, 3] {
            let database = input.folder + "/budget-\(partitions).db"
            let error = failingRun(
                input, database: database, partitions: partitions, maxRejectRate: 0.05)
            #expect(error?.code == .rejectBudget, "partitions \(partitions)")
            let store = try StoreLocation.sqlite(path: database).open(logger: .silent)
            stored[partitions] = try StoredReject.all(store)
        }
        // Hand count: 2 malformed lines and 2 duplicates of player_events.
        #expect(stored[1]?.count == 4)
        #expect(stored[1]?.filter { $0.reason == "duplicate" }.count == 2)
        #expect(stored[3] == stored[1])
    }

    /// When the store refuses a row (a trigger the user added), the
    /// in-memory run rolls back and then records a `failed` ledger row
    /// saying why; the partitioned run must record it too.
    @Test func refusedWriteLeavesAFailedLedgerRowInPartitions() throws {
        let (events, states) = TestInput.clean(30)
        let input = try TestInput(events: events, states: states, label: "refused-write")
        for partitions in [1, 3] {
            let database = input.folder + "/refused-\(partitions).db"
            // A first, good run creates the tables.
            var config = RunConfiguration(
                playerEventsPath: input.eventsPath, serverStatePath: input.statesPath,
                store: .sqlite(path: database))
            config.partitions = partitions
            config.tempDirectory = input.folder
            let first = try Pipeline(configuration: config).run()
            #expect(first.joinedRows == 30)
            let store = try StoreLocation.sqlite(path: database).open(logger: .silent)
            _ = try store.query(
                "CREATE TRIGGER refuse BEFORE INSERT ON desync_events"
                    + " BEGIN SELECT RAISE(ABORT, 'refused by a user trigger'); END")
            let error = failingRun(input, database: database, partitions: partitions)
            #expect(
                error?.code == .schema, "partitions \(partitions): \(String(describing: error))")
            let ledger = try store.query(
                "SELECT status, message FROM pipeline_runs ORDER BY started_at")
            #expect(ledger.count == 2, "partitions \(partitions): \(ledger)")
            #expect(ledger.last?[0] == "failed", "partitions \(partitions): \(ledger)")
            #expect(
                ledger.last?[1]?.contains("refused a row while inserting into desync_events")
                    == true,
                "partitions \(partitions): \(ledger.last ?? [])")
            #expect(try store.query("SELECT count(*) FROM desync_events")[0][0] == "30")
        }
    }
}
