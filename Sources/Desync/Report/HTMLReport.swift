/// The report of one run as a single self-contained HTML page: inline CSS,
/// inline SVG charts, no scripts, no fonts or images fetched. A Content
/// Security Policy forbids scripts and fetches outright, so even a slip in
/// escaping could not run telemetry text as code.
public struct HTMLReport: Sendable {
    public var data: ReportData
    /// Shown in the footer, for example the time the report was made.
    public var footer: String

    public init(data: ReportData, footer: String = "") {
        self.data = data
        self.footer = footer
    }

    public func html() -> String {
        let run = data.run
        var page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        page += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"
        page += " style-src 'unsafe-inline'\">"
        page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        page += "<title>de-sync report: run \(e(run.id))</title><style>\(Self.css)</style></head>"
        page += "<body><header><h1>De-sync report</h1>"
        page += "<p class=\"meta\">run <code>\(e(run.id))</code> · \(e(run.status)) · engine"
        page += " \(e(run.engine)) · mode \(e(run.mode)) · \(e(run.startedAt)) to"
        page += " \(e(run.finishedAt)) UTC · store <code>\(e(data.store))</code></p>"
        if !run.message.isEmpty { page += "<p class=\"warning\">\(e(run.message))</p>" }
        page += keyFigures() + "</header><main>"
        page += ledgerSection()
        page += byPingSection()
        page += byLossSection()
        page += histogramSection()
        page += heatmapSection()
        page += sweepSection()
        page += sessionsSection()
        page += playersSection()
        page += "</main><footer>\(e(footer))</footer></body></html>\n"
        return page
    }

    // MARK: - Pieces

    private func e(_ text: String) -> String { HTMLText.escaped(text) }

    private func count(_ value: Int64) -> String { ChartFormat.grouped(value) }

    private func percent(_ value: Double) -> String { ChartFormat.percent(decimals: 1).text(value) }

    private func section(_ id: String, _ title: String, _ caption: String, _ body: String) -> String {
        "<section id=\"\(id)\"><h2>\(e(title))</h2><p class=\"caption\">\(caption)</p>\(body)</section>"
    }

    private func noData(_ what: String) -> String {
        "<p class=\"no-data\">No data: \(what)</p>"
    }

    private var noRows: String {
        noData("desync_events holds no rows for this run (it failed, or a later run replaced its"
            + " batch).")
    }

    /// "high (≥ 150 ms)" for the band names the run used.
    func bandLabel(_ name: String) -> String {
        let (low, medium) = data.run.pingBands
        switch name {
        case "low": return "low (< \(low) ms)"
        case "medium": return "medium (\(low)–\(medium - 1) ms)"
        case "high": return "high (≥ \(medium) ms)"
        default: return name
        }
    }

    private func keyFigures() -> String {
        var figures: [(String, String)] = [("joined ticks", count(data.joinedRows))]
        if let overall = data.overall {
            var rate = percent(overall.rate)
            if let ci = overall.rateInterval {
                rate += " <small>[\(percent(ci.lowerBound)), \(percent(ci.upperBound))]</small>"
            }
            figures.append(("de-synced", rate))
            figures.append(
                ("mean distance", ChartFormat.decimal(3).text(overall.meanDistance) + " <small>units</small>"))
        }
        if let worst = data.byPing.filter({ $0.ticks > 0 }).max(by: { $0.rate < $1.rate }) {
            figures.append(
                ("worst ping band", "\(e(bandLabel(worst.label))) <small>\(percent(worst.rate))"
                    + " of \(count(worst.ticks))</small>"))
        }
        if let session = data.sessions.first {
            figures.append(
                ("worst session", "<span class=\"id\">\(e(HTMLText.shortened(session.sessionID, to: 24)))"
                    + "</span> <small>\(percent(session.rate))</small>"))
        }
        figures.append(("threshold", ChartFormat.coordinate(data.run.threshold) + " <small>units</small>"))
        return "<dl class=\"figures\">"
            + figures.map { "<div><dt>\($0.0)</dt><dd>\($0.1)</dd></div>" }.joined() + "</dl>"
    }

