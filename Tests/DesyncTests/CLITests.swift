import Desync
import DesyncCLI
import DesyncTestSupport
import Foundation
import Testing

@Suite struct CLITests {
    func run(_ arguments: [String]) -> (code: Int32, out: String, err: String) {
        let capture = Console.Capture()
        let code = CLI.main(arguments, console: .capturing(capture))
        return (code, capture.out, capture.err)
    }

    @Test func topHelpListsCommands() {
        let r = run(["--help"])
        #expect(r.code == 0)
        for name in ["generate", "run", "runs", "show"] {
            #expect(r.out.contains("  \(name) "))
        }
    }

    @Test func commandHelpListsEveryOptionWithDefault() {
        let r = run(["generate", "--help"])
        #expect(r.code == 0)
        for line in [
            "--sessions N", "(default: 10)", "--tick-ms MS", "(default: 50)", "--seed N",
            "(default: 42)",
        ] {
            #expect(r.out.contains(line), "missing \(line)")
        }
        let run = self.run(["run", "--help"])
        #expect(run.out.contains("--db URL") && run.out.contains("(default: sqlite:desync.db)"))
    }

    @Test func unknownOptionSuggestsTheRightOne() {
        let r = run(["generate", "--tick", "5", "--out", "x"])
        #expect(r.code == 64)
        #expect(r.err.contains("did you mean --ticks?"))
        let bad = run(["generate", "--out", "x", "--ticks", "many"])
        #expect(bad.code == 64)
        #expect(bad.err.contains("--ticks expects a whole number"))
        #expect(run(["frobnicate"]).code == 64)
        #expect(run(["rnu"]).err.contains("did you mean 'run'?"))
    }

