import Desync
import Foundation
import SparkConnect

/// Runs the whole desync job inside Spark through Spark Connect, in one
/// Spark session, and leaves PostgreSQL as the embedded engine would.
///
/// Data never passes through this process: Spark reads the inputs (paths
/// the cluster can read) and writes every table with its JDBC writer into
/// staging tables. Only then, in one PostgreSQL transaction, the batch
/// tables are emptied, refilled from the staging tables, the staging tables
/// dropped and the run recorded in `pipeline_runs`. A run that fails half
/// way leaves the previous results untouched. The two summaries and the
/// counts come back through Arrow.
struct SparkEngine {
    var configuration: RunConfiguration
    var remote: String
    var logger: Logger

    /// What the command line prints.
    struct Result {
        var ledger: Ledger
        var byPing: ArrowTable
        var byPacketLoss: ArrowTable
        var joinedRows: Int64
        var desyncedRows: Int64
        var distanceSum: Double
        var distanceMax: Double
        var timings: [(String, Double)]
        var store: String
        /// Columns of our tables Spark cannot compute yet (written as NULL).
        var missingColumns: [String]
    }

    func run() throws -> Result {
        guard configuration.mode == .replace else {
            // FIXME: append mode (replace the batch with the same fingerprint)
            // needs input checksums, which the client cannot compute for
            // files only the cluster can read.
            throw DesyncError(
                .usage, "--engine spark supports --mode replace only; drop --mode append")
        }
        guard configuration.join == JoinOptions() else {
            // FIXME: the nearest-time join exists only in the embedded engine.
            throw DesyncError(
                .usage, "--engine spark supports the exact join only; drop the --join options")
        }
        let csv = [configuration.playerEventsPath, configuration.serverStatePath].contains {
            $0.lowercased().hasSuffix(".csv")
        }
        guard configuration.inputFormat != .csv, !csv || configuration.inputFormat == .jsonl
        else {
            // FIXME: CSV input is read by the embedded engine only.
            throw DesyncError(.usage, "--engine spark reads JSON Lines only, not CSV")
        }
        guard case .postgres(let conninfo) = configuration.store else {
            throw DesyncError(
                .usage,
                "--engine spark writes through Spark's JDBC writer and needs "
                    + "--db postgresql://user:password@host:port/database (the cluster must "
                    + "reach that host)")
        }
        let started = Timestamp.now
        var ledger = Ledger(runID: Pipeline.newRunID(at: started), startedAt: started)
        ledger.engine = "spark"
        ledger.mode = configuration.mode
        ledger.options = optionsJSON()
        var timings: [(String, Double)] = []
        func timed<R>(_ stage: String, _ body: () throws -> R) throws -> R {
            let start = DispatchTime.now().uptimeNanoseconds
            let result = try body()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            timings.append((stage, seconds))
            logger.info("stage", [("stage", stage), ("seconds", String(format: "%.3f", seconds))])
            return result
        }

        let store = try PostgresStore(conninfo: conninfo)
        let job = DesyncSparkJob(
            playerEventsPath: configuration.playerEventsPath,
            serverStatePath: configuration.serverStatePath,
            jdbc: try PostgresJDBCTarget.make(conninfo: conninfo),
            runID: ledger.runID, options: jobOptions())
        let suffix = String(ledger.runID.suffix(8)).filter { $0.isLetter || $0.isNumber }
        let computable = Tables.batchTables.filter {
            job.writeStatements(Self.output($0, staging: "")) != nil
        }
        let outputs = computable.map { ($0, "desync_stage_\(suffix)_\($0.name)") }
        let skipped = Tables.batchTables.map(\.name).filter { name in
            !computable.contains { $0.name == name }
        }
        if !skipped.isEmpty {
            // FIXME: the analytics tables (DOMAIN.md) are computed by the
            // embedded engine only; a Spark run leaves them empty.
            logger.warning(
                "spark_tables_left_empty", [("tables", skipped.joined(separator: ","))])
        }

        try prepareTables(store, outputs)
        defer { dropStaging(store, outputs) }

        let spark: SparkConnectClient
        do {
            spark = try SparkConnectClient(remote: remote)
        } catch {
            throw Self.wrap(error, "--spark-remote \(remote)")
        }
        logger.info("spark_session", [("remote", remote), ("session", spark.sessionID)])
        // Spark's cache is shared by all sessions of the server: always give
        // the cached views back, or every run leaves its data in memory.
        defer {
            for statement in job.cleanupStatements() { try? spark.execute(statement) }
            do {
                try spark.close()
            } catch {
                logger.warning("spark_session_not_released", [("error", "\(error)")])
            }
        }

        var missing: [String] = []
        let summaries: (ArrowTable, ArrowTable)
        var totals = ArrowTable(columns: [])
        do {
            try timed("read") {
                for statement in job.preparationStatements() + job.auxiliaryViews() {
                    try spark.execute(statement)
                }
                totals = try fillLedgerCounts(&ledger, spark)
            }
            if let failure = rejectBudgetFailure(ledger) {
                ledger.status = "failed"
                ledger.message = failure
                try timed("persist") {
                    if let rejects = outputs.first(where: { $0.0.name == "rejected_records" }) {
                        try write(job, rejects, spark)
                    }
                    try finish(store, ledger: ledger, outputs: [], appendRejects: outputs)
                }
                throw DesyncError(
                    .rejectBudget,
                    "run \(ledger.runID) failed: \(failure); the previous results are unchanged."
                        + " See SELECT reason, count(*) FROM rejected_records WHERE run_id = '"
                        + "\(ledger.runID)' GROUP BY reason; fix the producer or raise"
                        + " --max-reject-rate")
            }
            try timed("persist") {
                for output in outputs {
                    missing += try write(job, output, spark)
                }
            }
            summaries = try timed("summaries") {
                (
                    try spark.sql(DesyncSparkJob.byPingQuery),
                    try spark.sql(DesyncSparkJob.byPacketLossQuery)
                )
            }
        } catch let error as SparkConnectError {
            throw Self.wrap(error, "the Spark job of run \(ledger.runID)")
        }

        ledger.status = "succeeded"
        ledger.finishedAt = .now
        try timed("swap") { try finish(store, ledger: ledger, outputs: outputs) }

        return Result(
            ledger: ledger, byPing: summaries.0, byPacketLoss: summaries.1,
            joinedRows: totals["joined"]?.int(0) ?? 0,
            desyncedRows: totals["desynced"]?.int(0) ?? 0,
            distanceSum: totals["distance_sum"]?.double(0) ?? 0,
            distanceMax: totals["distance_max"]?.double(0) ?? 0,
            timings: timings, store: store.displayName, missingColumns: missing)
    }