    private func ledgerSection() -> String {
        let run = data.run
        let streams = [("player_events", run.playerEvents, run.clientOnly), ("server_state", run.serverState, run.serverOnly)]
        func bars(_ pick: (ReportData.StreamCounts, Int64) -> Int64) -> [SVGBarChart.Bar] {
            streams.map { SVGBarChart.Bar(Double(pick($0.1, $0.2)), note: "") }
        }
        let chart = SVGBarChart(
            title: "Where every input row went", axisTitle: "rows", format: .count,
            series: ["player_events (client)", "server_state (server)"],
            rows: [
                .init("read", bars { s, _ in s.read }),
                .init("accepted", bars { s, _ in s.accepted }),
                .init("rejected", bars { s, _ in s.rejected }),
                .init("duplicates", bars { s, _ in s.duplicates }),
                .init("joined", bars { _, _ in run.joined }),
                .init("unmatched", bars { _, unmatched in unmatched }),
            ])
        var body = chart.svg()
        if run.rejectedByReason.isEmpty {
            body += "<p class=\"note\">No input row was rejected.</p>"
        } else {
            body += "<h3>Rejected rows by reason</h3>"
            body += SVGBarChart(
                title: "Rejected rows by reason", axisTitle: "rows", format: .count, series: ["rows"],
                rows: run.rejectedByReason.map { .init($0.reason, [.init(Double($0.count))]) }
            ).svg()
        }
        body += "<table class=\"inputs\"><thead><tr><th>stream</th><th>file</th><th>bytes</th>"
            + "<th>SHA-256</th></tr></thead><tbody>"
        for input in run.inputs {
            body += "<tr><td>\(e(input.stream))</td><td class=\"id\">\(e(input.path))</td>"
                + "<td class=\"num\">\(count(input.bytes))</td><td class=\"hash\">\(e(input.sha256))</td></tr>"
        }
        body += "</tbody></table>"
        return section(
            "ledger", "Ledger",
            "Every row of both inputs is accounted for: read = accepted + rejected + duplicates,"
                + " and accepted = joined + unmatched, per stream.", body)
    }

    private func rateAndMean(_ groups: [ReportData.GroupStats], label: (String) -> String, what: String)
        -> String
    {
        let rate = SVGBarChart(
            title: "De-sync rate by \(what)", axisTitle: "ticks de-synced (% of the group's ticks)",
            format: .percent(decimals: 1), series: ["de-sync rate"],
            rows: groups.map {
                .init(label($0.label), [.init($0.rate, interval: $0.rateInterval, note: "n=\(count($0.ticks))")])
            })
        let mean = SVGBarChart(
            title: "Mean de-sync distance by \(what)", axisTitle: "mean de-sync distance (world units)",
            format: .decimal(3), series: ["mean distance"],
            rows: groups.map {
                .init(label($0.label), [.init($0.meanDistance, interval: $0.meanInterval, note: "n=\(count($0.ticks))")])
            })
        return "<h3>De-sync rate</h3>" + rate.svg() + "<h3>Mean distance</h3>" + mean.svg()
    }

    private func byPingSection() -> String {
        let caption = "Share of ticks whose distance is above the threshold"
            + " (\(ChartFormat.coordinate(data.run.threshold)) world units), and the mean distance,"
            + " per ping band. Whiskers are 95% intervals (Wilson for rates, normal for means);"
            + " n is the number of ticks."
        guard !data.byPing.isEmpty else { return section("ping", "By ping band", caption, noRows) }
        return section("ping", "By ping band", caption, rateAndMean(data.byPing, label: bandLabel, what: "ping band"))
    }

    private func byLossSection() -> String {
        let caption = (data.lossBanded
            ? "Packet loss (fraction of packets lost) in bands of equal width."
            : "Per packet-loss value as written (fraction of packets lost).")
            + " Whiskers are 95% intervals; n is the number of ticks."
        guard !data.byLoss.isEmpty else { return section("loss", "By packet loss", caption, noRows) }
        return section(
            "loss", "By packet loss", caption, rateAndMean(data.byLoss, label: { "loss " + $0 }, what: "packet loss"))
    }

