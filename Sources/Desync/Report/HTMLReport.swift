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

    func e(_ text: String) -> String { HTMLText.escaped(text) }

    func count(_ value: Int64) -> String { ChartFormat.grouped(value) }

    /// "1 player", "2,000 players".
    func plural(_ n: Int64, _ noun: String) -> String {
        "\(count(n)) \(noun)\(n == 1 ? "" : "s")"
    }

    func percent(_ value: Double) -> String { ChartFormat.percent(decimals: 1).text(value) }

    func section(_ id: String, _ title: String, _ caption: String, _ body: String) -> String {
        "<section id=\"\(id)\"><h2>\(e(title))</h2><p class=\"caption\">\(caption)</p>"
            + body + "</section>"
    }

    /// A section drawn by `chart` when `present`, else a note that
    /// `table` has no rows for the run.
    func section(
        _ id: String, _ title: String, _ caption: String, table: String, when present: Bool,
        _ chart: () -> String
    ) -> String {
        let body = present ? chart() : noData("\(table) has no rows for this run.")
        return section(id, title, caption, body)
    }

    func noData(_ what: String) -> String {
        "<p class=\"no-data\">No data: \(what)</p>"
    }

    var noRows: String {
        noData(
            "desync_events holds no rows for this run (it failed, or a later run replaced its"
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

    func keyFigures() -> String {
        var figures: [(String, String)] = [("joined ticks", count(data.joinedRows))]
        if let overall = data.overall {
            var rate = percent(overall.rate)
            if let ci = overall.rateInterval {
                rate += " <small>[\(percent(ci.lowerBound)), \(percent(ci.upperBound))]</small>"
            }
            figures.append(("de-synced", rate))
            figures.append(
                (
                    "mean distance",
                    ChartFormat.decimal(3).text(overall.meanDistance) + " <small>units</small>"
                ))
        }
        if let worst = data.byPing.filter({ $0.ticks > 0 }).max(by: { $0.rate < $1.rate }) {
            figures.append(
                (
                    "worst ping band",
                    "\(e(bandLabel(worst.label))) <small>\(percent(worst.rate))"
                        + " of \(count(worst.ticks))</small>"
                ))
        }
        // The timelines start with the session holding the run's highest
        // peak, so the headline names that session by its peak (not by a
        // rate: another session may have a higher one).
        if let session = data.sessions.first {
            figures.append(
                (
                    "highest peak in",
                    "<span class=\"id\">\(e(HTMLText.shortened(session.sessionID, to: 24)))"
                        + "</span> <small>"
                        + ChartFormat.decimal(2).text(session.maxDistance) + " units</small>"
                ))
        }
        figures.append(
            ("threshold", ChartFormat.coordinate(data.run.threshold) + " <small>units</small>"))
        return "<dl class=\"figures\">"
            + figures.map { "<div><dt>\($0.0)</dt><dd>\($0.1)</dd></div>" }.joined() + "</dl>"
    }
}
