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

    func report(_ fixture: ReportFixture, analytics: Bool) throws -> (html: String, run: String) {
        let result = try runFixture(fixture)
        let store = try SQLiteStore(path: fixture.database)
        if analytics { try fixture.insertAnalytics(store, runID: result.ledger.runID) }
        let data = try ReportLoader(store: store).load(runID: nil)
        #expect(data.run.id == result.ledger.runID)
        return (HTMLReport(data: data).html(), result.ledger.runID)
    }

    /// The chart whose `<title>` is `title`.
    func chart(_ html: String, _ title: String) throws -> MarkupTree {
        let fragment = try #require(svgFragments(html).first { $0.contains("<title>\(title)</title>") })
        return try MarkupTree(fragment)
    }

    func bars(_ tree: MarkupTree) -> [String: Double] {
        var values: [String: Double] = [:]
        for bar in tree.all("rect", class: "bar") {
            values[bar.attributes["data-row"]! + "|" + bar.attributes["data-series"]!] = bar.number("data-value")
        }
        return values
    }

    @Test func chartsShowTheRunsNumbers() throws {
        let fixture = try ReportFixture()
        let (html, _) = try report(fixture, analytics: true)
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
        for (band, label) in [(20, "low (< 50 ms)"), (80, "medium (50–149 ms)"), (200, "high (≥ 150 ms)")] {
            let group = ticks.filter { $0.ping == band }
            let desynced = group.filter { $0.distance > 1.0 }.count
            let average = group.map(\.distance).reduce(0, +) / Double(group.count)
            let shownRate = try #require(bars(rate)["\(label)|de-sync rate"])
            #expect(abs(shownRate - Double(desynced) / Double(group.count)) < 1e-12)
            #expect(close(try #require(bars(mean)["\(label)|mean distance"]), average))
            #expect(rate.texts.contains { $0.hasSuffix("n=\(ChartFormat.grouped(Int64(group.count)))") })
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

        // Heat map and sweep: the rows inserted, drawn.
        let heat = try chart(html, "De-sync rate by ping band and packet loss")
        let cells = heat.all("rect", class: "cell")
        // Four rows inserted over 3 bands × 3 loss bands; the five others empty.
        #expect(cells.count == 9)
        #expect(cells.filter { $0.attributes["data-ticks"] == "0" }.count == 5)
        #expect(heat.texts.contains("n=12") && heat.texts.contains("80.0%"), "\(heat.texts)")
        let sweep = try chart(html, "Share de-synced by threshold")
        let line = try #require(sweep.all("polyline", class: "series").first)
        #expect(line.attributes["points"]!.split(separator: " ").count == ReportFixture.sweepRows.count)
        #expect(sweep.all("line", class: "marker").first?.number("data-value") == 1.0)

        // Players: ranked by rate, the one with 20 ticks left out.
        let players = try chart(html, "Players with the highest de-sync rate")
        let ranked = ReportFixture.playerRows.filter { $0.2 >= 100 }
            .sorted { Double($0.3) / Double($0.2) > Double($1.3) / Double($1.2) }
        #expect(
            players.all("rect", class: "bar").map { $0.attributes["data-row"]! }
                == ranked.map { "\($0.0) / \($0.1)" })
        #expect(html.contains("1 player had fewer ticks and is left out"))

        // Worst session first: s-2 de-syncs more by construction.
        let worst = try chart(html, "De-sync distance over time, session s-2")
        #expect(
            Set(worst.all("polyline", class: "series").map { $0.attributes["data-series"]! })
                == Set(ReportFixture.players))
        let spans = worst.all("rect", class: "span")
        #expect(spans.map { $0.number("data-from")! }.sorted() == [2.0, 7.5])
        #expect(html.contains("from 2.0 s to 3.0 s"))
        #expect(svgFragments(html).firstIndex { $0.contains("session s-2</title>") }!
            < svgFragments(html).firstIndex { $0.contains("session s-1</title>") }!)
    }

    @Test func telemetryTextIsInertAndThePageIsSelfContained() throws {
        let fixture = try ReportFixture()
        let (html, _) = try report(fixture, analytics: true)
        #expect(!html.lowercased().contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        // The input folder's name holds markup too.
        #expect(!html.contains("<b>fixture") && html.contains("&lt;b&gt;fixture"))
        for outside in ["http://", "https://", "src=", "<link", "@import", "url(", "<iframe", "<object"] {
            #expect(!html.lowercased().contains(outside), "page refers outside: \(outside)")
        }
        #expect(html.contains("Content-Security-Policy") && html.contains("default-src 'none'"))
        for fragment in svgFragments(html) { _ = try MarkupTree(fragment) }
    }

    @Test func emptyAnalyticsTablesShowANote() throws {
        let fixture = try ReportFixture()
        let (html, _) = try report(fixture, analytics: false)
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
            ["report", "--db", "sqlite:" + fixture.database, "--run", result.ledger.runID, "--out", out],
            console: .capturing(capture))
        #expect(code == 0, "\(capture.err)")
        #expect(capture.out.contains("wrote") && capture.out.contains(result.ledger.runID))
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.contains(result.ledger.runID))

        func run(_ arguments: [String]) -> (Int32, String) {
            let capture = Console.Capture()
            return (CLI.main(arguments, console: .capturing(capture)), capture.err)
        }
        let unknown = run(["report", "--db", "sqlite:" + fixture.database, "--run", "run-x'", "--out", out])
        #expect(unknown.0 == 64 && unknown.1.contains("desync runs"))
        let noDB = run(["report", "--db", "sqlite:" + fixture.folder + "/none.db", "--out", out])
        #expect(noDB.0 == 66 && noDB.1.contains("desync run --input"))
        #expect(!FileManager.default.fileExists(atPath: fixture.folder + "/none.db"))
        #expect(run(["report", "--db", "sqlite:" + fixture.database]).0 == 64)
        let folder = run(["report", "--db", "sqlite:" + fixture.database, "--out", fixture.folder + "/no/such/r.html"])
        #expect(folder.0 == 73 && folder.1.contains("cannot write the report"))
    }

    @Test func runWritesTheReportWithReportOption() throws {
        let fixture = try ReportFixture()
        let out = fixture.folder + "/run.html"
        let capture = Console.Capture()
        let code = CLI.main(
            ["run", "--input", fixture.folder, "--db", "sqlite:" + fixture.database, "--report", out],
            console: .capturing(capture))
        #expect(code == 0, "\(capture.err)")
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.contains("<title>De-sync rate by ping band</title>"))
        #expect(capture.out.contains("wrote \(out)"))
        let help = CLI.main(["--help"], console: .capturing(capture))
        #expect(help == 0 && capture.out.contains("  report "))
    }
}