    private func histogramSection() -> String {
        let caption = "How many ticks fall at each distance between client and server. Right of the"
            + " dashed line the tick counts as de-synced."
            + (data.histogramOverflow > 0 ? " Distances above the 99th percentile are gathered in the last bar." : "")
        guard !data.histogram.isEmpty else { return section("distances", "Distances", caption, noRows) }
        let histogram = SVGHistogram(
            title: "Distribution of de-sync distances", bins: data.histogram,
            overflow: data.histogramOverflow, threshold: data.run.threshold)
        var body = histogram.svg()
        if histogram.isClipped {
            body += "<p class=\"note\">The tallest bar is cut to keep the others readable; its"
                + " count is written on it.</p>"
        }
        if data.distributions.isEmpty {
            body += "<p class=\"note\">Percentiles: desync_stats has no rows for this run.</p>"
        } else {
            body += "<table><thead><tr><th>group</th><th>ticks</th><th>de-synced</th><th>p50</th>"
                + "<th>p95</th><th>p99</th><th>max</th></tr></thead><tbody>"
            for d in data.distributions {
                let name = d.scope == "ping_category" ? bandLabel(d.group) : d.group
                let cells = [d.p50, d.p95, d.p99, d.max].map {
                    "<td class=\"num\">\($0.map { ChartFormat.decimal(3).text($0) } ?? "–")</td>"
                }
                body += "<tr><td>\(e(name))</td><td class=\"num\">\(count(d.ticks))</td>"
                    + "<td class=\"num\">\(percent(d.rate))</td>\(cells.joined())</tr>"
            }
            body += "</tbody></table><p class=\"note\">Distances in world units.</p>"
        }
        return section("distances", "Distances", caption, body)
    }

    private func heatmapSection() -> String {
        let caption = "De-sync rate for each ping band and packet-loss band; the darker, the more"
            + " ticks de-synced. n is the number of ticks in the cell."
        guard !data.heatmap.isEmpty else {
            return section("heatmap", "Ping × packet loss", caption, noData("desync_heatmap has no rows for this run."))
        }
        var rows: [String] = []
        var columns: [(String, Double)] = []
        for cell in data.heatmap.sorted(by: { $0.pingLow < $1.pingLow }) where !rows.contains(bandLabel(cell.pingCategory)) {
            rows.append(bandLabel(cell.pingCategory))
        }
        for cell in data.heatmap where !columns.contains(where: { $0.0 == cell.lossBand }) {
            columns.append((cell.lossBand, cell.lossLow))
        }
        columns.sort { $0.1 < $1.1 }
        let chart = SVGHeatmap(
            title: "De-sync rate by ping band and packet loss", rowTitle: "ping band",
            columnTitle: "packet loss (fraction of packets lost)", rows: rows, columns: columns.map(\.0),
            cells: data.heatmap.map {
                .init(row: bandLabel($0.pingCategory), column: $0.lossBand, rate: $0.rate, ticks: $0.ticks)
            })
        return section("heatmap", "Ping × packet loss", caption, chart.svg())
    }

    private func sweepSection() -> String {
        let caption = "Share of ticks that would count as de-synced at each threshold; the dashed"
            + " line marks the threshold this run used."
        guard !data.sweep.isEmpty else {
            return section("sweep", "Threshold sweep", caption, noData("threshold_sweep has no rows for this run."))
        }
        var chart = SVGLineChart(
            title: "Share de-synced by threshold", xTitle: "threshold (world units)",
            yTitle: "ticks de-synced (%)",
            series: [.init("share de-synced", data.sweep.map { ChartPoint($0.threshold, $0.share) })])
        chart.yPercent = true
        chart.markerX = (data.run.threshold, "threshold \(ChartFormat.coordinate(data.run.threshold))")
        return section("sweep", "Threshold sweep", caption, chart.svg())
    }

    private func sessionsSection() -> String {
        let caption = "The sessions with the highest de-sync rate. Each line is a player's de-sync"
            + " distance over time; shaded spans are rubber-band episodes (consecutive de-synced"
            + " ticks); the dashed line is the threshold."
        guard !data.sessions.isEmpty else { return section("sessions", "Worst sessions", caption, noRows) }
        var body = ""
        for session in data.sessions {
            body += "<h3>Session <span class=\"id\">\(e(session.sessionID))</span></h3>"
            var facts = "\(percent(session.rate)) of \(count(session.ticks)) ticks de-synced, peak"
                + " \(ChartFormat.decimal(2).text(session.maxDistance)) world units; first tick at"
                + " \(e(session.startedAt)) UTC."
            if let worst = session.episodes.first {
                facts += " Worst episode: player <span class=\"id\">\(e(worst.playerID))</span> from"
                    + " \(ChartFormat.decimal(1).text(worst.start)) s to"
                    + " \(ChartFormat.decimal(1).text(worst.end)) s, \(count(worst.ticks)) ticks, peak"
                    + " \(ChartFormat.decimal(2).text(worst.peak))."
            } else {
                facts += " Episodes: desync_episodes has no rows for this session, so none are shaded."
            }
            if session.ticksPerPoint > 1 {
                facts += " Each point is the largest distance of \(session.ticksPerPoint) consecutive ticks."
            }
            if session.playersLeftOut > 0 {
                facts += " \(session.playersLeftOut) players with fewer de-synced ticks are not drawn."
            }
            body += "<p class=\"note\">\(facts)</p>"
            var chart = SVGLineChart(
                title: "De-sync distance over time, session \(session.sessionID)",
                xTitle: "time since the session's first tick (s)", yTitle: "de-sync distance (world units)",
                series: session.players.map { .init($0.playerID, $0.points) })
            chart.spans = session.episodes.map {
                .init(
                    from: $0.start, to: $0.end,
                    label: "player \($0.playerID): \($0.ticks) ticks, peak \(ChartFormat.decimal(2).text($0.peak))")
            }
            chart.spanLegend = "rubber-band episode"
            chart.referenceY = (data.run.threshold, "threshold \(ChartFormat.coordinate(data.run.threshold))")
            body += chart.svg()
        }
        return section("sessions", "Worst sessions", caption, body)
    }

