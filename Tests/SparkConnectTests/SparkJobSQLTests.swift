import Desync
import Testing

@testable import DesyncCLI
@testable import SparkConnect

/// The Spark job's SQL text and the JDBC settings, without a server.
struct SparkJobSQLTests {
    static let job = DesyncSparkJob(
        playerEventsPath: "/data/it's/player_events.jsonl",
        serverStatePath: "/data/server_state.jsonl",
        jdbc: .init(url: "jdbc:postgresql://db:5432/desync", user: "u", password: "p'w"),
        runID: "run-1")

    @Test func writesThroughAJDBCViewWithExplicitCasts() throws {
        let output = DesyncSparkJob.Output(
            table: "desync_by_ping", stagingTable: "desync_stage_x_desync_by_ping",
            columns: [
                ("ping_category", "STRING"), ("average_desync_distance", "DOUBLE"),
                ("desync_event_count", "BIGINT"), ("in_sync_event_count", "BIGINT"),
                ("run_id", "STRING"), ("something_new", "DOUBLE"),
            ])
        let plan = try #require(Self.job.writeStatements(output))
        #expect(plan.unknown == ["something_new"])
        #expect(plan.statements.count == 2)
        let (create, insert) = (plan.statements[0], plan.statements[1])
        #expect(create.contains("USING jdbc OPTIONS"))
        #expect(create.contains("dbtable 'desync_stage_x_desync_by_ping'"))
        #expect(create.contains("password 'p\\'w'"))
        #expect(!SparkRedaction.redact(create).contains("p\\'w"))
        #expect(insert.hasPrefix("INSERT INTO desync_jdbc_desync_by_ping"))
        #expect(insert.contains("CAST(`ping_category` AS STRING) AS `ping_category`"))
        #expect(insert.contains("CAST('run-1' AS STRING) AS `run_id`"))
        #expect(insert.contains("CAST(NULL AS DOUBLE) AS `something_new`"))
    }

    @Test func timestampsAreWrittenWithoutTimeZone() throws {
        let output = SparkEngine.output(Tables.playerEvents, staging: "s")
        let plan = try #require(Self.job.writeStatements(output))
        #expect(plan.unknown.isEmpty)
        #expect(plan.statements[1].contains("CAST(`timestamp` AS TIMESTAMP_NTZ)"))
        #expect(plan.statements[0].contains("preferTimestampNTZ 'true'"))
    }

    @Test func everyContractTableHasASource() {
        for spec in [
            Tables.playerEvents, Tables.serverState, Tables.desyncEvents, Tables.desyncByPing,
            Tables.desyncByPacketLoss, Tables.rejectedRecords, Tables.unmatchedEvents,
        ] {
            let plan = Self.job.writeStatements(SparkEngine.output(spec, staging: "s"))
            #expect(plan != nil, "\(spec.name)")
            #expect(plan?.unknown == [], "\(spec.name)")
        }
    }

    @Test func pathsAreQuotedAsIdentifiers() {
        let raw = Self.job.preparationStatements().first { $0.contains("desync_pe_raw") }
        #expect(raw?.contains("FROM text.`/data/it's/player_events.jsonl`") == true)
    }

    @Test(arguments: [
        "postgresql://alice:s3cret@db.example:6543/telemetry?sslmode=require",
        "host=db.example port=6543 dbname=telemetry user=alice password='s3cret'",
    ])
    func jdbcTargetFromConnectionString(conninfo: String) throws {
        let target = try PostgresJDBCTarget.make(conninfo: conninfo, environment: [:])
        #expect(target.url == "jdbc:postgresql://db.example:6543/telemetry")
        #expect(target.user == "alice")
        #expect(target.password == "s3cret")
    }

    @Test func jdbcTargetDefaultsFromEnvironment() throws {
        let target = try PostgresJDBCTarget.make(
            conninfo: "postgresql:///desync",
            environment: ["PGHOST": "/var/run/postgresql", "PGUSER": "bob", "PGPASSWORD": "pw"])
        #expect(target.url == "jdbc:postgresql://localhost:5432/desync")
        #expect(target.user == "bob")
        #expect(target.password == "pw")
    }

    @Test func ledgerRowBecomesAnInsert() {
        var ledger = Ledger(runID: "r'1", startedAt: Timestamp(microseconds: 0))
        ledger.engine = "spark"
        let sql = SQLLiteralSink.insert(ledger.row)
        #expect(sql.hasPrefix("INSERT INTO \"pipeline_runs\" (\"run_id\""))
        #expect(sql.contains("'r''1'"))
        #expect(sql.contains("TIMESTAMP '1970-01-01 00:00:00.000000'"))
        #expect(sql.contains("'spark'"))
    }

    @Test(arguments: [
        (14, SparkConnectError.Code.unreachable), (4, .timeout), (12, .versionMismatch),
        (13, .server),
    ])
    func grpcStatusCodesMapToOurCodes(status: Int, code: SparkConnectError.Code) throws {
        let client = try SparkConnectClient(remote: "sc://127.0.0.1:1")
        let error = client.mapError(
            GRPCStatus(code: status, details: "d", errorString: nil, trailers: []), sql: "x")
        #expect(error.code == code)
    }
}