    @Test func runPrintsTablesAndStoresThem() throws {
        let folder = temporaryFolder()
        let r = run([
            "run", "--input", Fixtures.folder("notebook-1000"), "--db", "sqlite:\(folder)/x.db",
        ])
        #expect(r.code == 0, "\(r.err)")
        #expect(
            r.out.contains(
                "high                            5.1338                 135                   19"))
        #expect(
            r.out.contains(
                "       0.08                   5.4386                  24                    0"))
        #expect(r.err.isEmpty)
    }

    @Test func missingInputSaysWhatToDo() {
        let r = run(["run", "--input", "/nonexistent/folder", "--db", "sqlite:/tmp/unused.db"])
        #expect(r.code == 66)
        #expect(r.err.contains("does not exist") && r.err.contains("desync generate"))
    }

    @Test func generateIsDeterministic() throws {
        let a = temporaryFolder()
        let b = temporaryFolder()
        let args = [
            "--sessions", "2", "--players", "3", "--ticks", "200", "--seed", "9", "--quiet",
        ]
        #expect(run(["generate", "--out", a] + args).code == 0)
        #expect(run(["generate", "--out", b] + args).code == 0)
        for file in ["player_events.jsonl", "server_state.jsonl"] {
            let x = try Data(contentsOf: URL(fileURLWithPath: a + "/" + file))
            let y = try Data(contentsOf: URL(fileURLWithPath: b + "/" + file))
            #expect(x == y && x.count > 0)
        }
        let c = temporaryFolder()
        #expect(run(["generate", "--out", c] + args.map { $0 == "9" ? "10" : $0 }).code == 0)
        let x = try Data(contentsOf: URL(fileURLWithPath: a + "/player_events.jsonl"))
        let z = try Data(contentsOf: URL(fileURLWithPath: c + "/player_events.jsonl"))
        #expect(x != z)
    }

    @Test func generateRefusesToOverwriteWithoutForce() throws {
        let folder = temporaryFolder()
        let args = ["generate", "--out", folder, "--ticks", "10", "--quiet"]
        #expect(run(args).code == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: folder + "/player_events.jsonl"))
        let again = run(args + ["--seed", "5"])
        #expect(again.code == 73)
        #expect(
            again.err.contains("already holds player_events.jsonl") && again.err.contains("--force")
        )
        let after = try Data(contentsOf: URL(fileURLWithPath: folder + "/player_events.jsonl"))
        #expect(before == after)
        #expect(run(args + ["--seed", "5", "--force"]).code == 0)
        let forced = try Data(contentsOf: URL(fileURLWithPath: folder + "/player_events.jsonl"))
        #expect(forced != before)
    }

    /// A run over its reject budget exits 65 and, with --format json,
    /// still prints its ledger as one JSON document on stdout.
    @Test func failedRunPrintsItsLedgerAsJSON() throws {
        let folder = temporaryFolder()
        #expect(
            run([
                "generate", "--out", folder, "--ticks", "100", "--players", "1", "--sessions", "1",
                "--quiet",
            ]).code == 0)
        let path = folder + "/server_state.jsonl"
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(
            String.init)
        for i in 0..<10 { lines[i] = "{\"broken\": " }
        try writeFile(path, lines.joined(separator: "\n") + "\n")
        let r = run(["run", "--input", folder, "--db", "sqlite:\(folder)/x.db", "--format", "json"])
        #expect(r.code == 65)
        let doc = try #require(
            try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        #expect(doc["status"] as? String == "failed")
        let ledger = try #require(doc["ledger"] as? [String: Any])
        let states = try #require(ledger["server_state"] as? [String: Any])
        #expect(states["read"] as? Int == 100 && states["rejected"] as? Int == 10)
        #expect((doc["message"] as? String)?.contains("above --max-reject-rate") == true)
    }

    @Test func repeatedAndContradictoryOptionsAreRefused() {
        let twice = run(["run", "--input", "a", "--input", "b"])
        #expect(twice.code == 64 && twice.err.contains("--input is given twice"))
        let both = run(["generate", "--out", "x", "--quiet", "--verbose"])
        #expect(both.code == 64 && both.err.contains("contradict"))
        let negative = run([
            "run", "--input", Fixtures.folder("notebook-1000"), "--threshold", "-1",
        ])
        #expect(negative.code == 64 && negative.err.contains("cannot be negative"))
    }

    @Test func readOnlyCommandsDoNotCreateDatabases() {
        let path = temporaryFolder() + "/absent.db"
        for command in [["runs"], ["show", "desync_by_ping"]] {
            let r = run(command + ["--db", "sqlite:\(path)"])
            #expect(r.code == 66 && r.err.contains("no database at"))
            #expect(!FileManager.default.fileExists(atPath: path))
        }
        let unknown = run(["show", "no_such_table", "--db", "sqlite:\(path)"])
        #expect(unknown.code == 64 && unknown.err.contains("unknown table 'no_such_table'"))
    }

    /// Realistic clocks do not line up: the exact join pairs almost
    /// nothing, and the run says what to try instead.
    @Test func exactJoinThatPairsLittleSuggestsTheNearestJoin() {
        let folder = temporaryFolder()
        let generate = [
            "generate", "--out", folder, "--profile", "realistic", "--sessions", "1", "--players",
            "2",
            "--ticks", "200", "--quiet",
        ]
        #expect(run(generate).code == 0)
        let r = run(["run", "--input", folder, "--db", "sqlite:\(folder)/x.db"])
        #expect(r.code == 0)
        #expect(r.err.contains("try --join nearest --correct-clock-offset"))
        let nearest = run([
            "run", "--input", folder, "--db", "sqlite:\(folder)/x.db", "--join", "nearest",
            "--correct-clock-offset",
        ])
        #expect(nearest.code == 0 && !nearest.err.contains("warning"))
    }

    @Test func terminalTextNeutralisesBidiOverrides() {
        #expect(TerminalText.cell("evil\u{202E}txt.exe") == "evil\\u{202e}txt.exe")
        #expect(TerminalText.cell("\u{1B}[31mred") == "\\u{1b}[31mred")
    }

    /// The notebook profile's own facts (CONTRACT.md): tiers 15/25/60%,
    /// de-sync rates 0.8 and 0.25 within tiers, loss 0 when good.
    @Test func notebookProfileFollowsTheProducersModel() throws {
        let folder = temporaryFolder()
        #expect(
            run([
                "generate", "--out", folder, "--sessions", "4", "--players", "5", "--ticks", "2000",
                "--quiet",
            ]).code == 0)
        let r = run(["run", "--input", folder, "--db", "sqlite:\(folder)/x.db", "--format", "json"])
        #expect(r.code == 0, "\(r.err)")
        let doc = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as! [String: Any]
        let byPing = doc["desync_by_ping"] as! [[String: Any]]
        func share(_ category: String) -> Double {
            let row = byPing.first { $0["ping_category"] as! String == category }!
            return Double(
                (row["desync_event_count"] as! Int) + (row["in_sync_event_count"] as! Int)) / 40_000
        }
        #expect(abs(share("high") - 0.15) < 0.01)
        #expect(abs(share("medium") - 0.25) < 0.01)
        #expect(abs(share("low") - 0.60) < 0.01)
        let high = byPing.first { $0["ping_category"] as! String == "high" }!
        let rate =
            Double(high["desync_event_count"] as! Int)
            / Double((high["desync_event_count"] as! Int) + (high["in_sync_event_count"] as! Int))
        #expect(abs(rate - 0.8) < 0.03)
    }
}

