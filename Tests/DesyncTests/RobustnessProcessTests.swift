import Desync
import DesyncTestSupport
import Foundation
import Testing

/// The built `desync` in a child process: killed mid-write, out of disk,
/// in another time zone, and every user mistake with its exit code and a
/// message (never a stack trace). SQLite here; PostgreSQL in
/// PostgresRobustnessTests.
@Suite(.serialized) struct RobustnessProcessTests {
    /// 40 000 ticks per stream, made by `desync generate`.
    static var bigInput: String { DesyncBinary.generated(sessions: 8) }

    /// The earlier results a failing run must leave alone: 1000 ticks, made
    /// here so that the test does not depend on a fixture's size.
    static var fixture: String { DesyncBinary.generated(sessions: 1, small: true) }

    func file(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int64) ?? -1
    }

    /// What a store holds that a run could break: every table's contents
    /// and the ledger rows.
    func snapshot(_ location: StoreLocation) throws -> [String: [String]] {
        try TableDump.dump(try location.open(), tables: Tables.all)
    }

    @Test func sigkillMidWriteLeavesThePreviousResultsAndTheNextRunSucceeds() throws {
        let folder = temporaryFolder("robust-kill")
        let db = folder + "/kill.db"
        let previous = ChildProcess.desync(["run", "--input", Self.fixture, "--db", "sqlite:\(db)"])
        try #require(previous.code == 0, "\(previous.err)")
        let before = try snapshot(.sqlite(path: db))
        #expect(before["desync_events"]?.count == 1000)

        // Two moments: as soon as the run's transaction has written its
        // journal, and once uncommitted pages have reached the database file.
        let baseSize = file(db)
        let moments: [(String, () -> Bool)] = [
            ("journal created", { self.file(db + "-journal") > 0 }),
            (
                "database file grown",
                { self.file(db + "-journal") > 0 && self.file(db) > baseSize + (1 << 20) }
            ),
        ]
        for (moment, condition) in moments {
            let child = ChildProcess(desync: [
                "run", "--input", Self.bigInput, "--db", "sqlite:\(db)",
            ])
            try child.start()
            let caught = child.waitUntil(condition)
            child.kill()
            let code = child.wait()
            try #require(
                caught && code == 128 + SIGKILL, "not killed mid-write (\(moment)): exit \(code)")
            // Opening the file rolls the hot journal back.
            #expect(try snapshot(.sqlite(path: db)) == before, "after a kill at: \(moment)")
            // A journal killed before it was synced may stay behind, not
            // hot (SQLite ignores it): the content is what counts.
            #expect(
                try StoreLocation.sqlite(path: db).open().query("PRAGMA integrity_check") == [
                    ["ok"]
                ])
        }

        let next = ChildProcess.desync([
            "run", "--input", Self.bigInput, "--db", "sqlite:\(db)", "--format", "json",
        ])
        #expect(next.code == 0, "\(next.err)")
        let store = try StoreLocation.sqlite(path: db).open()
        #expect(try store.query("SELECT count(*) FROM desync_events")[0][0] == "40000")
        #expect(
            try store.query("SELECT status FROM pipeline_runs ORDER BY started_at").map { $0[0] }
                == ["succeeded", "succeeded"])
        #expect(try store.query("PRAGMA integrity_check") == [["ok"]])
    }

    /// Stopped by SIGTERM or Ctrl-C while partitioned, a run removes its
    /// spill folder, exits with 128 + the signal, and leaves the previous
    /// results as they were.
    @Test func interruptedPartitionedRunRemovesItsSpillFolder() throws {
        let folder = temporaryFolder("robust-interrupt")
        let db = folder + "/kept.db"
        let previous = ChildProcess.desync(["run", "--input", Self.fixture, "--db", "sqlite:\(db)"])
        try #require(previous.code == 0, "\(previous.err)")
        let before = try snapshot(.sqlite(path: db))
        for signal in [SIGTERM, SIGINT] {
            let spill = folder + "/spill-\(signal)"
            try FileManager.default.createDirectory(
                atPath: spill, withIntermediateDirectories: true)
            let child = ChildProcess(desync: [
                "run", "--input", Self.bigInput, "--db", "sqlite:\(db)", "--partitions", "4",
                "--temp-dir", spill,
            ])
            try child.start()
            // Some partition files exist: the run is spilling.
            let spilling = child.waitUntil {
                let entries = (try? FileManager.default.subpathsOfDirectory(atPath: spill)) ?? []
                return entries.contains { $0.hasSuffix(".bin") }
            }
            child.kill(signal)
            let code = child.wait()
            try #require(spilling && code == 128 + signal, "exit \(code): \(child.err)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: spill).isEmpty)
            #expect(try snapshot(.sqlite(path: db)) == before)
        }
    }

    /// A real full disk: a small tmpfs under the SQLite file. Needs root and
    /// the right to mount (CI containers may lack it: then this test logs
    /// that and `fullDiskViaMaxPageCount` covers the same path).
    @Test func fullDiskUnderTheSQLiteFileLeavesThePreviousResults() throws {
        let folder = temporaryFolder("robust-tmpfs")
        guard getuid() == 0,
            ChildProcess.run("/bin/mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", folder]).code
                == 0
        else {
            print(
                "fullDiskUnderTheSQLiteFileLeavesThePreviousResults: cannot mount a tmpfs here;"
                    + " covered by fullDiskViaMaxPageCount only")
            return
        }
        defer { _ = ChildProcess.run("/bin/umount", [folder]) }
        let db = folder + "/full.db"
        let previous = ChildProcess.desync(["run", "--input", Self.fixture, "--db", "sqlite:\(db)"])
        try #require(previous.code == 0, "\(previous.err)")
        let before = try snapshot(.sqlite(path: db))

        let full = ChildProcess.desync(["run", "--input", Self.bigInput, "--db", "sqlite:\(db)"])
        #expect(full.code == 69)
        #expect(
            full.err.contains("is full") && full.err.contains("nothing of this run was kept"),
            "\(full.err)")
        #expect(!looksLikeACrash(full.err))
        var after = try snapshot(.sqlite(path: db))
        // The failed run's ledger row may or may not fit on the full disk.
        after["pipeline_runs"] = after["pipeline_runs"]?.filter { !$0.contains("|failed|") }
        #expect(after == before)

        let next = ChildProcess.desync(["run", "--input", Self.fixture, "--db", "sqlite:\(db)"])
        #expect(next.code == 0, "\(next.err)")
    }

    /// The same full disk, simulated inside SQLite: `PRAGMA max_page_count`
    /// on the store's own connection makes SQLite answer SQLITE_FULL, as a
    /// full disk does.
    @Test func fullDiskViaMaxPageCount() throws {
        let (events, states) = TestInput.clean(200)
        let input = try TestInput(events: events, states: states)
        try input.run()
        let before = try snapshot(input.sqlite)

        let store = try input.sqlite.open()
        let pages = Int(try store.query("PRAGMA page_count")[0][0]!)!
        _ = try store.query("PRAGMA max_page_count = \(pages + 4)")
        let rows = TableRows(Tables.rejectedRecords, count: 20_000) { i, sink in
            sink.text("run-full")
            sink.text("server_state")
            sink.text("/x")
            sink.integer(Int64(i))
            sink.text("malformed_json")
            sink.text(String(repeating: "m", count: 200))
            sink.text(String(repeating: "r", count: 200))
        }
        let output = RunOutput(
            runID: "run-full", mode: .replace, fingerprint: "f", tables: [rows], rejects: rows,
            ledger: TableRows(Tables.pipelineRuns, count: 0) { _, _ in }, succeeded: true)
        var failure: DesyncError?
        do { try store.write(output, progress: nil) } catch let e as DesyncError { failure = e }
        let error = try #require(failure)
        #expect(error.code == .database && error.message.contains("is full"))
        #expect(try snapshot(input.sqlite) == before)
        #expect(try input.run().ledger.status == "succeeded")
    }

    @Test func sameInstantInTwoZonesAndMicrosecondTicksWhateverTheLocalZone() throws {
        let input = try TestInput.zones()
        let db = input.folder + "/tz.db"
        for zone in ["Asia/Kolkata", "America/St_Johns", "UTC"] {
            let r = ChildProcess.desync(
                ["run", "--input", input.folder, "--db", "sqlite:\(db)", "--format", "json"],
                environment: ["TZ": zone])
            try #require(r.code == 0, "\(r.err)")
            let store = try StoreLocation.sqlite(path: db).open()
            #expect(
                try store.query("SELECT timestamp FROM desync_events ORDER BY timestamp")
                    == TestInput.zonesExpected, "TZ=\(zone)")
        }
    }

    // MARK: - User mistakes: exit code, message, no stack trace

    func expectClean(
        _ r: (code: Int32, out: String, err: String), _ code: Int32, _ words: [String],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(r.code == code, "exit \(r.code): \(r.err)", sourceLocation: sourceLocation)
        for word in words {
            #expect(
                r.err.contains(word), "'\(word)' not in: \(r.err)", sourceLocation: sourceLocation)
        }
        #expect(r.err.hasPrefix("desync run: "), "\(r.err)", sourceLocation: sourceLocation)
        #expect(!looksLikeACrash(r.err), sourceLocation: sourceLocation)
        #expect(r.out.isEmpty, sourceLocation: sourceLocation)
    }

    @Test func missingInputFile() {
        let folder = temporaryFolder()
        let r = ChildProcess.desync([
            "run", "--player-events", folder + "/nope.jsonl", "--server-state",
            folder + "/nope2.jsonl",
            "--db", "sqlite:\(folder)/x.db",
        ])
        expectClean(r, 66, ["cannot open player_events input", "nope.jsonl", "No such file"])
    }

    /// chmod 000 stops no one running as root (as CI does), so as root the
    /// run is made as the unprivileged user `nobody` with `setpriv`.
    @Test func unreadableInputFile() throws {
        let (events, states) = TestInput.clean(3)
        let input = try TestInput(events: events, states: states)
        chmod(input.folder, 0o777)
        chmod(input.statesPath, 0o000)
        let args = ["run", "--input", input.folder, "--db", "sqlite:\(input.folder)/x.db"]
        let r: (code: Int32, out: String, err: String)
        if getuid() == 0 {
            r = ChildProcess.run(
                "/usr/bin/setpriv",
                ["--reuid=65534", "--regid=65534", "--clear-groups", DesyncBinary.path] + args)
        } else {
            r = ChildProcess.desync(args)
        }
        expectClean(
            r, 66, ["cannot open server_state input", "server_state.jsonl", "Permission denied"])
    }

    @Test func emptyInputAndBlankOnlyInput() throws {
        let empty = try TestInput(events: Data(), states: Data())
        expectClean(
            ChildProcess.desync([
                "run", "--input", empty.folder, "--db", "sqlite:\(empty.folder)/x.db",
            ]),
            66, ["player_events input", "holds no rows"])
        let blank = try TestInput(events: [Telemetry.event(0)], states: ["", "  ", "\t"])
        expectClean(
            ChildProcess.desync([
                "run", "--input", blank.folder, "--db", "sqlite:\(blank.folder)/x.db",
            ]),
            66, ["server_state input", "holds no rows"])
    }

    @Test func folderWithoutBothStreams() throws {
        let folder = temporaryFolder()
        expectClean(
            ChildProcess.desync(["run", "--input", folder, "--db", "sqlite:\(folder)/x.db"]), 66,
            ["lacks player_events.jsonl and server_state.jsonl", "desync generate"])
        try writeFile(folder + "/player_events.jsonl", Telemetry.event(0) + "\n")
        expectClean(
            ChildProcess.desync(["run", "--input", folder, "--db", "sqlite:\(folder)/x.db"]), 66,
            ["lacks server_state.jsonl"])
    }

    @Test func unreachableDatabaseNeverShowsThePassword() throws {
        let port = try #require(closedLoopbackPort())
        let secret = "Hunter2-secret"
        let r = ChildProcess.desync([
            "run", "--input", Self.fixture, "--db",
            "postgresql://analyst:\(secret)@127.0.0.1:\(port)/telemetry",
        ])
        expectClean(
            r, 69,
            ["cannot connect to PostgreSQL", "analyst:***@127.0.0.1:\(port)", "server is running"])
        #expect(!r.err.contains(secret) && !r.out.contains(secret))
        let pairs = ChildProcess.desync([
            "run", "--input", Self.fixture, "--db",
            "host=127.0.0.1 port=\(port) user=analyst password='\(secret)' dbname=t",
        ])
        expectClean(pairs, 69, ["cannot connect to PostgreSQL", "password=***"])
        #expect(!pairs.err.contains(secret))
    }

    /// A compressed input is named as such instead of being read as
    /// thousands of malformed lines.
    @Test func compressedInputIsRefusedWithTheToolToUse() throws {
        let folder = temporaryFolder("robust-gzip")
        let source = Self.fixture
        try FileManager.default.copyItem(
            atPath: source + "/server_state.jsonl", toPath: folder + "/server_state.jsonl")
        try FileManager.default.copyItem(
            atPath: source + "/player_events.jsonl", toPath: folder + "/player_events")
        let gzip = ChildProcess.run("/usr/bin/gzip", [folder + "/player_events"])
        try #require(gzip.code == 0, "\(gzip.err)")
        try FileManager.default.moveItem(
            atPath: folder + "/player_events.gz", toPath: folder + "/player_events.jsonl")
        let r = ChildProcess.desync(["run", "--input", folder, "--db", folder + "/out.db"])
        expectClean(r, 66, ["player_events input", "is gzip-compressed", "gzip -dc"])
        // The suggested command works on the file as named (.jsonl).
        let restored = ChildProcess.run("/usr/bin/gzip", ["-dc", folder + "/player_events.jsonl"])
        #expect(restored.code == 0 && restored.out.hasPrefix("{"), "\(restored.err)")
    }

    /// An --input-format names the files looked for: CSV files are not
    /// read as JSON Lines (every line a malformed_json reject) when JSON
    /// Lines were asked for.
    @Test func inputFormatDoesNotFallBackToTheOtherFormat() throws {
        let folder = temporaryFolder("robust-format")
        for name in ["player_events.csv", "server_state.csv"] {
            FileManager.default.createFile(atPath: folder + "/" + name, contents: Data("a\n".utf8))
        }
        let r = ChildProcess.desync([
            "run", "--input", folder, "--input-format", "jsonl", "--db", folder + "/out.db",
        ])
        expectClean(r, 66, ["lacks player_events.jsonl and server_state.jsonl"])
    }

    /// A --db whose settings libpq refuses (a port that is no number, an
    /// unknown sslmode or option) is a usage error, not an unreachable
    /// server, and still never shows the password.
    @Test func malformedDatabaseSettingsAreUsageErrors() throws {
        let secret = "Hunter2-secret"
        for (db, expected) in [
            ("postgresql://analyst:\(secret)@127.0.0.1:notaport/t", "\"port\""),
            ("postgresql://analyst:\(secret)@127.0.0.1:5432/t?sslmode=bogus", "sslmode"),
            ("host=127.0.0.1 bogus=1 password='\(secret)'", "\"bogus\""),
        ] {
            let r = ChildProcess.desync(["run", "--input", Self.fixture, "--db", db])
            expectClean(r, 64, ["--db", "invalid", expected, "for example --db postgresql://"])
            #expect(!r.err.contains(secret) && !r.out.contains(secret))
        }
    }

    @Test func fileThatIsNotAnSQLiteDatabase() throws {
        let folder = temporaryFolder()
        try writeFile(
            folder + "/notes.db",
            String(repeating: "these are my notes, not a database\n", count: 40))
        let original = try Data(contentsOf: URL(fileURLWithPath: folder + "/notes.db"))
        expectClean(
            ChildProcess.desync([
                "run", "--input", Self.fixture, "--db", "sqlite:\(folder)/notes.db",
            ]), 69,
            ["notes.db' is not an SQLite database", "point --db at another file"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/notes.db")) == original)
        expectClean(
            ChildProcess.desync(["run", "--input", Self.fixture, "--db", "sqlite:\(folder)"]), 69,
            ["cannot open SQLite database"])
    }

    @Test func tableWithIncompatibleColumns() throws {
        let folder = temporaryFolder()
        let db = StoreLocation.sqlite(path: folder + "/x.db")
        _ = try db.open().query("CREATE TABLE desync_events (session_id INTEGER, player_id TEXT)")
        let r = ChildProcess.desync([
            "run", "--input", Self.fixture, "--db", "sqlite:\(folder)/x.db",
        ])
        expectClean(
            r, 78,
            [
                "table desync_events", "column session_id of type INTEGER", "desync writes TEXT",
                "rename or drop that table", "RENAME TO desync_events_old",
            ])
        // Nothing was created or changed by the refused run.
        #expect(try db.open().query("SELECT count(*) FROM sqlite_master")[0][0] == "1")
    }

    @Test func inputThatIsAFolderOrNotAFile() throws {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(
            atPath: folder + "/player_events.jsonl", withIntermediateDirectories: true)
        try writeFile(folder + "/server_state.jsonl", Telemetry.state(0) + "\n")
        expectClean(
            ChildProcess.desync(["run", "--input", folder, "--db", "sqlite:\(folder)/x.db"]), 66,
            ["player_events input", "is not a regular file"])
    }
}
