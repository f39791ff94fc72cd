import Desync
import DesyncCLI
import DesyncTestSupport
import Foundation
import Testing

/// The whole report of a real run in a real SQLite file, checked against
/// figures recomputed here from the fixture's own ticks.
@Suite struct ReportTests {
    func runFixture(_ fixture: ReportFixture) throws -> RunResult {
        let config = RunConfiguration(
            playerEventsPath: fixture.folder + "/player_events.jsonl",
            serverStatePath: fixture.folder + "/server_state.jsonl",
            store: .sqlite(path: fixture.database))
        return try Pipeline(configuration: config).run()
    }

    func report(_ fixture: ReportFixture, clearAnalytics: Bool = false, minimumTicks: Int64 = 100)
        throws -> (html: String, data: ReportData, store: SQLiteStore)
    {
        let result = try runFixture(fixture)
        let store = try SQLiteStore(path: fixture.database)
        if clearAnalytics { try fixture.clearAnalytics(store, runID: result.ledger.runID) }
        var loader = ReportLoader(store: store)
        loader.minimumTicks = minimumTicks
        let data = try loader.load(runID: nil)
        #expect(data.run.id == result.ledger.runID)
        return (HTMLReport(data: data).html(), data, store)
    }

    /// The chart whose `<title>` is `title`.
    func chart(_ html: String, _ title: String) throws -> MarkupTree {
        let fragment = try #require(
            svgFragments(html).first { $0.contains("<title>\(title)</title>") })
        return try MarkupTree(fragment)
    }

    func bars(_ tree: MarkupTree) -> [String: Double] {
        var values: [String: Double] = [:]
        for bar in tree.all("rect", class: "bar") {
            values[bar.attributes["data-row"]! + "|" + bar.attributes["data-series"]!] = bar.number(
                "data-value")
        }
        return values
    }

    @Test func chartsShowTheRunsNumbers() throws {
        let fixture = try ReportFixture()
        let (html, data, store) = try report(fixture)
        let ticks = fixture.ticks

        // Ledger: counted by hand from what the fixture wrote.
        let ledger = bars(try chart(html, "Where every input row went"))
        let events = "player_events (client)"
        let states = "server_state (server)"
        #expect(ledger["read|\(events)"] == Double(ReportFixture.playerEventLines))
        #expect(ledger["rejected|\(events)"] == 1)
        #expect(ledger["read|\(states)"] == Double(ticks.count))
        #expect(ledger["joined|\(events)"] == Double(ticks.count))
        #expect(ledger["unmatched|\(events)"] == 1 && ledger["unmatched|\(states)"] == 0)
        let reasons = bars(try chart(html, "Rejected rows by reason"))
        #expect(reasons == ["malformed_json|rows": 1])

        // Rate and mean per ping band, from the fixture's own ticks.
        let rate = try chart(html, "De-sync rate by ping band")
        let mean = try chart(html, "Mean de-sync distance by ping band")
        for (band, label) in [
            (20, "low (< 50 ms)"), (80, "medium (50–149 ms)"), (200, "high (≥ 150 ms)"),
        ] {
            let group = ticks.filter { $0.ping == band }
            let desynced = group.filter { $0.distance > 1.0 }.count
            let average = group.map(\.distance).reduce(0, +) / Double(group.count)
            let shownRate = try #require(bars(rate)["\(label)|de-sync rate"])
            #expect(abs(shownRate - Double(desynced) / Double(group.count)) < 1e-12)
            #expect(close(try #require(bars(mean)["\(label)|mean distance"]), average))
            #expect(
                rate.texts.contains { $0.hasSuffix("n=\(ChartFormat.grouped(Int64(group.count)))") }
            )
        }
        let lossRate = bars(try chart(html, "De-sync rate by packet loss"))
        let lossy = ticks.filter { $0.loss == 0.07 }
        #expect(
            lossRate["loss 0.07|de-sync rate"]
                == Double(lossy.filter { $0.distance > 1 }.count) / Double(lossy.count))

        // Histogram: every tick in exactly the bin its distance falls in.
        let histogram = try chart(html, "Distribution of de-sync distances")
        let bins = histogram.all("rect", class: "bin")
        #expect(bins.map { $0.number("data-count")! }.reduce(0, +) == Double(ticks.count))
        for bin in bins where !bin.classes.contains("overflow") {
            let low = bin.number("data-low")!
            let high = bin.number("data-high")!
            let expected = ticks.filter { $0.distance >= low && $0.distance < high }.count
            #expect(bin.number("data-count") == Double(expected), "bin \(low)..<\(high)")
        }
        #expect(histogram.all("line", class: "threshold").first?.number("data-value") == 1.0)

        // Heat map: each row of desync_heatmap drawn as a cell with its
        // figures; together the cells hold every tick.
        let heat = try chart(html, "De-sync rate by ping band and packet loss")
        let cells = heat.all("rect", class: "cell")
        let band = [
            "low": "low (< 50 ms)", "medium": "medium (50–149 ms)", "high": "high (≥ 150 ms)",
        ]
        let heatRows = try store.query(
            "SELECT ping_category, loss_band, ticks, desync_rate FROM desync_heatmap"
                + " WHERE run_id = '\(data.run.id)'")
        #expect(!heatRows.isEmpty)
        for row in heatRows {
            let cell = try #require(
                cells.first {
                    $0.attributes["data-row"] == band[row[0]!]
                        && $0.attributes["data-column"] == row[1]!
                })
            #expect(cell.attributes["data-ticks"] == row[2]!)
            #expect(cell.number("data-rate") == (row[3].flatMap { Double($0) } ?? 0))
        }
        #expect(cells.map { $0.number("data-ticks")! }.reduce(0, +) == Double(ticks.count))
        #expect(
            heat.texts.contains(
                "n=\(ChartFormat.grouped(Int64(cells.map { $0.number("data-ticks")! }.max()!)))"))

        // Sweep: one point per threshold, each share recounted by hand.
        let sweep = try chart(html, "Share de-synced by threshold")
        let line = try #require(sweep.all("polyline", class: "series").first)
        #expect(data.sweep.count > 10)
        #expect(line.attributes["points"]!.split(separator: " ").count == data.sweep.count)
        for point in data.sweep {
            let above = ticks.filter { $0.distance > point.threshold }.count
            #expect(point.desynced == Int64(above), "threshold \(point.threshold)")
            #expect(abs(point.share - Double(above) / Double(ticks.count)) < 1e-12)
        }
        #expect(sweep.all("line", class: "marker").first?.number("data-value") == 1.0)

        // Players: ranked by the rate counted by hand.
        let players = try chart(html, "Players with the highest de-sync rate")
        var expected: [(String, Double)] = []
        for session in ReportFixture.sessions {
            for player in ReportFixture.players {
                let own = fixture.ticks(session: session, player: player)
                let rate = Double(own.filter { $0.distance > 1 }.count) / Double(own.count)
                expected.append(("\(session) / \(player)", rate))
            }
        }
        expected.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        let shown = players.all("rect", class: "bar")
        #expect(shown.map { $0.attributes["data-row"]! } == expected.map(\.0))
        for (bar, (_, rate)) in zip(shown, expected) {
            #expect(abs(bar.number("data-value")! - rate) < 1e-12)
        }
        #expect(players.texts.contains { $0.hasSuffix("n=240") })

        // The session s-2 (it de-syncs more by construction) has its
        // episodes shaded where the hand count puts them.
        let worst = try chart(html, "De-sync distance over time, session s-2")
        #expect(
            Set(worst.all("polyline", class: "series").map { $0.attributes["data-series"]! })
                == Set(ReportFixture.players))
        let start = ticks.filter { $0.session == "s-2" }.map(\.microseconds).min()!
        let handEpisodes = ReportFixture.players.flatMap {
            fixture.episodes(session: "s-2", player: $0)
        }
        let spans = worst.all("rect", class: "span")
        #expect(spans.count == handEpisodes.count && spans.count > 10)
        #expect(
            spans.map { $0.number("data-from")! }.sorted()
                == handEpisodes.map { Double($0.0 - start) / 1e6 }.sorted())
        #expect(
            spans.map { $0.number("data-to")! }.sorted()
                == handEpisodes.map { Double($0.1 - start) / 1e6 }.sorted())
        #expect(html.contains("Worst episode: player"))
        // The episode with the highest peak is called out by its times.
        let callout = try #require(worst.all("text", class: "callout").first)
        let s2 = try #require(data.sessions.first { $0.sessionID == "s-2" })
        let peak = s2.episodes[0]
        #expect(s2.episodes.allSatisfy { $0.peak <= peak.peak })
        #expect(
            callout.text
                == "worst episode \(ChartFormat.decimal(1).text(peak.start))–"
                + "\(ChartFormat.decimal(1).text(peak.end)) s")
        // The session holding the run's highest-peak episode is drawn first.
        let peaks = data.sessions.map { ($0.sessionID, $0.episodes.map(\.peak).max() ?? 0) }
        let highest = try #require(peaks.max { $0.1 < $1.1 })
        #expect(data.sessions[0].sessionID == highest.0)
        #expect(
            svgFragments(html).firstIndex { $0.contains("session \(highest.0)</title>") }!
                < svgFragments(html).firstIndex {
                    $0.contains("session \(highest.0 == "s-1" ? "s-2" : "s-1")</title>")
                }!)
    }

    @Test func playersUnderTheMinimumAreLeftOutAndCounted() throws {
        let fixture = try ReportFixture()
        let (html, data, _) = try report(fixture, minimumTicks: 241)
        #expect(data.topPlayers.isEmpty && data.playersBelowMinimum == 6)
        #expect(html.contains("6 players had fewer ticks and are left out"))
        #expect(html.contains("No data: desync_by_player has no rows with at least 241 ticks"))
    }

    @Test func telemetryTextIsInertAndThePageIsSelfContained() throws {
        let fixture = try ReportFixture()
        let (html, _, _) = try report(fixture)
        #expect(!html.lowercased().contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        // The input folder's name holds markup too.
        #expect(!html.contains("<b>fixture") && html.contains("&lt;b&gt;fixture"))
        for outside in [
            "http://", "https://", "src=", "<link", "@import", "url(", "<iframe", "<object",
        ] {
            #expect(!html.lowercased().contains(outside), "page refers outside: \(outside)")
        }
        #expect(html.contains("Content-Security-Policy") && html.contains("default-src 'none'"))
        for fragment in svgFragments(html) { _ = try MarkupTree(fragment) }
    }

    @Test func emptyAnalyticsTablesShowANote() throws {
        let fixture = try ReportFixture()
        let (html, _, _) = try report(fixture, clearAnalytics: true)
        for table in ["desync_heatmap", "threshold_sweep", "desync_by_player"] {
            #expect(html.contains("No data: \(table) has no rows"), "\(table)")
        }
        #expect(html.contains("desync_episodes has no rows for this session"))
        #expect(!html.contains("<title>Share de-synced by threshold</title>"))
        // Charts fed by desync_events and the ledger still show.
        #expect(html.contains("<title>De-sync rate by ping band</title>"))
        #expect(html.contains("<title>Distribution of de-sync distances</title>"))
    }

    @Test func reportCommandWritesTheFileAndNamesMistakes() throws {
        let fixture = try ReportFixture()
        let result = try runFixture(fixture)
        let out = fixture.folder + "/r.html"
        let capture = Console.Capture()
        let code = CLI.main(
            [
                "report", "--db", "sqlite:" + fixture.database, "--run", result.ledger.runID,
                "--out", out,
            ],
            console: .capturing(capture))
        #expect(code == 0, "\(capture.err)")
        #expect(capture.out.contains("wrote") && capture.out.contains(result.ledger.runID))
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.contains(result.ledger.runID))

        func run(_ arguments: [String]) -> (Int32, String) {
            let capture = Console.Capture()
            return (CLI.main(arguments, console: .capturing(capture)), capture.err)
        }
        let unknown = run([
            "report", "--db", "sqlite:" + fixture.database, "--run", "run-x'", "--out", out,
        ])
        #expect(unknown.0 == 64 && unknown.1.contains("desync runs"))
        let noDB = run(["report", "--db", "sqlite:" + fixture.folder + "/none.db", "--out", out])
        #expect(noDB.0 == 66 && noDB.1.contains("desync run --input"))
        #expect(!FileManager.default.fileExists(atPath: fixture.folder + "/none.db"))
        #expect(run(["report", "--db", "sqlite:" + fixture.database]).0 == 64)
        let folder = run([
            "report", "--db", "sqlite:" + fixture.database, "--out",
            fixture.folder + "/no/such/r.html",
        ])
        #expect(folder.0 == 73 && folder.1.contains("cannot write the report"))
    }

    @Test func runWritesTheReportWithReportOption() throws {
        let fixture = try ReportFixture()
        let out = fixture.folder + "/run.html"
        let capture = Console.Capture()
        let code = CLI.main(
            [
                "run", "--input", fixture.folder, "--db", "sqlite:" + fixture.database, "--report",
                out,
            ],
            console: .capturing(capture))
        #expect(code == 0, "\(capture.err)")
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.contains("<title>De-sync rate by ping band</title>"))
        #expect(capture.out.contains("wrote \(out)"))
        let help = CLI.main(["--help"], console: .capturing(capture))
        #expect(help == 0 && capture.out.contains("  report "))
    }
}
