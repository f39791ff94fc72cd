import Desync
import DesyncCLI
import DesyncTestSupport
import Foundation
import Testing

/// The report's queries are the subset of SQL both stores speak: the same
/// run read from PostgreSQL and from SQLite gives the same figures.
@Suite(.serialized) struct PostgresReportTests {
    /// A database of its own, so the other PostgreSQL suites running at the
    /// same time cannot replace this run's tables under it.
    func url() throws -> String? {
        guard let base = TestPostgres.url else {
            if TestPostgres.required {
                let message = "DESYNC_TEST_PG is not set: CI must start PostgreSQL"
                Issue.record(Comment(rawValue: message + " (scripts/start-postgres.sh)"))
            }
            return nil
        }
        let admin = try StoreLocation(base).open()
        if try admin.query("SELECT 1 FROM pg_database WHERE datname = 'desync_report_test'").isEmpty
        {
            _ = try admin.query("CREATE DATABASE desync_report_test")
        }
        var parts = base.split(separator: "?", maxSplits: 1).map(String.init)
        let slash = try #require(parts[0].lastIndex(of: "/"))
        parts[0] = String(parts[0][...slash]) + "desync_report_test"
        return parts.joined(separator: "?")
    }

    func load(_ fixture: ReportFixture, _ location: StoreLocation) throws -> ReportData {
        let config = RunConfiguration(
            playerEventsPath: fixture.folder + "/player_events.jsonl",
            serverStatePath: fixture.folder + "/server_state.jsonl", store: location)
        let result = try Pipeline(configuration: config).run()
        return try ReportLoader(store: try location.open()).load(runID: result.ledger.runID)
    }

    @Test func postgresAndSQLiteGiveTheSameReport() throws {
        guard let url = try url() else { return }
        let fixture = try ReportFixture()
        let pg = try load(fixture, try StoreLocation(url))
        let lite = try load(fixture, .sqlite(path: fixture.database))

        #expect(pg.joinedRows == Int64(fixture.ticks.count) && lite.joinedRows == pg.joinedRows)
        #expect(pg.run.playerEvents.read == lite.run.playerEvents.read)
        #expect(pg.run.rejectedByReason.map(\.reason) == ["malformed_json"])
        for (a, b) in zip(pg.byPing + pg.byLoss, lite.byPing + lite.byLoss) {
            #expect(a.label == b.label && a.ticks == b.ticks && a.desynced == b.desynced)
            #expect(close(a.meanDistance, b.meanDistance))
        }
        #expect(pg.byPing.map(\.label) == ["low", "medium", "high"])
        #expect(pg.byLoss.count == 3 && lite.byLoss.count == 3)
        #expect(pg.histogram == lite.histogram && pg.histogramOverflow == lite.histogramOverflow)
        #expect(pg.heatmap.count == lite.heatmap.count && !pg.heatmap.isEmpty)
        #expect(pg.sweep.map(\.desynced) == lite.sweep.map(\.desynced) && !pg.sweep.isEmpty)
        #expect(Set(pg.sessions.map(\.sessionID)) == ["s-1", "s-2"])
        #expect(pg.sessions.map(\.sessionID) == lite.sessions.map(\.sessionID))
        for (a, b) in zip(pg.sessions, lite.sessions) {
            #expect(a.players.map(\.playerID) == b.players.map(\.playerID))
            #expect(a.players.map(\.points) == b.players.map(\.points))
            #expect(a.episodes.map(\.start).sorted() == b.episodes.map(\.start).sorted())
            #expect(!a.episodes.isEmpty)
        }
        #expect(pg.topPlayers.map(\.playerID) == lite.topPlayers.map(\.playerID))
        let html = HTMLReport(data: pg).html()
        #expect(!html.contains("<script") && html.contains("&lt;script&gt;alert(1)"))
    }
}
