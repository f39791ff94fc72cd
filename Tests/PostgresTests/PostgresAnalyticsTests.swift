import Desync
import DesyncTestSupport
import Foundation
import Testing

/// The analytics tables read back the same from PostgreSQL as from SQLite.
/// Part of `PostgresFixtureTests`, whose tests run one at a time: they all
/// write the same tables of one database.
extension PostgresFixtureTests {
    @Test func analyticsTablesEqualSQLites() throws {
        guard let url = try? url() else { return }
        func run(_ store: StoreLocation) throws -> ResultStore {
            var config = RunConfiguration(
                playerEventsPath: Fixtures.folder("multi-50k") + "/player_events.jsonl",
                serverStatePath: Fixtures.folder("multi-50k") + "/server_state.jsonl", store: store)
            config.analysis.window = 10_000_000
            _ = try Pipeline(configuration: config).run()
            return try store.open()
        }
        let postgres = try AnalyticsReadBack.tables(try run(try StoreLocation(url)))
        let sqlite = try AnalyticsReadBack.tables(
            try run(.sqlite(path: temporaryFolder() + "/out.db")))
        for spec in AnalyticsTables.all {
            let p = postgres[spec.name] ?? []
            let s = sqlite[spec.name] ?? []
            #expect(!p.isEmpty, "\(spec.name) is empty")
            #expect(p.count == s.count, "\(spec.name): \(p.count) rows against \(s.count)")
            let differing = zip(p, s).filter { $0.0 != $0.1 }
            #expect(differing.isEmpty, "\(spec.name): \(differing.prefix(2))")
        }
        let ledger = try StoreLocation(url).open().query(
            "SELECT join_mode, tolerance_ms, client_outside_tolerance, server_outside_tolerance"
                + " FROM pipeline_runs ORDER BY started_at DESC LIMIT 1")
        #expect(ledger[0] == ["exact", "0", "0", "0"])
    }
}