    // MARK: - Steps

    /// Creates or upgrades our tables (the store's own check, by writing an
    /// empty failed output), then one empty staging table per output.
    private func prepareTables(_ store: PostgresStore, _ outputs: [(TableSpec, String)]) throws {
        let empty = RunOutput(
            runID: "", mode: configuration.mode, fingerprint: "", tables: [],
            rejects: TableRows(Tables.rejectedRecords, count: 0) { _, _ in },
            ledger: TableRows(Tables.pipelineRuns, count: 0) { _, _ in }, succeeded: false)
        try store.write(empty, progress: nil)
        let statements = outputs.map { spec, staging in
            "DROP TABLE IF EXISTS \(quoted(staging)); CREATE UNLOGGED TABLE \(quoted(staging))"
                + " (LIKE \(quoted(spec.name)) INCLUDING DEFAULTS)"
        }
        _ = try store.query(statements.joined(separator: "; "))
    }

    /// Has Spark write one table into its staging table; returns the
    /// columns it could not compute.
    @discardableResult
    private func write(
        _ job: DesyncSparkJob, _ output: (TableSpec, String), _ spark: SparkConnectClient
    )
        throws -> [String]
    {
        guard let plan = job.writeStatements(Self.output(output.0, staging: output.1)) else {
            return []
        }
        for statement in plan.statements { try spark.execute(statement) }
        logger.info("spark_wrote", [("table", output.0.name), ("staging", output.1)])
        return plan.unknown.map { "\(output.0.name).\($0)" }
    }

    /// The one transaction that makes the run visible: the batch tables are
    /// emptied (like the embedded engine's replace mode) and refilled from
    /// staging, and the ledger row is added. `appendRejects` only adds the
    /// rejects of a failed run.
    private func finish(
        _ store: PostgresStore, ledger: Ledger, outputs: [(TableSpec, String)],
        appendRejects: [(TableSpec, String)] = []
    ) throws {
        var statements = ["BEGIN"]
        if !outputs.isEmpty {
            let names = Tables.batchTables.map { quoted($0.name) }.joined(separator: ", ")
            statements.append("TRUNCATE \(names)")
        }
        for (spec, staging) in outputs + appendRejects.filter({ $0.0.name == "rejected_records" }) {
            let columns = spec.columns.map { quoted($0.name) }.joined(separator: ", ")
            statements.append(
                "INSERT INTO \(quoted(spec.name)) (\(columns))"
                    + " SELECT \(columns) FROM \(quoted(staging))"
            )
        }
        statements.append(SQLLiteralSink.insert(ledger.row))
        statements.append("COMMIT")
        _ = try store.query(statements.joined(separator: ";\n"))
    }

    /// Drops the staging tables; failures only log (the next run drops
    /// its own, and names carry the run id).
    private func dropStaging(_ store: PostgresStore, _ outputs: [(TableSpec, String)]) {
        guard !outputs.isEmpty else { return }
        let names = outputs.map { quoted($0.1) }.joined(separator: ", ")
        do {
            _ = try store.query("DROP TABLE IF EXISTS \(names)")
        } catch {
            logger.warning("staging_not_dropped", [("tables", names), ("error", "\(error)")])
        }
    }

