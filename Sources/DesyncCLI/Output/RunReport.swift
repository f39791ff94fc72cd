import Desync

/// How `desync run` shows its result: aligned tables for people, one JSON
/// document for scripts.
enum RunReport {
    static func byPingTable(_ rows: [SummaryRow<PingCategory>]) -> TextTable {
        var table = TextTable(
            [
                "ping_category", "average_desync_distance", "desync_event_count",
                "in_sync_event_count",
            ],
            numeric: [false, true, true, true])
        for r in rows {
            table.add([
                r.key.rawValue, fixed(r.averageDistance), "\(r.desyncedCount)", "\(r.inSyncCount)",
            ])
        }
        return table
    }

    static func byLossTable(_ rows: [SummaryRow<Double>]) -> TextTable {
        var table = TextTable(
            [
                "packet_loss", "average_desync_distance", "desync_event_count",
                "in_sync_event_count",
            ],
            numeric: [true, true, true, true])
        for r in rows {
            table.add([
                fixed(r.key, 2), fixed(r.averageDistance), "\(r.desyncedCount)", "\(r.inSyncCount)",
            ])
        }
        return table
    }

    static func text(_ result: RunResult) -> String {
        var out = byPingTable(result.summaries.byPing).render(title: "desync_by_ping")
        out +=
            "\n" + byLossTable(result.summaries.byPacketLoss).render(title: "desync_by_packet_loss")
        out += "\n" + ledgerText(result.ledger)
        out +=
            "\ndesync_events: \(result.joinedRows) rows, \(result.desyncedRows) de-synced,"
            + " distance sum \(fixed(result.distanceSum, 6)), max \(fixed(result.distanceMax, 6))\n"
        out +=
            "timings: "
            + result.timings.map { "\($0.0.rawValue) \(fixed($0.1, 3))s" }.joined(separator: ", ")
            + "\n"
        out += "stored in \(TerminalText.cell(result.store))\n"
        return out
    }

    static func ledgerText(_ l: Ledger) -> String {
        var out =
            "run \(l.runID) \(l.status) (\(l.mode.rawValue)), \(l.startedAt.sqlText) to"
            + " \(l.finishedAt.sqlText) UTC\n"
        for input in l.inputs {
            out +=
                "  \(input.stream.rawValue): \(TerminalText.cell(input.path)) \(input.bytes) bytes"
                + " sha256 \(input.sha256)\n"
        }
        var table = TextTable(
            ["stream", "read", "accepted", "rejected", "duplicates", "joined", "unmatched"],
            numeric: [false, true, true, true, true, true, true])
        table.add(
            [
                "player_events", "\(l.read[.playerEvents, default: 0])",
                "\(l.accepted[.playerEvents, default: 0])",
                "\(l.rejected[.playerEvents, default: 0])",
                "\(l.duplicates[.playerEvents, default: 0])", "\(l.joined)", "\(l.clientOnly)",
            ])
        table.add(
            [
                "server_state", "\(l.read[.serverState, default: 0])",
                "\(l.accepted[.serverState, default: 0])",
                "\(l.rejected[.serverState, default: 0])",
                "\(l.duplicates[.serverState, default: 0])", "\(l.joined)", "\(l.serverOnly)",
            ])
        out += table.render()
        let blank = Stream.allCases.filter { l.blankLines[$0, default: 0] > 0 }
        if !blank.isEmpty {
            out +=
                "  blank lines (not rows): "
                + blank.map { "\($0.rawValue) \(l.blankLines[$0]!)" }.joined(separator: ", ") + "\n"
        }
        if !l.rejectedByReason.isEmpty {
            out +=
                "  rejected by reason: "
                + l.rejectedByReason.keys.sorted().map {
                    "\($0.rawValue) \(l.rejectedByReason[$0]!)"
                }
                .joined(separator: ", ") + "\n"
        }
        return out
    }

    /// The ledger part of the JSON document, shared by successful and
    /// failed runs.
    static func ledgerJSON(_ l: Ledger) -> String {
        func streamJSON(_ s: Stream) -> String {
            "{\"read\":\(l.read[s, default: 0]),\"accepted\":\(l.accepted[s, default: 0]),"
                + "\"rejected\":\(l.rejected[s, default: 0]),"
                + "\"duplicates\":\(l.duplicates[s, default: 0]),"
                + "\"blank_lines\":\(l.blankLines[s, default: 0])}"
        }
        return "{\"player_events\":\(streamJSON(.playerEvents)),"
            + "\"server_state\":\(streamJSON(.serverState)),\"joined\":\(l.joined),"
            + "\"client_only\":\(l.clientOnly),\"server_only\":\(l.serverOnly),"
            + "\"rejected_by_reason\":\(l.rejectedByReasonJSON)}"
    }

    /// The document of a run that failed its checks: its ledger and why.
    static func failureJSON(_ l: Ledger, store: String) -> String {
        "{\"run_id\":\"\(l.runID)\",\"status\":\"\(l.status)\",\"mode\":\"\(l.mode.rawValue)\","
            + "\"started_at\":\"\(l.startedAt.sqlText)\",\"finished_at\":\"\(l.finishedAt.sqlText)\","
            + "\"store\":\(JSONText.quoted(store)),\"inputs\":\(l.inputsJSON),"
            + "\"message\":\(JSONText.quoted(l.message)),\"ledger\":\(ledgerJSON(l))}"
    }

    /// `desync_by_ping` as a JSON array, shared by both engines.
    static func byPingJSON(_ rows: [SummaryRow<PingCategory>]) -> String {
        "["
            + rows.map {
                "{\"ping_category\":\"\($0.key.rawValue)\",\"average_desync_distance\":"
                    + "\(JSONText.number($0.averageDistance)),"
                    + "\"desync_event_count\":\($0.desyncedCount),"
                    + "\"in_sync_event_count\":\($0.inSyncCount)}"
            }.joined(separator: ",") + "]"
    }

    /// `desync_by_packet_loss` as a JSON array, shared by both engines.
    static func byLossJSON(_ rows: [SummaryRow<Double>]) -> String {
        "["
            + rows.map {
                "{\"packet_loss\":\(JSONText.number($0.key)),\"average_desync_distance\":"
                    + "\(JSONText.number($0.averageDistance)),"
                    + "\"desync_event_count\":\($0.desyncedCount),"
                    + "\"in_sync_event_count\":\($0.inSyncCount)}"
            }.joined(separator: ",") + "]"
    }

    static func json(_ result: RunResult) -> String {
        let l = result.ledger
        let timings = result.timings.map { "\"\($0.0.rawValue)\":\(JSONText.number($0.1))" }
        return
            "{\"run_id\":\"\(l.runID)\",\"status\":\"\(l.status)\",\"mode\":\"\(l.mode.rawValue)\","
            + "\"started_at\":\"\(l.startedAt.sqlText)\",\"finished_at\":\"\(l.finishedAt.sqlText)\","
            + "\"store\":\(JSONText.quoted(result.store)),\"inputs\":\(l.inputsJSON),"
            + "\"ledger\":\(ledgerJSON(l)),"
            + "\"desync_events\":{\"rows\":\(result.joinedRows),\"desynced\":\(result.desyncedRows),"
            + "\"sum_desync_distance\":\(JSONText.number(result.distanceSum)),"
            + "\"max_desync_distance\":\(JSONText.number(result.distanceMax))},"
            + "\"desync_by_ping\":\(byPingJSON(result.summaries.byPing)),"
            + "\"desync_by_packet_loss\":\(byLossJSON(result.summaries.byPacketLoss)),"
            + "\"timings\":{\(timings.joined(separator: ","))}}"
    }
}