    private func playersSection() -> String {
        var caption = "Players ranked by de-sync rate, among those with at least"
            + " \(count(data.minimumTicks)) ticks (fewer would rank on noise). Whiskers are 95%"
            + " Wilson intervals."
        if data.playersBelowMinimum > 0 {
            caption += data.playersBelowMinimum == 1
                ? " 1 player had fewer ticks and is left out."
                : " \(count(data.playersBelowMinimum)) players had fewer ticks and are left out."
        }
        guard !data.topPlayers.isEmpty else {
            return section(
                "players", "Players with the highest de-sync rate", caption,
                noData("desync_by_player has no rows with at least \(count(data.minimumTicks)) ticks for this run."))
        }
        let chart = SVGBarChart(
            title: "Players with the highest de-sync rate", axisTitle: "ticks de-synced (% of the player's ticks)",
            format: .percent(decimals: 1), series: ["de-sync rate"],
            rows: data.topPlayers.map {
                .init(
                    "\($0.sessionID) / \($0.playerID)",
                    [.init($0.rate, interval: $0.interval, note: "n=\(count($0.ticks))")])
            })
        return section("players", "Players with the highest de-sync rate", caption, chart.svg())
    }

    static let css = """
        :root { color-scheme: light; }
        body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
          background: #fff; margin: 0 auto; max-width: 1240px; padding: 16px 20px 40px; line-height: 1.4; }
        h1 { font-size: 28px; margin: 8px 0 4px; }
        h2 { font-size: 22px; margin: 0 0 4px; border-bottom: 2px solid #0072B2; padding-bottom: 4px; }
        h3 { font-size: 16px; margin: 18px 0 4px; }
        section { margin: 28px 0; }
        .meta, .caption, .note { color: #444; font-size: 14px; margin: 4px 0 8px; }
        .warning { color: #a33; font-weight: 600; }
        .no-data { background: #f6f6f6; border: 1px dashed #bbb; padding: 24px; text-align: center;
          color: #666; font-size: 15px; }
        .figures { display: flex; flex-wrap: wrap; gap: 12px; margin: 14px 0 0; }
        .figures div { border: 1px solid #ddd; border-radius: 6px; padding: 8px 14px; min-width: 130px; }
        .figures dt { font-size: 12px; color: #666; text-transform: uppercase; letter-spacing: .04em; }
        .figures dd { margin: 2px 0 0; font-size: 20px; font-weight: 600; }
        .figures small { font-size: 13px; font-weight: 400; color: #555; }
        .id, code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .92em;
          overflow-wrap: anywhere; }
        svg.chart { display: block; width: 100%; height: auto; max-width: 1200px; }
        table { border-collapse: collapse; font-size: 13px; margin: 10px 0; }
        th, td { border-bottom: 1px solid #e3e3e3; padding: 4px 10px; text-align: left; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.hash { font-family: ui-monospace, monospace; font-size: 11px; color: #555; }
        footer { color: #777; font-size: 12px; margin-top: 40px; }
        @page { size: A4 portrait; margin: 12mm; }
        @media print {
          body { max-width: none; padding: 0; font-size: 11pt; }
          section { break-inside: avoid-page; page-break-inside: avoid; }
          svg.chart { max-width: 100%; break-inside: avoid; }
          h2, h3 { break-after: avoid; }
          .figures div { border-color: #999; }
        }
        """
}
