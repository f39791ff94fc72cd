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
        var byPing = TextTable(
            [
                "ping_category", "average_desync_distance", "desync_event_count",
                "in_sync_event_count",
            ],
            numeric: [false, true, true, true])
        for row in 0..<result.byPing.rowCount {
            byPing.add(
                summaryCells(
                    result.byPing, row, key: result.byPing["ping_category"]?.string(row) ?? ""))
        }
        var byLoss = TextTable(
            [
                "packet_loss", "average_desync_distance", "desync_event_count",
                "in_sync_event_count",
            ],
            numeric: [true, true, true, true])
        for row in 0..<result.byPacketLoss.rowCount {
            let key = result.byPacketLoss["packet_loss"]?.double(row).map { fixed($0, 2) } ?? ""
            byLoss.add(summaryCells(result.byPacketLoss, row, key: key))
        }
        var out = byPing.render(title: "desync_by_ping")
        out += "\n" + byLoss.render(title: "desync_by_packet_loss")
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

    private static func summaryCells(_ table: ArrowTable, _ row: Int, key: String) -> [String] {
        [
            key, fixed(table["average_desync_distance"]?.double(row) ?? .nan),
            "\(table["desync_event_count"]?.int(row) ?? 0)",
            "\(table["in_sync_event_count"]?.int(row) ?? 0)",
        ]
    }

    static func sparkJSON(_ result: SparkEngine.Result) -> String {
        func rows(_ table: ArrowTable, _ key: String) -> String {
            "["
                + (0..<table.rowCount).map { row in
                    let keyJSON =
                        table[key]?.string(row).map(JSONText.quoted)
                        ?? table[key]?.double(row).map(JSONText.number) ?? "null"
                    return "{\"\(key)\":\(keyJSON),\"average_desync_distance\":"
                        + JSONText.number(table["average_desync_distance"]?.double(row) ?? .nan)
                        + ",\"desync_event_count\":\(table["desync_event_count"]?.int(row) ?? 0)"
                        + ",\"in_sync_event_count\":\(table["in_sync_event_count"]?.int(row) ?? 0)}"
                }.joined(separator: ",") + "]"
        }
        let l = result.ledger
        return "{\"run_id\":\(JSONText.quoted(l.runID)),\"engine\":\"spark\","
            + "\"status\":\(JSONText.quoted(l.status)),"
            + "\"desync_events\":{\"rows\":\(result.joinedRows),"
            + "\"desynced\":\(result.desyncedRows),"
            + "\"sum_desync_distance\":\(JSONText.number(result.distanceSum)),"
            + "\"max_desync_distance\":\(JSONText.number(result.distanceMax))},"
            + "\"desync_by_ping\":\(rows(result.byPing, "ping_category")),"
            + "\"desync_by_packet_loss\":\(rows(result.byPacketLoss, "packet_loss")),"
            + "\"rejected_by_reason\":\(l.rejectedByReasonJSON)}"
    }
}
