/// The analytics tables' rows (`AnalyticsTables`). Undefined values (a
/// rate of no ticks, a correlation of a constant) are written as NULL.
extension OutputTables {
    static func analytics(
        _ a: Analytics, _ d: Dimensions, _ options: AnalysisOptions, runID: String
    ) -> [TableRows] {
        let sessions = d.sessions.values
        let players = d.players.values
        let types = d.eventTypes.values
        let episodes = a.episodes
        let bySession = a.sessions
        let byPlayer = a.players
        let byType = a.eventTypes
        let windows = a.windows
        let heatmap = a.heatmap
        let stats = a.stats
        let sweep = a.sweep
        let bands = options.pingBands
        return [
            TableRows(AnalyticsTables.episodes, count: episodes.count) { i, sink in
                let r = episodes[i]
                sink.text(sessions[Int(r.session)])
                sink.text(players[Int(r.player)])
                sink.timestamp(r.episode.start)
                sink.timestamp(r.episode.end)
                sink.integer(r.episode.ticks)
                sink.double(Double(r.episode.duration) / 1000)
                sink.double(r.episode.peakDistance)
                sink.double(r.episode.averageDistance)
                sink.optionalDouble(r.episode.recovery.map { Double($0) / 1000 })
                sink.text(runID)
            },
            TableRows(AnalyticsTables.bySession, count: bySession.count) { i, sink in
                let r = bySession[i]
                sink.text(sessions[Int(r.session)])
                sink.integer(r.players)
                sink.counts(r.tally)
                sink.optionalDouble(r.tally.averageDistance)
                sink.optionalDouble(r.p95Distance)
                sink.optionalDouble(r.tally.maxDistance)
                sink.optionalDouble(r.tally.averagePing)
                sink.optionalDouble(r.tally.averageLoss)
                sink.integer(r.episodes)
                sink.optionalDouble(r.clockOffsetMs)
                sink.optionalDouble(r.pearsonPing)
                sink.optionalDouble(r.pearsonLoss)
                sink.text(runID)
            },
            TableRows(AnalyticsTables.byPlayer, count: byPlayer.count) { i, sink in
                let r = byPlayer[i]
                sink.text(sessions[Int(r.session)])
                sink.text(players[Int(r.player)])
                sink.counts(r.tally)
                sink.interval(r.tally)
                sink.optionalDouble(r.tally.averageDistance)
                sink.optionalDouble(r.tally.maxDistance)
                sink.optionalDouble(r.tally.averagePing)
                sink.optionalDouble(r.tally.averageLoss)
                sink.optionalDouble(r.tally.averageSpeed)
                sink.integer(r.episodes)
                sink.text(runID)
            },
            TableRows(AnalyticsTables.byEventType, count: byType.count) { i, sink in
                let r = byType[i]
                sink.text(types[Int(r.eventType)])
                sink.counts(r.tally)
                sink.optionalDouble(r.tally.averageDistance)
                sink.optionalDouble(r.p95Distance)
                sink.text(runID)
            },
            TableRows(AnalyticsTables.byWindow, count: windows.count) { i, sink in
                let r = windows[i]
                sink.timestamp(r.start)
                sink.timestamp(r.end)
                sink.counts(r.tally)
                sink.optionalDouble(r.tally.averageDistance)
                sink.optionalDouble(r.tally.averagePing)
                sink.optionalDouble(r.tally.averageLoss)
                sink.text(runID)
            },
            TableRows(AnalyticsTables.heatmap, count: heatmap.count) { i, sink in
                let r = heatmap[i]
                sink.text(r.ping.rawValue)
                switch r.ping {
                case .low:
                    sink.integer(0)
                    sink.integer(Int64(bands.low))
                case .medium:
                    sink.integer(Int64(bands.low))
                    sink.integer(Int64(bands.medium))
                case .high:
                    sink.integer(Int64(bands.medium))
                    sink.null()
                }
                sink.text(r.loss.label)
                sink.double(r.loss.low)
                sink.double(r.loss.high)
                sink.counts(r.tally)
                sink.optionalDouble(r.tally.averageDistance)
                sink.text(runID)
            },
            TableRows(AnalyticsTables.stats, count: stats.count) { i, sink in
                let r = stats[i]
                sink.text(r.scope)
                sink.text(r.key)
                sink.counts(r.tally)
                sink.interval(r.tally)
                sink.optionalDouble(r.tally.averageDistance)
                sink.optionalDouble(r.p50)
                sink.optionalDouble(r.p95)
                sink.optionalDouble(r.p99)
                sink.optionalDouble(r.tally.maxDistance)
                sink.optionalDouble(r.pearsonPing)
                sink.optionalDouble(r.spearmanPing)
                sink.optionalDouble(r.pearsonLoss)
                sink.optionalDouble(r.spearmanLoss)
                sink.text(runID)
            },
            TableRows(AnalyticsTables.thresholdSweep, count: sweep.count) { i, sink in
                let r = sweep[i]
                sink.double(r.threshold)
                sink.integer(r.ticks)
                sink.integer(r.desynced)
                sink.optionalDouble(r.share)
                sink.text(runID)
            },
        ]
    }
}

extension RowSink {
    /// ticks, desync_event_count, desync_rate.
    fileprivate func counts(_ tally: Tally) {
        integer(tally.ticks)
        integer(tally.desynced)
        optionalDouble(tally.rate)
    }

    /// desync_rate_ci_low, desync_rate_ci_high.
    fileprivate func interval(_ tally: Tally) {
        let interval = tally.interval
        optionalDouble(interval?.low)
        optionalDouble(interval?.high)
    }
}
