import DesyncTestSupport
import Foundation
import Testing

@testable import Desync

/// The partitioned run (inputs larger than memory, spilled to disk) must
/// store what the in-memory run stores: every table, every reject with its
/// message, every ledger count. Averages may differ in the last bits
/// (sums are added per partition), so doubles compare to 1e-9 relative.
@Suite struct PartitionedRunTests {
    /// Runs `folder`'s streams into a fresh SQLite file with `partitions`.
    func run(
        _ events: String, _ states: String, partitions: Int, label: String,
        spill: String? = nil, _ configure: (inout RunConfiguration) -> Void = { _ in }
    ) throws -> (RunResult, ResultStore, String) {
        let folder = temporaryFolder("partitioned-\(label)")
        let spill = spill ?? folder + "/spill"
        try FileManager.default.createDirectory(atPath: spill, withIntermediateDirectories: true)
        var config = RunConfiguration(
            playerEventsPath: events, serverStatePath: states,
            store: .sqlite(path: folder + "/out.db"))
        config.maxRejectRate = 1
        config.partitions = partitions
        config.tempDirectory = spill
        configure(&config)
        let result = try Pipeline(configuration: config).run()
        return (result, try config.store.open(logger: .silent), spill)
    }

    /// Every batch table of two stores, equal row by row (rows sorted as
    /// text; doubles to 1e-9 relative).
    func expectSameTables(_ a: ResultStore, _ b: ResultStore, _ label: String) throws {
        let left = try TableDump.dump(a)
        let right = try TableDump.dump(b)
        for spec in Tables.batchTables {
            let x = left[spec.name] ?? []
            let y = right[spec.name] ?? []
            #expect(x.count == y.count, "\(label): \(spec.name) has \(x.count) vs \(y.count) rows")
            guard x.count == y.count else { continue }
            var differing = 0
            for (r, s) in zip(Self.sortedNumerically(x), Self.sortedNumerically(y))
            where !Self.close(r, s) {
                differing += 1
                if differing <= 3 { Issue.record("\(label): \(spec.name)\n  \(r)\n  \(s)") }
            }
        }
    }

