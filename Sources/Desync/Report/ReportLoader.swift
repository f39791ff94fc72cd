import Foundation

/// Reads what the report shows from a store, through `ResultStore.query`
/// only, so SQLite and PostgreSQL are read alike. The SQL is the subset
/// both speak (CASE, aggregates, ROW_NUMBER); user-given text (the run
/// id, session ids read back) is passed as quoted literals.
///
/// Heavy work stays in the database: bins, bands and thinned timelines are
/// computed by GROUP BY, so the report of a run of hundreds of millions of
/// rows reads a few thousand.
public struct ReportLoader {
    public var store: ResultStore
    /// Players with fewer ticks are left out of the ranking.
    public var minimumTicks: Int64 = 100
    /// How many of the worst sessions get a timeline.
    public var sessionCount = 3
    /// Players drawn per session timeline.
    public var playersPerSession = 5
    /// Points per player on a timeline; longer series are thinned to the
    /// largest distance of each run of ticks.
    public var pointsPerPlayer = 600
    public var topPlayerCount = 15
    /// Loss values are grouped into bands when there are more than this.
    public var maximumLossValues = 16

    public init(store: ResultStore) {
        self.store = store
    }

    /// Reads the run `runID`, or the latest successful run (else the latest
    /// run) when nil.
    // FIXME: each chart's query scans desync_events again (about a dozen
    // scans: groups, histogram, sessions, and two per drawn session), about
    // 11 µs a row in all on SQLite (1.6 s for 144,000 rows in a debug
    // build), so a run of 100 million rows takes minutes to report. One
    // combined pass, or an index on (run_id, session_id) owned by the
    // stores, would cut it.
    public func load(runID: String?) throws -> ReportData {
        var data = ReportData()
        data.store = store.displayName
        data.minimumTicks = minimumTicks
        data.run = try loadRun(runID)
        let run = "run_id = \(Self.literal(data.run.id))"
        try loadGroups(run, into: &data)
        guard data.joinedRows > 0 else { return data }
        data.distributions = try loadDistributions(run)
        try loadHistogram(run, into: &data)
        data.heatmap = try loadHeatmap(run)
        data.sweep = try loadSweep(run)
        data.sessions = try loadSessions(run)
        try loadPlayers(run, into: &data)
        return data
    }

    /// An SQL string literal: quotes doubled. Both stores read backslashes
    /// literally (PostgreSQL's standard_conforming_strings is on since 9.1).
    static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    private func rows(_ sql: String, table: String) throws -> [[String?]] {
        do {
            return try store.query(sql)
        } catch let error as DesyncError where error.code == .database {
            throw DesyncError(
                .database,
                "cannot read \(table) from \(store.displayName) for the report; has desync run"
                    + " written there (desync runs lists the runs)?", cause: error.description)
        }
    }

    // MARK: - The run

