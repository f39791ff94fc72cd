/// The sections of the report, one per chart or group of charts; each
/// shows a "no data" note in place of a chart whose table is empty.
extension HTMLReport {
    func ledgerSection() -> String {
        let run = data.run
        let streams = [
            ("player_events", run.playerEvents, run.clientOnly),
            ("server_state", run.serverState, run.serverOnly),
        ]
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
                title: "Rejected rows by reason", axisTitle: "rows", format: .count,
                series: ["rows"],
                rows: run.rejectedByReason.map { .init($0.reason, [.init(Double($0.count))]) }
            ).svg()
        }
        body +=
            "<table class=\"inputs\"><thead><tr><th>stream</th><th>file</th><th>bytes</th>"
            + "<th>SHA-256</th></tr></thead><tbody>"
        for input in run.inputs {
            body +=
                "<tr><td>\(e(input.stream))</td><td class=\"id\">\(e(input.path))</td>"
                + "<td class=\"num\">\(count(input.bytes))</td>"
                + "<td class=\"hash\">\(e(input.sha256))</td></tr>"
        }
        body += "</tbody></table>"
        return section(
            "ledger", "Ledger",
            "Every row of both inputs is accounted for: read = accepted + rejected + duplicates,"
                + " and accepted = joined + unmatched, per stream.", body)
    }

    func rateAndMean(
        _ groups: [ReportData.GroupStats], label: (String) -> String, what: String
    )
        -> String
    {
        let rate = SVGBarChart(
            title: "De-sync rate by \(what)", axisTitle: "ticks de-synced (% of the group's ticks)",
            format: .percent(decimals: 1), series: ["de-sync rate"],
            rows: groups.map {
                .init(
                    label($0.label),
                    [.init($0.rate, interval: $0.rateInterval, note: "n=\(count($0.ticks))")])
            })
        let mean = SVGBarChart(
            title: "Mean de-sync distance by \(what)",
            axisTitle: "mean de-sync distance (world units)",
            format: .decimal(3), series: ["mean distance"],
            rows: groups.map {
                .init(
                    label($0.label),
                    [
                        .init(
                            $0.meanDistance, interval: $0.meanInterval, note: "n=\(count($0.ticks))"
                        )
                    ])
            })
        return "<h3>De-sync rate</h3>" + rate.svg() + "<h3>Mean distance</h3>" + mean.svg()
    }

    func byPingSection() -> String {
        let caption =
            "Share of ticks whose distance is above the threshold"
            + " (\(ChartFormat.coordinate(data.run.threshold)) world units), and the mean distance,"
            + " per ping band. Whiskers are 95% intervals (Wilson for rates, normal for means);"
            + " n is the number of ticks."
        guard !data.byPing.isEmpty else { return section("ping", "By ping band", caption, noRows) }
        return section(
            "ping", "By ping band", caption,
            rateAndMean(data.byPing, label: bandLabel, what: "ping band"))
    }

    func byLossSection() -> String {
        let caption =
            (data.lossBanded
                ? "Packet loss (fraction of packets lost) in bands of equal width."
                : "Per packet-loss value as written (fraction of packets lost).")
            + " Whiskers are 95% intervals; n is the number of ticks."
        guard !data.byLoss.isEmpty else {
            return section("loss", "By packet loss", caption, noRows)
        }
        return section(
            "loss", "By packet loss", caption,
            rateAndMean(data.byLoss, label: { "loss " + $0 }, what: "packet loss"))
    }

    func histogramSection() -> String {
        let caption =
            "How many ticks fall at each distance between client and server. Right of the"
            + " dashed line the tick counts as de-synced."
            + (data.histogramOverflow > 0
                ? " Distances above the 99th percentile are gathered in the last bar." : "")
        guard !data.histogram.isEmpty else {
            return section("distances", "Distances", caption, noRows)
        }
        let histogram = SVGHistogram(
            title: "Distribution of de-sync distances", bins: data.histogram,
            overflow: data.histogramOverflow, threshold: data.run.threshold)
        var body = histogram.svg()
        if histogram.isClipped {
            body +=
                "<p class=\"note\">The tallest bar is cut to keep the others readable; its"
                + " count is written on it.</p>"
        }
        if data.distributions.isEmpty {
            body += "<p class=\"note\">Percentiles: desync_stats has no rows for this run.</p>"
        } else {
            body +=
                "<table><thead><tr><th>group</th><th>ticks</th><th>de-synced</th><th>p50</th>"
                + "<th>p95</th><th>p99</th><th>max</th></tr></thead><tbody>"
            for d in data.distributions {
                let name: String
                switch d.scope {
                case "ping_category": name = "ping " + bandLabel(d.group)
                case "loss_band": name = "packet loss " + d.group
                case "overall": name = "all ticks"
                default: name = d.scope + " " + d.group
                }
                let cells = [d.p50, d.p95, d.p99, d.max].map {
                    "<td class=\"num\">\($0.map { ChartFormat.decimal(3).text($0) } ?? "–")</td>"
                }
                body +=
                    "<tr><td>\(e(name))</td><td class=\"num\">\(count(d.ticks))</td>"
                    + "<td class=\"num\">\(percent(d.rate))</td>\(cells.joined())</tr>"
            }
            body += "</tbody></table><p class=\"note\">Distances in world units.</p>"
        }
        return section("distances", "Distances", caption, body)
    }

    func heatmapSection() -> String {
        let caption =
            "De-sync rate for each ping band and packet-loss band; the darker, the more"
            + " ticks de-synced. n is the number of ticks in the cell."
        return section(
            "heatmap", "Ping × packet loss", caption, table: "desync_heatmap",
            when: !data.heatmap.isEmpty, heatmapChart)
    }

    private func heatmapChart() -> String {
        var rows: [String] = []
        var columns: [(String, Double)] = []
        for cell in data.heatmap.sorted(by: { $0.pingLow < $1.pingLow })
        where !rows.contains(bandLabel(cell.pingCategory)) {
            rows.append(bandLabel(cell.pingCategory))
        }
        for cell in data.heatmap where !columns.contains(where: { $0.0 == cell.lossBand }) {
            columns.append((cell.lossBand, cell.lossLow))
        }
        // "0" and "(0,0.02]" share a lower edge; the closed one comes first.
        func open(_ band: String) -> Bool { band.hasPrefix("(") || band.hasPrefix(">") }
        columns.sort { ($0.1, open($0.0) ? 1 : 0, $0.0) < ($1.1, open($1.0) ? 1 : 0, $1.0) }
        let chart = SVGHeatmap(
            title: "De-sync rate by ping band and packet loss", rowTitle: "ping band",
            columnTitle: "packet loss (fraction of packets lost)", rows: rows,
            columns: columns.map(\.0),
            cells: data.heatmap.map {
                .init(
                    row: bandLabel($0.pingCategory), column: $0.lossBand, rate: $0.rate,
                    ticks: $0.ticks)
            })
        return chart.svg()
    }

    func sweepSection() -> String {
        let caption =
            "Share of ticks that would count as de-synced at each threshold; the dashed"
            + " line marks the threshold this run used."
        return section(
            "sweep", "Threshold sweep", caption, table: "threshold_sweep",
            when: !data.sweep.isEmpty, sweepChart)
    }

    private func sweepChart() -> String {
        var chart = SVGLineChart(
            title: "Share de-synced by threshold", xTitle: "threshold (world units)",
            yTitle: "ticks de-synced (%)",
            series: [
                .init("share de-synced", data.sweep.map { ChartPoint($0.threshold, $0.share) })
            ])
        chart.yPercent = true
        chart.markerX = (
            data.run.threshold, "threshold \(ChartFormat.coordinate(data.run.threshold))"
        )
        return chart.svg()
    }

    func sessionsSection() -> String {
        let caption =
            "The session with the run's worst rubber-band episode (highest peak), the one with"
            + " its longest episode, then the sessions with the highest de-sync rate. Each line"
            + " is a player's de-sync"
            + " distance over time; shaded spans are rubber-band episodes (consecutive de-synced"
            + " ticks); the dashed line is the threshold."
        guard !data.sessions.isEmpty else {
            return section("sessions", "Worst sessions", caption, noRows)
        }
        var body = ""
        for session in data.sessions {
            body += "<h3>Session <span class=\"id\">\(e(session.sessionID))</span></h3>"
            var facts =
                "\(percent(session.rate)) of \(count(session.ticks)) ticks de-synced, peak"
                + " \(ChartFormat.decimal(2).text(session.maxDistance)) world units; first tick at"
                + " \(e(session.startedAt)) UTC."
            if let worst = session.episodes.first {
                facts +=
                    " Worst episode: player <span class=\"id\">\(e(worst.playerID))</span> from"
                    + " \(ChartFormat.decimal(1).text(worst.start)) s to"
                    + " \(ChartFormat.decimal(1).text(worst.end)) s, \(count(worst.ticks)) ticks,"
                    + " peak"
                    + " \(ChartFormat.decimal(2).text(worst.peak))."
            } else {
                facts +=
                    " Episodes: desync_episodes has no rows for this session, so none are shaded."
            }
            if session.ticksPerPoint > 1 {
                facts +=
                    " Each point is the largest distance of \(session.ticksPerPoint)"
                    + " consecutive ticks."
            }
            if session.playersLeftOut > 0 {
                facts +=
                    " " + plural(Int64(session.playersLeftOut), "player")
                    + " with fewer de-synced ticks not drawn."
            }
            body += "<p class=\"note\">\(facts)</p>"
            var chart = SVGLineChart(
                title: "De-sync distance over time, session \(session.sessionID)",
                xTitle: "time since the session's first tick (s)",
                yTitle: "de-sync distance (world units)",
                series: session.players.map { .init($0.playerID, $0.points) })
            // Episodes come worst (highest peak) first: that one is called out.
            chart.spans = session.episodes.enumerated().map { index, episode in
                let range =
                    "\(ChartFormat.decimal(1).text(episode.start))–"
                    + "\(ChartFormat.decimal(1).text(episode.end)) s"
                return .init(
                    from: episode.start, to: episode.end,
                    label:
                        "player \(episode.playerID): \(episode.ticks) ticks, peak"
                        + " \(ChartFormat.decimal(2).text(episode.peak)), \(range)",
                    callout: index == 0 ? "worst episode \(range)" : nil)
            }
            chart.spanLegend = "rubber-band episode"
            chart.referenceY = (
                data.run.threshold, "threshold \(ChartFormat.coordinate(data.run.threshold))"
            )
            body += chart.svg()
        }
        return section("sessions", "Worst sessions", caption, body)
    }

    func playersSection() -> String {
        var caption =
            "Players ranked by de-sync rate, among those with at least"
            + " \(count(data.minimumTicks)) ticks (fewer would rank on noise). Whiskers are 95%"
            + " Wilson intervals."
        if data.playersBelowMinimum > 0 {
            caption +=
                " " + plural(data.playersBelowMinimum, "player") + " had fewer ticks and"
                + (data.playersBelowMinimum == 1 ? " is" : " are") + " left out."
        }
        guard !data.topPlayers.isEmpty else {
            return section(
                "players", "Players with the highest de-sync rate", caption,
                noData(
                    "desync_by_player has no rows with at least \(count(data.minimumTicks))"
                        + " ticks for this run."
                ))
        }
        let chart = SVGBarChart(
            title: "Players with the highest de-sync rate",
            axisTitle: "ticks de-synced (% of the player's ticks)",
            format: .percent(decimals: 1), series: ["de-sync rate"],
            rows: data.topPlayers.map {
                .init(
                    "\($0.sessionID) / \($0.playerID)",
                    [.init($0.rate, interval: $0.interval, note: "n=\(count($0.ticks))")])
            })
        return section("players", "Players with the highest de-sync rate", caption, chart.svg())
    }
}
