import Foundation
import SparkConnect
import Testing

/// The Spark job's views (validation, join, metrics, summaries) on the
/// shared fixtures, read back through Arrow; no PostgreSQL involved.
@Suite(.enabled(if: SparkTestServer.enabled, SparkTestServer.skipReason), .serialized)
struct SparkJobQueryTests {
    /// Creates the job's cached views in a new session; call `release`.
    static func prepare(_ fixture: Fixture) throws -> (SparkConnectClient, DesyncSparkJob) {
        let spark = try SparkTestServer.client()
        let job = DesyncSparkJob(
            playerEventsPath: fixture.playerEvents, serverStatePath: fixture.serverState,
            jdbc: .init(url: "jdbc:postgresql://127.0.0.1:1/unused", user: "u", password: "p"),
            runID: "test")
        for statement in job.preparationStatements() + job.auxiliaryViews() {
            try spark.execute(statement)
        }
        return (spark, job)
    }

    /// Gives the cached views back (Spark's cache is shared by sessions).
    static func release(_ spark: SparkConnectClient, _ job: DesyncSparkJob) {
        for statement in job.cleanupStatements() { try? spark.execute(statement) }
    }

    /// notebook-1000 only: multi-50k goes through the same views in
    /// SparkEngineTests, and CI time is limited.
    @Test(arguments: [Fixture(name: "notebook-1000")])
    func summariesMatchExpected(fixture: Fixture) throws {
        let expected = try fixture.expected()
        let (spark, job) = try Self.prepare(fixture)
        defer { Self.release(spark, job) }

        let totals = try spark.sql(DesyncSparkJob.joinCountsQuery)
        #expect(totals["joined"]?.int(0) == expected.rows)
        #expect(totals["client_only"]?.int(0) == 0)
        #expect(totals["server_only"]?.int(0) == 0)
        #expect(totals["desynced"]?.int(0) == expected.desynced)
        #expect(closeEnough(totals["distance_sum"]?.double(0) ?? .nan, expected.distanceSum))
        #expect(totals["distance_max"]?.double(0) == expected.distanceMax)

        for (query, groups) in [
            (DesyncSparkJob.byPingQuery, expected.byPing),
            (DesyncSparkJob.byPacketLossQuery, expected.byPacketLoss),
        ] {
            let table = try spark.sql(query)
            #expect(table.rowCount == groups.count)
            for (row, group) in groups.enumerated() where row < table.rowCount {
                let key = table.columns[0]
                let keyText = key.string(row) ?? key.double(row).map { "\($0)" } ?? "?"
                #expect(keyText == group.key)
                #expect(
                    closeEnough(
                        table["average_desync_distance"]?.double(row) ?? .nan, group.average))
                #expect(table["desync_event_count"]?.int(row) == group.desynced)
                #expect(table["in_sync_event_count"]?.int(row) == group.inSync)
            }
        }

        let counts = try spark.sql(DesyncSparkJob.countsQuery)
        #expect(counts["rejected"]?.values == .int64([0, 0]))
        #expect(counts["duplicates"]?.values == .int64([0, 0]))
        #expect(counts["accepted"]?.values == .int64([expected.rows, expected.rows]))
    }
}