    private func loadRun(_ runID: String?) throws -> ReportData.Run {
        let columns =
            "run_id, status, engine, mode, started_at, finished_at, inputs, player_events_read,"
            + " player_events_accepted, player_events_rejected, player_events_duplicates,"
            + " server_state_read, server_state_accepted, server_state_rejected,"
            + " server_state_duplicates, joined, client_only, server_only, rejected_by_reason,"
            + " options, message"
        var found: [[String?]]
        if let runID {
            guard !runID.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
                throw DesyncError(.usage, "--run takes a run id as desync runs lists it")
            }
            found = try rows(
                "SELECT \(columns) FROM pipeline_runs WHERE run_id = \(Self.literal(runID))",
                table: "pipeline_runs")
            guard !found.isEmpty else {
                throw DesyncError(
                    .usage,
                    "run '\(TerminalText.escaped(runID))' is not in the ledger of"
                        + " \(store.displayName); desync runs lists the runs stored there")
            }
        } else {
            found = try rows(
                "SELECT \(columns) FROM pipeline_runs WHERE status = 'succeeded'"
                    + " ORDER BY started_at DESC LIMIT 1", table: "pipeline_runs")
            if found.isEmpty {
                found = try rows(
                    "SELECT \(columns) FROM pipeline_runs ORDER BY started_at DESC LIMIT 1",
                    table: "pipeline_runs")
            }
            guard !found.isEmpty else {
                throw DesyncError(
                    .input,
                    "\(store.displayName) holds no runs yet; make one with desync run --input DIR"
                        + " --db \(store.displayName)")
            }
        }
        let row = found[0]
        var run = ReportData.Run()
        run.id = row[0] ?? ""
        run.status = row[1] ?? ""
        run.engine = row[2] ?? ""
        run.mode = row[3] ?? ""
        run.startedAt = row[4] ?? ""
        run.finishedAt = row[5] ?? ""
        run.inputs = Self.inputs(row[6])
        run.playerEvents = ReportData.StreamCounts(
            read: int(row[7]), accepted: int(row[8]), rejected: int(row[9]),
            duplicates: int(row[10]))
        run.serverState = ReportData.StreamCounts(
            read: int(row[11]), accepted: int(row[12]), rejected: int(row[13]),
            duplicates: int(row[14]))
        run.joined = int(row[15])
        run.clientOnly = int(row[16])
        run.serverOnly = int(row[17])
        if let object = Self.json(row[18]) as? [String: Any] {
            run.rejectedByReason = object.compactMap { key, value in
                (value as? NSNumber).map { (key, $0.int64Value) }
            }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.reason < $1.reason }
        }
        if let options = Self.json(row[19]) as? [String: Any] {
            if let threshold = (options["threshold"] as? NSNumber)?.doubleValue {
                run.threshold = threshold
            }
            if let bands = options["ping_bands"] as? [NSNumber], bands.count == 2 {
                run.pingBands = (bands[0].intValue, bands[1].intValue)
            }
        }
        run.message = row[20] ?? ""
        return run
    }

    private static func json(_ text: String?) -> Any? {
        guard let text, let data = text.data(using: .utf8) else { return nil }
        return try? JSONSerialization.jsonObject(with: data)
    }

    private static func inputs(_ text: String?) -> [(String, String, Int64, String)] {
        guard let list = json(text) as? [[String: Any]] else { return [] }
        return list.map {
            (
                $0["stream"] as? String ?? "", $0["path"] as? String ?? "",
                ($0["bytes"] as? NSNumber)?.int64Value ?? 0, $0["sha256"] as? String ?? ""
            )
        }
    }

    // MARK: - Rate and mean distance per group

    /// Count, de-synced count, mean and mean square of the distance.
    private static let groupAggregates =
        "COUNT(*), SUM(CASE WHEN is_desynced THEN 1 ELSE 0 END), AVG(desync_distance),"
        + " AVG(desync_distance * desync_distance)"

    private func groupStats(_ label: String, _ row: [String?], from index: Int)
        -> ReportData.GroupStats
    {
        let ticks = int(row[index])
        let mean = double(row[index + 2]) ?? 0
        return ReportData.GroupStats(
            label: label, ticks: ticks, desynced: int(row[index + 1]), meanDistance: mean,
            meanInterval: Statistics.meanInterval(
                mean, meanOfSquares: double(row[index + 3]) ?? 0, count: ticks))
    }

    private func loadGroups(_ run: String, into data: inout ReportData) throws {
        let overall = try rows(
            "SELECT \(Self.groupAggregates), MAX(desync_distance), COUNT(DISTINCT packet_loss),"
                + " MAX(packet_loss) FROM desync_events WHERE \(run)", table: "desync_events")
        guard let total = overall.first, int(total[0]) > 0 else { return }
        data.joinedRows = int(total[0])
        data.maxDistance = double(total[4]) ?? 0
        data.overall = groupStats("all", total, from: 0)

        let order = ["low": 0, "medium": 1, "high": 2]
        data.byPing = try rows(
            "SELECT ping_category, \(Self.groupAggregates) FROM desync_events WHERE \(run)"
                + " GROUP BY ping_category", table: "desync_events"
        ).map { groupStats($0[0] ?? "", $0, from: 1) }
            .sorted { (order[$0.label] ?? 3, $0.label) < (order[$1.label] ?? 3, $1.label) }

        let distinctLosses = int(total[5])
        if distinctLosses <= maximumLossValues {
            data.byLoss = try rows(
                "SELECT packet_loss, \(Self.groupAggregates) FROM desync_events WHERE \(run)"
                    + " GROUP BY packet_loss ORDER BY packet_loss", table: "desync_events"
            ).map { row in
                let label = double(row[0]).map { "\($0)" } ?? "NULL"
                return groupStats(label, row, from: 1)
            }
        } else {
            // Many distinct values (a continuous loss model): about ten
            // bands of round width, the band index computed by CASE.
            data.lossBanded = true
            let maxLoss = max(double(total[6]) ?? 1, 1e-6)
            let step = LinearScale.niceStep(maxLoss, count: 10)
            let bands = Int((maxLoss / step).rounded(.down)) + 1
            var band = "CASE"
            // Band edges as decimal text (0.30, not 3 × 0.1 =
            // 0.30000000000000004), so a loss of exactly 0.3 opens its band.
            for k in 1..<bands {
                let edge = String(format: "%.9f", Double(k) * step)
                band += " WHEN packet_loss < \(edge) THEN \(k - 1)"
            }
            band += " ELSE \(bands - 1) END"
            let decimals = max(2, Int((-log10(step)).rounded(.up)))
            data.byLoss = try rows(
                "SELECT \(band) AS band, \(Self.groupAggregates) FROM desync_events WHERE \(run)"
                    + " GROUP BY \(band) ORDER BY 1", table: "desync_events"
            ).map { row in
                let k = Double(int(row[0]))
                let label =
                    ChartFormat.decimal(decimals).text(k * step) + "–"
                    + ChartFormat.decimal(decimals).text((k + 1) * step)
                return groupStats(label, row, from: 1)
            }
        }
    }

    // MARK: - Distributions, histogram, heat map, sweep

    private func loadDistributions(_ run: String) throws -> [ReportData.Distribution] {
        try rows(
            "SELECT scope, group_key, ticks, desync_rate, p50_desync_distance,"
                + " p95_desync_distance, p99_desync_distance, max_desync_distance FROM desync_stats"
                + " WHERE \(run)", table: "desync_stats"
        ).map {
            ReportData.Distribution(
                scope: $0[0] ?? "", group: $0[1] ?? "", ticks: int($0[2]),
                rate: double($0[3]) ?? 0, p50: double($0[4]), p95: double($0[5]),
                p99: double($0[6]), max: double($0[7]))
        }.sorted { Self.displayOrder($0) < Self.displayOrder($1) }
    }

    /// Overall first, then ping bands low to high, then loss bands by their
    /// lower edge ("0", "(0,0.02]", ..., ">0.10").
    static func displayOrder(_ d: ReportData.Distribution) -> (Int, Double, String) {
        switch d.scope {
        case "overall": return (0, 0, d.group)
        case "ping_category":
            return (1, Double(["low": 0, "medium": 1, "high": 2][d.group] ?? 3), d.group)
        case "loss_band":
            let open = d.group.hasPrefix("(") || d.group.hasPrefix(">")
            let digits = d.group.drop { "(>[".contains($0) }.prefix { $0.isNumber || $0 == "." }
            return (2, (Double(digits) ?? .infinity) + (open ? 1e-9 : 0), d.group)
        default: return (3, 0, d.scope + d.group)
        }
    }

    private func loadHistogram(_ run: String, into data: inout ReportData) throws {
        let total = data.joinedRows
        // Read with the groups (`loadGroups`): one scan of desync_events less.
        let maximum = data.maxDistance
        // The 99th percentile: from desync_stats when the analysis wrote it,
        // else read off the sorted distances.
        var p99 = data.distributions.first { $0.scope == "overall" }?.p99
        if p99 == nil {
            // FIXME: sorts the run's distances; only runs without a
            // desync_stats row (older or Spark-engine runs) take this path.
            let offset = Int64((Double(total - 1) * 0.99).rounded(.down))
            let found = try rows(
                "SELECT desync_distance FROM desync_events WHERE \(run)"
                    + " ORDER BY desync_distance LIMIT 1 OFFSET \(offset)", table: "desync_events")
            p99 = double(found.first?[0] ?? nil)
        }
        var upper = maximum
        if let p99, p99 > 0, maximum > 1.5 * p99 { upper = p99 }
        if upper <= 0 { upper = 1 }
        let step = LinearScale.niceStep(upper, count: 40)
        let binCount = Int((upper / step).rounded(.down)) + 1
        let edges = (0...binCount).map { Double($0) * step }
        var columns: [String] = []
        for k in 0..<binCount {
            columns.append(
                "SUM(CASE WHEN desync_distance >= \(edges[k]) AND desync_distance < \(edges[k + 1])"
                    + " THEN 1 ELSE 0 END)")
        }
        columns.append("SUM(CASE WHEN desync_distance >= \(edges[binCount]) THEN 1 ELSE 0 END)")
        let counts = try rows(
            "SELECT \(columns.joined(separator: ", ")) FROM desync_events WHERE \(run)",
            table: "desync_events")
        guard let row = counts.first else { return }
        data.histogram = (0..<binCount).map {
            HistogramBin(low: edges[$0], high: edges[$0 + 1], count: int(row[$0]))
        }
        data.histogramOverflow = int(row[binCount])
    }

    private func loadHeatmap(_ run: String) throws -> [ReportData.HeatCell] {
        try rows(
            "SELECT ping_category, ping_low_ms, loss_band, loss_low, ticks, desync_event_count,"
                + " desync_rate FROM desync_heatmap WHERE \(run) ORDER BY ping_low_ms, loss_low",
            table: "desync_heatmap"
        ).map {
            ReportData.HeatCell(
                pingCategory: $0[0] ?? "", pingLow: int($0[1]), lossBand: $0[2] ?? "",
                lossLow: double($0[3]) ?? 0, ticks: int($0[4]), desynced: int($0[5]),
                rate: double($0[6]) ?? 0)
        }
    }

    private func loadSweep(_ run: String) throws -> [ReportData.SweepPoint] {
        try rows(
            "SELECT threshold, ticks, desync_event_count, desync_share FROM threshold_sweep"
                + " WHERE \(run) ORDER BY threshold", table: "threshold_sweep"
        ).map {
            ReportData.SweepPoint(
                threshold: double($0[0]) ?? 0, ticks: int($0[1]), desynced: int($0[2]),
                share: double($0[3]) ?? 0)
        }
    }

    // MARK: - Players and sessions

    private func loadPlayers(_ run: String, into data: inout ReportData) throws {
        data.topPlayers = try rows(
            "SELECT session_id, player_id, ticks, desync_event_count, desync_rate,"
                + " desync_rate_ci_low, desync_rate_ci_high, average_desync_distance"
                + " FROM desync_by_player WHERE \(run) AND ticks >= \(minimumTicks)"
                + " ORDER BY desync_rate DESC, ticks DESC, session_id, player_id"
                + " LIMIT \(topPlayerCount)", table: "desync_by_player"
        ).map {
            var interval: ClosedRange<Double>? = nil
            if let low = double($0[5]), let high = double($0[6]), low <= high {
                interval = low...high
            }
            return ReportData.PlayerStats(
                sessionID: $0[0] ?? "", playerID: $0[1] ?? "", ticks: int($0[2]),
                desynced: int($0[3]), rate: double($0[4]) ?? 0, interval: interval,
                meanDistance: double($0[7]) ?? 0)
        }
        let below = try rows(
            "SELECT COUNT(*) FROM desync_by_player WHERE \(run) AND ticks < \(minimumTicks)",
            table: "desync_by_player")
        data.playersBelowMinimum = int(below.first?[0] ?? nil)
    }

    private func loadSessions(_ run: String) throws -> [ReportData.SessionTimeline] {
        let desynced = "SUM(CASE WHEN is_desynced THEN 1 ELSE 0 END)"
        let byRate = try rows(
            "SELECT session_id, COUNT(*), \(desynced), MAX(desync_distance), MIN(timestamp)"
                + " FROM desync_events WHERE \(run) GROUP BY session_id"
                + " ORDER BY \(desynced) * 1.0 / COUNT(*) DESC, MAX(desync_distance) DESC,"
                + " session_id", table: "desync_events")
        // The sessions holding the run's worst rubber-band (highest peak)
        // and its longest one come first, whatever their rate: a reader
        // looking for "when did it rubber-band worst" must find it here.
        var chosen: [String] = []
        for order in [
            "peak_desync_distance DESC, ticks DESC", "ticks DESC, peak_desync_distance DESC",
        ] {
            let top = try rows(
                "SELECT session_id FROM desync_episodes WHERE \(run) ORDER BY \(order),"
                    + " session_id LIMIT 1", table: "desync_episodes")
            if let id = top.first?[0] ?? nil, !chosen.contains(id) { chosen.append(id) }
        }
        for row in byRate where !chosen.contains(row[0] ?? "") { chosen.append(row[0] ?? "") }
        let rowsBySession = Dictionary(
            byRate.map { ($0[0] ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        let worst = chosen.prefix(sessionCount).compactMap { rowsBySession[$0] }
        return try worst.map { row in
            let session = row[0] ?? ""
            let start = Timestamp.parse(row[4] ?? "")?.microseconds ?? 0
            let inSession = "\(run) AND session_id = \(Self.literal(session))"
            let players = try rows(
                "SELECT player_id, COUNT(*) FROM desync_events WHERE \(inSession)"
                    + " GROUP BY player_id ORDER BY MAX(desync_distance) DESC, \(desynced) DESC,"
                    + " player_id", table: "desync_events")
            let drawn = players.prefix(playersPerSession)
            let longest = drawn.map { int($0[1]) }.max() ?? 1
            let perPoint = max(1, Int((Double(longest) / Double(pointsPerPlayer)).rounded(.up)))
            let ids = drawn.map { Self.literal($0[0] ?? "") }.joined(separator: ", ")
            let points = try rows(
                "SELECT player_id, MIN(ts), MAX(d) FROM (SELECT player_id, timestamp AS ts,"
                    + " desync_distance AS d, ROW_NUMBER() OVER (PARTITION BY player_id"
                    + " ORDER BY timestamp) - 1 AS rn FROM desync_events WHERE \(inSession)"
                    + " AND player_id IN (\(ids))) thinned GROUP BY player_id, rn / \(perPoint)"
                    + " ORDER BY player_id, MIN(ts)", table: "desync_events")
            var lines: [String: [ChartPoint]] = [:]
            for point in points {
                let t = Timestamp.parse(point[1] ?? "")?.microseconds ?? start
                lines[point[0] ?? "", default: []].append(
                    ChartPoint(Double(t - start) / 1e6, double(point[2]) ?? 0))
            }
            let episodes = try rows(
                "SELECT player_id, episode_start, episode_end, ticks, peak_desync_distance"
                    + " FROM desync_episodes WHERE \(inSession) AND player_id IN (\(ids))"
                    + " ORDER BY peak_desync_distance DESC LIMIT 400", table: "desync_episodes"
            ).map {
                ReportData.Episode(
                    playerID: $0[0] ?? "",
                    start: Double((Timestamp.parse($0[1] ?? "")?.microseconds ?? start) - start)
                        / 1e6,
                    end: Double((Timestamp.parse($0[2] ?? "")?.microseconds ?? start) - start)
                        / 1e6,
                    ticks: int($0[3]), peak: double($0[4]) ?? 0)
            }
            return ReportData.SessionTimeline(
                sessionID: session, startedAt: row[4] ?? "", ticks: int(row[1]),
                desynced: int(row[2]), maxDistance: double(row[3]) ?? 0,
                players: drawn.map { ($0[0] ?? "", lines[$0[0] ?? ""] ?? []) },
                ticksPerPoint: perPoint, playersLeftOut: players.count - drawn.count,
                episodes: episodes)
        }
    }

    private func int(_ text: String?) -> Int64 {
        guard let text else { return 0 }
        if let value = Int64(text) { return value }
        return Double(text).map { Int64($0) } ?? 0
    }

    private func double(_ text: String?) -> Double? {
        text.flatMap { Double($0) }
    }
}