    /// Rows sorted with doubles rounded, so two rows that differ only in the
    /// last bits of an average sort to the same place.
    static func sortedNumerically(_ rows: [String]) -> [String] {
        rows.map { row in
            (
                row.split(separator: "|", omittingEmptySubsequences: false).map { field in
                    Double(field).map { String(format: "%.9g", $0) } ?? String(field)
                }.joined(separator: "|"), row
            )
        }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    static func close(_ a: String, _ b: String) -> Bool {
        let x = a.split(separator: "|", omittingEmptySubsequences: false)
        let y = b.split(separator: "|", omittingEmptySubsequences: false)
        guard x.count == y.count else { return false }
        for (u, v) in zip(x, y) where u != v {
            guard let p = Double(u), let q = Double(v) else { return false }
            guard abs(p - q) <= 1e-9 * max(1, abs(p)) else { return false }
        }
        return true
    }

    func expectSameLedger(_ a: Ledger, _ b: Ledger, _ label: String) {
        for stream in Stream.allCases {
            #expect(a.read[stream] == b.read[stream], "\(label) read \(stream)")
            #expect(a.accepted[stream] == b.accepted[stream], "\(label) accepted \(stream)")
            #expect(a.rejected[stream] == b.rejected[stream], "\(label) rejected \(stream)")
            #expect(a.duplicates[stream] == b.duplicates[stream], "\(label) duplicates \(stream)")
            #expect(a.blankLines[stream] == b.blankLines[stream], "\(label) blank \(stream)")
        }
        #expect(a.joined == b.joined && a.clientOnly == b.clientOnly, "\(label) join")
        #expect(a.serverOnly == b.serverOnly, "\(label) server_only")
        #expect(a.clientOutsideTolerance == b.clientOutsideTolerance, "\(label) outside")
        #expect(a.rejectedByReason == b.rejectedByReason, "\(label) reasons")
        #expect(a.fingerprint == b.fingerprint && b.balances, "\(label) fingerprint")
    }

    /// The in-memory run and partitioned runs of the same files agree.
    func expectPartitionsAgree(
        _ events: String, _ states: String, _ counts: [Int], label: String,
        _ configure: (inout RunConfiguration) -> Void = { _ in }
    ) throws -> (RunResult, ResultStore) {
        let (memory, memoryStore, _) = try run(
            events, states, partitions: 1, label: label, configure)
        for n in counts {
            let (split, store, spill) = try run(
                events, states, partitions: n, label: label, configure)
            // The partitioned path ran (the ledger records the count used).
            #expect(split.ledger.options.hasSuffix("\"partitions\":\(n)}"), "\(label) × \(n)")
            expectSameLedger(memory.ledger, split.ledger, "\(label) × \(n)")
            try expectSameTables(memoryStore, store, "\(label) × \(n)")
            #expect(split.joinedRows == memory.joinedRows)
            #expect(split.desyncedRows == memory.desyncedRows)
            #expect(abs(split.distanceSum - memory.distanceSum) <= 1e-9 * memory.distanceSum)
            // The spill folder is removed with everything in it.
            #expect(try FileManager.default.contentsOfDirectory(atPath: spill).isEmpty)
        }
        return (memory, memoryStore)
    }

    @Test func fixtureGivesTheSameTablesInPartitions() throws {
        let folder = Fixtures.folder("multi-50k")
        let expected = try Fixtures.expected("multi-50k")
        _ = try expectPartitionsAgree(
            folder + "/player_events.jsonl", folder + "/server_state.jsonl", [2, 7],
            label: "multi-50k")
        // The partitioned run equals what Spark computed (expected.json),
        // not only the in-memory run.
        let (_, store, _) = try run(
            folder + "/player_events.jsonl", folder + "/server_state.jsonl", partitions: 3,
            label: "multi-50k-expected")
        #expect(try StoredResults(store).mismatches(expected) == [])
    }

    /// Ten sessions (so the rows spread over partitions), with copies by id
    /// across sessions, by key, chains where a dropped row's key comes back,
    /// broken lines, blank lines and unmatched rows.
    @Test func duplicatesAcrossPartitionsFollowTheInMemoryRule() throws {
        var events: [String] = []
        var states: [String] = []
        for s in 0..<10 {
            for p in 0..<2 {
                for i in 0..<30 {
                    events.append(Telemetry.event(i, session: "s\(s)", player: "p\(p)"))
                    states.append(
                        Telemetry.state(
                            i, session: "s\(s)", player: "p\(p)", desynced: (i + s) % 4 == 0))
                }
            }
        }
        let stateID = { (s: Int, i: Int) in "\"s-s\(s)-p0-\(i)\"" }
        states += [
            // Same id as a state of session 0, in session 7: dropped by id.
            Telemetry.state(31, session: "s7", player: "p0", ["state_id": stateID(0, 3)]),
            // Same key as that dropped row, another id: kept (the dropped
            // copy does not count), and then its own copy by key is dropped.
            Telemetry.state(31, session: "s7", player: "p0", ["state_id": "\"fresh-1\""]),
            Telemetry.state(
                31, session: "s7", player: "p0",
                ["state_id": "\"fresh-2\"", "server_position_x": "9"]),
            // Same id as the kept one above but in session 2: dropped by id.
            Telemetry.state(40, session: "s2", player: "p1", ["state_id": "\"fresh-1\""]),
            // An exact copy of a state of session 5.
            Telemetry.state(12, session: "s5", player: "p1", desynced: (12 + 5) % 4 == 0),
            "{\"broken\": ",
            "",
            Telemetry.state(3, session: "s9", player: "p1", ["ping": "\"fast\""]),
        ]
        events += [
            Telemetry.event(31, session: "s7", player: "p0"),
            // Same id as an event of session 1, in session 8.
            Telemetry.event(50, session: "s8", player: "p1", ["event_id": "\"e-s1-p0-4\""]),
            // A player the server never reported.
            Telemetry.event(0, session: "s4", player: "ghost"),
            Telemetry.event(4, session: "s1", player: "p0"),  // exact copy
        ]
        let input = try TestInput(events: events, states: states, label: "partitioned-dups")
        // Every table, rejected_records (messages, lines, raw lines)
        // included, equal at 2, 3 and 5 partitions.
        let (memory, memoryStore) = try expectPartitionsAgree(
            input.eventsPath, input.statesPath, [2, 3, 5], label: "duplicates")
        #expect(memory.ledger.duplicates[.serverState] == 4)
        #expect(memory.ledger.duplicates[.playerEvents] == 2)
        #expect(memory.ledger.rejected[.serverState] == 2)
        #expect(memory.ledger.blankLines[.serverState] == 1)
        #expect(memory.ledger.clientOnly == 1)  // the ghost (the s8 event is a copy)
        // The rejects against the hand count: 4 + 2 copies, 2 broken lines.
        let expected = try StoredReject.all(memoryStore)
        #expect(expected.count == 8)
        let messages = Dictionary(
            uniqueKeysWithValues: expected.map { ("\($0.stream):\($0.line)", $0.message) })
        #expect(messages["server_state:601"]?.hasPrefix("same id as line 4;") == true)
        #expect(
            messages["server_state:603"]?.hasPrefix(
                "same session, player and timestamp as line 602;") == true)
        #expect(messages["server_state:604"]?.hasPrefix("same id as line 602;") == true)
    }

