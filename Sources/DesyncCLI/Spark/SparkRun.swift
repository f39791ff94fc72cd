import Desync
import SparkConnect

extension RunCommand {
    /// `desync run --engine spark`: the whole job inside Spark (see
    /// `SparkEngine`); prints the summaries like the embedded engine.
    /// Returns the run id.
    @discardableResult
    static func sparkRun(
        _ args: ParsedArguments, _ config: RunConfiguration, _ console: inout Console
    ) throws -> String {
        let engine = SparkEngine(
            configuration: config, remote: args.string("--spark-remote")!,
            logger: CLI.logger(args))
        let result = try engine.run()
        for column in result.missingColumns {
            console.err("warning: Spark cannot compute \(column) yet; it was written as NULL\n")
        }
        if args.string("--format") == "json" {
            console.out(sparkJSON(result) + "\n")
        } else {
            console.out(sparkText(result))
        }
        return result.ledger.runID
    }

    static func sparkText(_ result: SparkEngine.Result) -> String {
        var out = RunReport.byPingTable(byPingRows(result)).render(title: "desync_by_ping")
        out +=
            "\n"
            + RunReport.byLossTable(byLossRows(result)).render(title: "desync_by_packet_loss")
        out += "\n" + RunReport.ledgerText(result.ledger)
        out +=
            "\ndesync_events: \(result.joinedRows) rows, \(result.desyncedRows) de-synced,"
            + " distance sum \(fixed(result.distanceSum, 6)), max \(fixed(result.distanceMax, 6))\n"
        out +=
            "timings: "
            + result.timings.map { "\($0.0) \(fixed($0.1, 3))s" }.joined(separator: ", ") + "\n"
        out += "engine: spark; stored in \(TerminalText.cell(result.store))\n"
        return out
    }

    /// The summaries Spark sent back (Arrow), as the embedded engine's rows,
    /// so both engines print them with the same code.
    static func byPingRows(_ result: SparkEngine.Result) -> [SummaryRow<PingCategory>] {
        summaryRows(result.byPing) { row in
            result.byPing["ping_category"]?.string(row).flatMap(PingCategory.init(rawValue:))
        }
    }

    static func byLossRows(_ result: SparkEngine.Result) -> [SummaryRow<Double>] {
        summaryRows(result.byPacketLoss) { result.byPacketLoss["packet_loss"]?.double($0) }
    }

    private static func summaryRows<Key>(
        _ table: ArrowTable, key: (Int) -> Key?
    ) -> [SummaryRow<Key>] {
        (0..<table.rowCount).compactMap { row in
            key(row).map {
                SummaryRow(
                    key: $0, averageDistance: table["average_desync_distance"]?.double(row) ?? .nan,
                    desyncedCount: Int64(table["desync_event_count"]?.int(row) ?? 0),
                    inSyncCount: Int64(table["in_sync_event_count"]?.int(row) ?? 0))
            }
        }
    }

    static func sparkJSON(_ result: SparkEngine.Result) -> String {
        let l = result.ledger
        return "{\"run_id\":\(JSONText.quoted(l.runID)),\"engine\":\"spark\","
            + "\"status\":\(JSONText.quoted(l.status)),"
            + "\"desync_events\":{\"rows\":\(result.joinedRows),"
            + "\"desynced\":\(result.desyncedRows),"
            + "\"sum_desync_distance\":\(JSONText.number(result.distanceSum)),"
            + "\"max_desync_distance\":\(JSONText.number(result.distanceMax))},"
            + "\"desync_by_ping\":\(RunReport.byPingJSON(byPingRows(result))),"
            + "\"desync_by_packet_loss\":\(RunReport.byLossJSON(byLossRows(result))),"
            + "\"rejected_by_reason\":\(l.rejectedByReasonJSON)}"
    }
}