    /// Reads the per-stream counts back from Spark into the ledger; returns
    /// the join totals (joined, desynced, distance sum and max).
    private func fillLedgerCounts(_ ledger: inout Ledger, _ spark: SparkConnectClient) throws
        -> ArrowTable
    {
        let counts = try spark.sql(DesyncSparkJob.countsQuery)
        for row in 0..<counts.rowCount {
            guard let name = counts["stream"]?.string(row), let stream = Stream(rawValue: name)
            else { continue }
            ledger.read[stream] = counts["read"]?.int(row) ?? 0
            ledger.blankLines[stream] = counts["blank"]?.int(row) ?? 0
            ledger.accepted[stream] = counts["accepted"]?.int(row) ?? 0
            ledger.rejected[stream] = counts["rejected"]?.int(row) ?? 0
            ledger.duplicates[stream] = counts["duplicates"]?.int(row) ?? 0
        }
        let reasons = try spark.sql(DesyncSparkJob.rejectsByReasonQuery)
        for row in 0..<reasons.rowCount {
            guard let text = reasons["reason"]?.string(row),
                let reason = RejectReason(rawValue: text),
                reason != .duplicate
            else { continue }
            ledger.rejectedByReason[reason] = reasons["n"]?.int(row) ?? 0
        }
        let join = try spark.sql(DesyncSparkJob.joinCountsQuery)
        ledger.joined = join["joined"]?.int(0) ?? 0
        ledger.clientOnly = join["client_only"]?.int(0) ?? 0
        ledger.serverOnly = join["server_only"]?.int(0) ?? 0
        return join
    }

    /// The embedded engine's reject budget, per stream.
    private func rejectBudgetFailure(_ ledger: Ledger) -> String? {
        for stream in Stream.allCases {
            let read = ledger.read[stream, default: 0]
            let rejected = ledger.rejected[stream, default: 0]
            guard read > 0 else { continue }
            let rate = Double(rejected) / Double(read)
            if rate > configuration.maxRejectRate {
                return "\(rejected) of \(read) rows of \(stream.rawValue) rejected"
                    + " (\(String(format: "%.2f", rate * 100))%), above --max-reject-rate"
                    + " \(String(format: "%.2f", configuration.maxRejectRate * 100))%"
            }
        }
        return nil
    }

    // MARK: - Helpers

    private func jobOptions() -> DesyncSparkJob.Options {
        var options = DesyncSparkJob.Options()
        options.threshold = configuration.analysis.threshold
        options.lowPingBelow = Int(configuration.analysis.pingBands.low)
        options.mediumPingBelow = Int(configuration.analysis.pingBands.medium)
        options.maxPing = configuration.validation.maxPing
        options.maxCoordinate = configuration.validation.maxCoordinate
        options.maxLineBytes = configuration.validation.maxLineBytes
        return options
    }

    private func optionsJSON() -> String {
        let analysis = configuration.analysis
        return "{\"threshold\":\(JSONText.number(analysis.threshold)),"
            + "\"ping_bands\":[\(analysis.pingBands.low),\(analysis.pingBands.medium)],"
            + "\"join\":\"exact\",\"max_reject_rate\":"
            + "\(JSONText.number(configuration.maxRejectRate)),"
            + "\"spark_remote\":\(JSONText.quoted(remote)),"
            + "\"inputs\":[\(JSONText.quoted(configuration.playerEventsPath)),"
            + "\(JSONText.quoted(configuration.serverStatePath))]}"
    }

    static func output(_ spec: TableSpec, staging: String) -> DesyncSparkJob.Output {
        DesyncSparkJob.Output(
            table: spec.name, stagingTable: staging,
            columns: spec.columns.map { ($0.name, sparkType($0.type)) })
    }

    static func sparkType(_ type: ColumnType) -> String {
        switch type {
        case .text: "STRING"
        case .timestamp: "TIMESTAMP"
        case .double: "DOUBLE"
        case .integer: "INT"
        case .bigint: "BIGINT"
        case .boolean: "BOOLEAN"
        }
    }

    /// Our error, carrying Spark's (already redacted) as the cause.
    static func wrap(_ error: any Error, _ what: String) -> DesyncError {
        guard let spark = error as? SparkConnectError else {
            return DesyncError(.engine, "\(what) failed", cause: "\(error)")
        }
        let hint =
            switch spark.code {
            case .unreachable, .invalidRemote, .versionMismatch: spark.message
            case .timeout: "\(what) timed out: \(spark.message)"
            default: "\(what) failed in Spark"
            }
        return DesyncError(.engine, hint, cause: spark.description)
    }
}

private func quoted(_ name: String) -> String {
    "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