/// The analysis and join options of `desync run`.
@Suite struct AnalyticsOptionTests {
    func run(_ arguments: [String]) -> (code: Int32, out: String, err: String) {
        let capture = Console.Capture()
        let code = CLI.main(arguments, console: .capturing(capture))
        return (code, capture.out, capture.err)
    }

    @Test func helpShowsTheNewOptionsWithDefaults() {
        let help = run(["run", "--help"]).out
        for text in [
            "--window DURATION", "(default: 60s)", "--join MODE", "(default: exact)",
            "--tolerance-ms MS", "(default: 25)", "--correct-clock-offset",
        ] {
            #expect(help.contains(text), "missing \(text)")
        }
    }

    @Test(arguments: [
        ("60s", Int64(60_000_000)), ("1m", 60_000_000), ("500ms", 500_000), ("1.5h", 5_400_000_000),
        ("0.25s", 250_000),
    ])
    func windowDurations(text: String, microseconds: Int64) throws {
        #expect(try DurationText.microseconds(text, option: "--window") == microseconds)
    }

    @Test(arguments: ["60", "s", "-5s", "0ms", "1x", "ms"])
    func badWindowsAreUsageErrors(text: String) {
        let folder = temporaryFolder()
        let r = run([
            "run", "--input", Fixtures.folder("notebook-1000"), "--db", "sqlite:\(folder)/x.db",
            "--window", text,
        ])
        #expect(r.code == 64)
        #expect(r.err.contains("--window expects a positive duration with a unit"))
    }

    @Test func joinOptionsAreChecked() {
        let base = [
            "run", "--input", Fixtures.folder("notebook-1000"), "--db", "sqlite:/tmp/unused.db",
        ]
        let wrong = run(base + ["--join", "fuzzy"])
        #expect(wrong.code == 64 && wrong.err.contains("--join must be exact or nearest"))
        let orphan = run(base + ["--tolerance-ms", "10"])
        #expect(orphan.code == 64 && orphan.err.contains("add --join nearest"))
        let flag = run(base + ["--correct-clock-offset"])
        #expect(flag.code == 64 && flag.err.contains("add --join nearest"))
        let negative = run(base + ["--join", "nearest", "--tolerance-ms", "-1"])
        #expect(negative.code == 64 && negative.err.contains("--tolerance-ms expects milliseconds"))
    }

    @Test func optionsReachTheLedgerAndTheTables() throws {
        let folder = temporaryFolder()
        let db = "\(folder)/x.db"
        let r = run([
            "run", "--input", Fixtures.folder("notebook-1000"), "--db", "sqlite:\(db)", "--quiet",
            "--join", "nearest", "--tolerance-ms", "10", "--window", "10s", "--threshold", "2.5",
            "--ping-bands", "40,200",
        ])
        #expect(r.code == 0, "\(r.err)")
        let store = try StoreLocation.sqlite(path: db).open()
        let ledger = try store.query("SELECT join_mode, tolerance_ms, options FROM pipeline_runs")[
            0]
        #expect(ledger[0] == "nearest" && ledger[1] == "10.0")
        #expect(
            ledger[2]
                == "{\"threshold\":2.5,\"ping_bands\":[40,200],\"join\":\"nearest\",\"tolerance_ms\":10.0,"
                + "\"correct_clock_offset\":false,\"window_ms\":10000.0,\"max_reject_rate\":0.05,\"partitions\":1}"
        )
        // 1000 ticks of 50 ms from 00:33:36.45: windows of 10 s.
        let windows = try store.query(
            "SELECT min(window_start), count(*), sum(ticks) FROM desync_by_window")
        #expect(windows[0] == ["2025-10-28 00:33:30.000000", "6", "1000"])
        let bands = try store.query(
            "SELECT DISTINCT ping_category, ping_low_ms, ping_high_ms FROM desync_heatmap"
                + " ORDER BY ping_low_ms")
        #expect(bands == [["low", "0", "40"], ["medium", "40", "200"], ["high", "200", nil]])
        let sweep = try store.query("SELECT count(*) FROM threshold_sweep WHERE threshold = 2.5")
        #expect(sweep[0][0] == "1")
        let flagged = try store.query(
            "SELECT (SELECT count(*) FROM desync_events WHERE desync_distance > 2.5),"
                + " (SELECT desync_event_count FROM desync_stats WHERE scope = 'overall')")
        #expect(flagged[0][0] == flagged[0][1])
    }
}
