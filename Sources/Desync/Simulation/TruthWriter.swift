/// Writes `truth.json` beside the realistic profile's streams: what the
/// simulator knows and an analysis can only estimate (each session's clock
/// offset, each player's region, base ping, lost ticks and delivery
/// mishaps). Tests compare the pipeline's estimates with it.
///
/// It is written as the streams are, session by session, so it stays a
/// small fraction of their size. docs/SIMULATION.md describes its fields.
final class TruthWriter {
    /// What one player's simulation did.
    struct PlayerTruth {
        var region: Int
        var basePing: Double
        var lostTicks: Int64 = 0
        var lossBursts: Int64 = 0
        /// Rows written to player_events, duplicates included.
        var clientRows: Int64 = 0
        var late: Int64 = 0
        var reordered: Int64 = 0
        var duplicated: Int64 = 0
    }

    static let fileName = "truth.json"

    private let out: TelemetryWriter
    private var totals = PlayerTruth(region: 0, basePing: 0)
    private var players: Int64 = 0

    init(path: String) throws {
        out = try TelemetryWriter(path: path)
    }

    func begin(_ options: GenerateOptions) throws {
        let pings = options.realistic.regionPings.map { JSONText.number($0) }
            .joined(separator: ", ")
        try out.raw(
            "{\n  \"profile\": \"realistic\",\n  \"seed\": \(options.seed),\n"
                + "  \"tick_ms\": \(options.tickMilliseconds),\n"
                + "  \"ticks_per_player\": \(options.ticks),\n"
                + "  \"start\": \"\(options.start.isoText)\",\n"
                + "  \"region_pings_ms\": [\(pings)],\n"
                + "  \"clock_offset_sign\": \"client minus server\",\n"
                + "  \"sessions\": [")
    }

    func beginSession(_ session: [UInt8], clockOffset: Int64, first: Bool) throws {
        try out.raw(
            (first ? "" : ",")
                + "\n    {\"session_id\": \"\(String(decoding: session, as: UTF8.self))\","
                + " \"clock_offset_us\": \(clockOffset), \"players\": [")
    }

    func player(_ player: [UInt8], _ t: PlayerTruth, first: Bool) throws {
        let basePing = (t.basePing * 100).rounded() / 100
        try out.raw(
            (first ? "" : ",")
                + "\n      {\"player_id\": \"\(String(decoding: player, as: UTF8.self))\","
                + " \"region\": \(t.region), \"base_ping_ms\": \(JSONText.number(basePing)),"
                + " \"lost_ticks\": \(t.lostTicks), \"loss_bursts\": \(t.lossBursts),"
                + " \"client_rows\": \(t.clientRows), \"late\": \(t.late),"
                + " \"reordered\": \(t.reordered), \"duplicated\": \(t.duplicated)}")
        players += 1
        totals.lostTicks += t.lostTicks
        totals.lossBursts += t.lossBursts
        totals.clientRows += t.clientRows
        totals.late += t.late
        totals.reordered += t.reordered
        totals.duplicated += t.duplicated
    }

    func endSession() throws {
        try out.raw("]}")
    }

    func end() throws {
        try out.raw(
            "\n  ],\n  \"totals\": {\"players\": \(players), \"lost_ticks\": \(totals.lostTicks),"
                + " \"loss_bursts\": \(totals.lossBursts), \"client_rows\": \(totals.clientRows),"
                + " \"late\": \(totals.late), \"reordered\": \(totals.reordered),"
                + " \"duplicated\": \(totals.duplicated)}\n}\n")
        try out.flush()
    }
}