    @Test func nearestJoinWithClockOffsetsGivesTheSameTablesInPartitions() throws {
        let realistic = try RealisticRun { $0.sessions = 5 }
        let names = Generator.fileNames(realistic.options.outputFormat)
        _ = try expectPartitionsAgree(
            realistic.folder + "/" + names.events, realistic.folder + "/" + names.states, [2, 4],
            label: "nearest"
        ) {
            $0.join.mode = .nearest
            $0.join.correctClockOffset = true
        }
    }

    @Test func csvInputGivesTheSameTablesInPartitions() throws {
        let realistic = try RealisticRun {
            $0.sessions = 4
            $0.ticks = 400
            $0.outputFormat = .csv
        }
        let names = Generator.fileNames(.csv)
        _ = try expectPartitionsAgree(
            realistic.folder + "/" + names.events, realistic.folder + "/" + names.states, [3],
            label: "csv")
    }

    /// A run killed with SIGKILL leaves its spill folder; the next
    /// partitioned run removes it (nobody holds its lock), but not the
    /// folder of a run still alive (its lock is held: here, by the test).
    @Test func abandonedSpillFoldersAreRemovedAndLiveOnesKept() throws {
        let (events, states) = TestInput.clean(30)
        let input = try TestInput(events: events, states: states, label: "partitioned-stale")
        let spill = input.folder + "/spill"
        let abandoned = spill + "/desync-run-20250101T000000Z-dead0001"
        let alive = spill + "/desync-run-20250101T000000Z-live0001"
        for folder in [abandoned, alive] {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true)
            FileManager.default.createFile(
                atPath: folder + "/player_events-0.bin", contents: Data(count: 4096))
            FileManager.default.createFile(atPath: folder + "/owner.lock", contents: Data())
        }
        let held = open(alive + "/owner.lock", O_RDWR)
        defer { Glibc.close(held) }
        #expect(flock(held, LOCK_EX | LOCK_NB) == 0)
        // A folder that is not a run's (no lock file) is none of our business.
        let foreign = spill + "/desync-run-not-ours"
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: true)

        let (result, _, _) = try run(
            input.eventsPath, input.statesPath, partitions: 2, label: "stale", spill: spill)
        #expect(result.joinedRows == 30)
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: spill))
        #expect(left == ["desync-run-20250101T000000Z-live0001", "desync-run-not-ours"])
    }

    @Test func aFailedPartitionedRunKeepsThePreviousResultsAndNoSpill() throws {
        let (events, states) = TestInput.clean(40)
        let good = try TestInput(events: events, states: states, label: "partitioned-fail")
        let store = StoreLocation.sqlite(path: good.folder + "/kept.db")
        let (first, _, _) = try run(good.eventsPath, good.statesPath, partitions: 2, label: "ok") {
            $0.store = store
        }
        #expect(first.joinedRows == 40)
        let bad = try TestInput(
            events: events,
            states: states.map { $0.replacingOccurrences(of: "\"ping\"", with: "\"p\"") },
            label: "partitioned-fail-bad")
        let spill = good.folder + "/spill"
        let error = #expect(throws: DesyncError.self) {
            _ = try run(
                bad.eventsPath, bad.statesPath, partitions: 2, label: "bad", spill: spill
            ) {
                $0.store = store
                $0.maxRejectRate = 0.05
            }
        }
        #expect(error?.code == .rejectBudget, "\(String(describing: error))")
        let opened = try store.open(logger: .silent)
        #expect(try opened.query("SELECT count(*) FROM desync_events")[0][0] == "40")
        #expect(
            try opened.query("SELECT status FROM pipeline_runs ORDER BY started_at").last?[0]
                == "failed")
        // The run's spill folder went with the failure.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: spill)
        #expect(leftovers.isEmpty)
    }
}
