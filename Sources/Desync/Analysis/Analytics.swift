/// The analytics tables of one run, computed from the joined ticks: pure
/// functions of the columns, no I/O.
///
/// Cost: five orders of the ticks (by distance, ping, loss, clock gap, and
/// player and time), each a stable radix sort of integer keys
/// (`RadixOrder`), and linear passes. Every grouping that needs sorted
/// values (percentiles, ranks, medians) takes them from a stable counting
/// sort of a global order, so each group's values come out already
/// sorted: O(n) per order, and no allocation per row.
public struct Analytics: Sendable {
    public var episodes: [EpisodeRow] = []
    public var sessions: [SessionRow] = []
    public var players: [PlayerRow] = []
    public var eventTypes: [EventTypeRow] = []
    public var windows: [WindowRow] = []
    public var heatmap: [HeatmapCell] = []
    public var stats: [StatsRow] = []
    public var sweep: [SweepRow] = []

    public init() {}

    /// Ping bands in their natural order.
    public static let pingOrder: [PingCategory] = [.low, .medium, .high]

    /// The thresholds of `threshold_sweep`: 0 to 10 world units by 0.25,
    /// plus the run's own threshold.
    public static func sweepThresholds(including threshold: Double) -> [Double] {
        var values = (0...40).map { Double($0) * 0.25 }
        if !values.contains(threshold) { values.append(threshold) }
        return values.sorted()
    }

    public static func compute(
        _ t: JoinedTicks, _ e: PlayerEvents, _ s: ServerStates, _ d: Dimensions,
        _ options: AnalysisOptions
    ) -> Analytics {
        var out = compute(TickColumns(t, e, s, options), d, options, withStats: true)
        out.sortForOutput(d)
        return out
    }

    /// The tables of the ticks in `c`, rows not yet in output order.
    /// Without `withStats` the `desync_stats` rows are left out (the
    /// partitioned run computes them over all partitions at once).
    static func compute(
        _ c: TickColumns, _ d: Dimensions, _ options: AnalysisOptions, withStats: Bool,
        byDistance known: [Int32]? = nil
    ) -> Analytics {
        let byDistance = known ?? distanceOrder(c)
        // Two independent halves on two cores; each builds the orders only
        // it needs and drops them when it is done.
        let halves = parallelMap(withStats ? [0, 1] : [0]) { half -> Analytics in
            var part = Analytics()
            if half == 0 {
                // (session, player, time, row): time first, then the more
                // significant keys, each pass stable. Session and player
                // compare as unsigned, as in `PlayerTimeOrder`.
                var byPlayerTime = RadixOrder.rows(count: c.count) { RadixOrder.key(c.time[$0]) }
                RadixOrder.sort(&byPlayerTime) { UInt64(UInt32(bitPattern: c.player[$0])) }
                RadixOrder.sort(&byPlayerTime) { UInt64(UInt32(bitPattern: c.session[$0])) }
                let sessionCount = max(d.sessions.count, Int(c.session.max() ?? -1) + 1)
                var sessionEpisodes = [Int64](repeating: 0, count: sessionCount)
                var sessionPlayers = [Int64](repeating: 0, count: sessionCount)
                part.walkPlayers(c, byPlayerTime, &sessionEpisodes, &sessionPlayers)
                byPlayerTime = []
                let byGap = RadixOrder.rows(count: c.count) { RadixOrder.key(c.gap[$0]) }
                part.sessions = sessionRows(
                    c, byDistance, byGap, sessionCount, sessionEpisodes, sessionPlayers)
                part.eventTypes = eventTypeRows(c, byDistance, max(d.eventTypes.count, 1))
                part.windows = windowRows(c, options.window)
                part.heatmap = heatmapCells(c)
            } else {
                let byPing = RadixOrder.rows(count: c.count) { RadixOrder.key(c.ping[$0]) }
                let byLoss = RadixOrder.rows(count: c.count) { RadixOrder.key(c.loss[$0]) }
                part.stats = statsRows(c, byDistance, byPing, byLoss)
            }
            return part
        }
        var out = halves[0]
        if withStats { out.stats = halves[1].stats }
        out.sweep = sweepThresholds(including: options.threshold).map { threshold in
            // Ticks above the threshold: all but those at or under it, found
            // by binary search in the distance order.
            var lo = 0
            var hi = c.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if c.distance[Int(byDistance[mid])] <= threshold { lo = mid + 1 } else { hi = mid }
            }
            return SweepRow(
                threshold: threshold, ticks: Int64(c.count), desynced: Int64(c.count - lo))
        }
        return out
    }

    /// Takes a partition's finished rows out of `self`: episodes, sessions
    /// and players never span partitions, so they can be written as soon
    /// as their partition is done instead of being held to the end.
    mutating func takeFinishedRows(_ d: Dimensions) -> Analytics {
        var done = Analytics()
        (done.episodes, episodes) = (episodes, [])
        (done.sessions, sessions) = (sessions, [])
        (done.players, players) = (players, [])
        done.sortForOutput(d)
        return done
    }

    /// The ticks' rows by distance (stable): the order every percentile
    /// and rank is read from.
    static func distanceOrder(_ c: TickColumns) -> [Int32] {
        RadixOrder.rows(count: c.count) { RadixOrder.key(c.distance[$0]) }
    }

    /// Adds one partition's tables: the tallies of event types, windows,
    /// heat-map cells and sweep thresholds add up (take its finished rows
    /// first). Percentiles over all partitions are set by
    /// `finishPartitions`.
    mutating func add(partition part: Analytics) {
        precondition(
            part.episodes.isEmpty && part.sessions.isEmpty && part.players.isEmpty,
            "a partition's finished rows are written, not added")
        for row in part.eventTypes {
            if let k = eventTypes.firstIndex(where: { $0.eventType == row.eventType }) {
                eventTypes[k].tally.add(row.tally)
            } else {
                eventTypes.append(EventTypeRow(eventType: row.eventType, tally: row.tally))
            }
        }
        var windowAt: [Int64: Int] = [:]
        for (k, row) in windows.enumerated() { windowAt[row.start] = k }
        for row in part.windows {
            if let k = windowAt[row.start] {
                windows[k].tally.add(row.tally)
            } else {
                windowAt[row.start] = windows.count
                windows.append(row)
            }
        }
        if heatmap.isEmpty {
            heatmap = part.heatmap
        } else {
            for k in heatmap.indices { heatmap[k].tally.add(part.heatmap[k].tally) }
        }
        if sweep.isEmpty {
            sweep = part.sweep
        } else {
            for k in sweep.indices {
                sweep[k].ticks += part.sweep[k].ticks
                sweep[k].desynced += part.sweep[k].desynced
            }
        }
    }

    /// Completes tables added partition by partition with the figures that
    /// need every tick: `desync_stats` and each event type's p95.
    mutating func finishPartitions(
        stats: [StatsRow], eventTypeP95: [Double?], _ d: Dimensions
    ) {
        self.stats = stats
        for k in eventTypes.indices {
            let type = Int(eventTypes[k].eventType)
            eventTypes[k].p95Distance = type < eventTypeP95.count ? eventTypeP95[type] : nil
        }
        windows.sort { $0.start < $1.start }
        sortForOutput(d)
    }

    /// `desync_stats` and the event types' rows of `c` alone, as `compute`
    /// finds them: the in-memory counterpart of `PartitionedStats`.
    static func distanceRows(
        _ c: TickColumns, eventTypes: Int
    ) -> (stats: [StatsRow], eventTypes: [EventTypeRow]) {
        func order(_ values: [Double]) -> [Int32] {
            RadixOrder.rows(count: c.count) { RadixOrder.key(values[$0]) }
        }
        let byDistance = order(c.distance)
        return (
            statsRows(c, byDistance, order(c.ping), order(c.loss)),
            eventTypeRows(c, byDistance, max(eventTypes, 1))
        )
    }

    /// Episodes and per-player rows, walking each player's ticks in time
    /// order.
    private mutating func walkPlayers(
        _ c: TickColumns, _ order: [Int32], _ sessionEpisodes: inout [Int64],
        _ sessionPlayers: inout [Int64]
    ) {
        var k = 0
        while k < order.count {
            let first = Int(order[k])
            let session = c.session[first]
            let player = c.player[first]
            var tally = Tally()
            var detector = EpisodeDetector()
            var count: Int64 = 0
            while k < order.count {
                let i = Int(order[k])
                guard c.session[i] == session, c.player[i] == player else { break }
                c.add(i, to: &tally)
                if let closed = detector.add(
                    time: c.time[i], distance: c.distance[i], desynced: c.desynced[i])
                {
                    episodes.append(EpisodeRow(session: session, player: player, episode: closed))
                    count += 1
                }
                k += 1
            }
            if let open = detector.finish() {
                episodes.append(EpisodeRow(session: session, player: player, episode: open))
                count += 1
            }
            sessionEpisodes[Int(session)] += count
            sessionPlayers[Int(session)] += 1
            players.append(
                PlayerRow(session: session, player: player, tally: tally, episodes: count))
        }
    }

    private static func sessionRows(
        _ c: TickColumns, _ byDistance: [Int32], _ byGap: [Int32], _ sessions: Int,
        _ episodes: [Int64], _ players: [Int64]
    ) -> [SessionRow] {
        let distances = GroupedOrder(byDistance, groups: sessions) { Int(c.session[$0]) }
        let gaps = GroupedOrder(byGap, groups: sessions) { Int(c.session[$0]) }
        var rows: [SessionRow] = []
        for g in 0..<sessions {
            let segment = distances.segment(g)
            guard !segment.isEmpty else { continue }
            let gapSegment = gaps.segment(g)
            let offset = Statistics.percentile(sortedCount: gapSegment.count, 0.5) {
                Double(c.gap[Int(gapSegment[gapSegment.startIndex + $0])]) / 1000
            }
            rows.append(
                SessionRow(
                    session: Int32(g), players: players[g], tally: c.tally(segment),
                    p95Distance: c.percentile(segment, 0.95), episodes: episodes[g],
                    clockOffsetMs: offset, pearsonPing: c.pearson(segment, c.ping),
                    pearsonLoss: c.pearson(segment, c.loss)))
        }
        return rows
    }

    private static func eventTypeRows(
        _ c: TickColumns, _ byDistance: [Int32], _ types: Int
    ) -> [EventTypeRow] {
        let grouped = GroupedOrder(byDistance, groups: types) { Int(c.eventType[$0]) }
        return (0..<types).compactMap { g in
            let segment = grouped.segment(g)
            guard !segment.isEmpty else { return nil }
            return EventTypeRow(
                eventType: Int32(g), tally: c.tally(segment),
                p95Distance: c.percentile(segment, 0.95))
        }
    }

    /// Windows of `width` µs aligned to the Unix epoch (a 60 s window
    /// starts on a whole UTC minute); only windows holding ticks.
    private static func windowRows(_ c: TickColumns, _ width: Int64) -> [WindowRow] {
        guard c.count > 0 else { return [] }
        @inline(__always) func index(_ time: Int64) -> Int64 {
            time >= 0 ? time / width : -((-time - 1) / width) - 1
        }
        var lowest = Int64.max
        var highest = Int64.min
        for i in 0..<c.count {
            let w = index(c.time[i])
            lowest = min(lowest, w)
            highest = max(highest, w)
        }
        var rows: [WindowRow] = []
        if highest - lowest < Int64(max(c.count, 1 << 20)) {
            var tallies = [Tally](repeating: Tally(), count: Int(highest - lowest + 1))
            for i in 0..<c.count { c.add(i, to: &tallies[Int(index(c.time[i]) - lowest)]) }
            for (w, tally) in tallies.enumerated() where tally.ticks > 0 {
                let start = (lowest + Int64(w)) * width
                rows.append(WindowRow(start: start, end: start + width, tally: tally))
            }
        } else {
            // Tiny windows over a long span: only the occupied ones exist.
            var tallies: [Int64: Tally] = [:]
            for i in 0..<c.count { c.add(i, to: &tallies[index(c.time[i]), default: Tally()]) }
            for w in tallies.keys.sorted() {
                rows.append(WindowRow(start: w * width, end: w * width + width, tally: tallies[w]!))
            }
        }
        return rows
    }

    /// Every ping band × loss band cell, empty ones included, so the grid
    /// is always whole.
    private static func heatmapCells(_ c: TickColumns) -> [HeatmapCell] {
        let bands = LossBand.allCases.count
        var tallies = [Tally](repeating: Tally(), count: 3 * bands)
        for i in 0..<c.count {
            c.add(i, to: &tallies[Int(c.pingBand[i]) * bands + Int(c.lossBand[i])])
        }
        var cells: [HeatmapCell] = []
        for (p, ping) in pingOrder.enumerated() {
            for loss in LossBand.allCases {
                cells.append(
                    HeatmapCell(ping: ping, loss: loss, tally: tallies[p * bands + loss.rawValue]))
            }
        }
        return cells
    }

    /// Overall, then per ping band, then per loss band.
    private static func statsRows(
        _ c: TickColumns, _ byDistance: [Int32], _ byPing: [Int32], _ byLoss: [Int32]
    ) -> [StatsRow] {
        var rankDistance = [Double](repeating: 0, count: c.count)
        var rankPing = [Double](repeating: 0, count: c.count)
        var rankLoss = [Double](repeating: 0, count: c.count)
        func row(
            _ scope: String, _ key: String, _ d: ArraySlice<Int32>, _ p: ArraySlice<Int32>,
            _ l: ArraySlice<Int32>
        ) -> StatsRow {
            c.rank(d, c.distance, into: &rankDistance)
            c.rank(p, c.ping, into: &rankPing)
            c.rank(l, c.loss, into: &rankLoss)
            let figures = c.distanceStats(d, rankDistance, rankPing, rankLoss)
            return StatsRow(
                scope: scope, key: key, tally: figures.tally, p50: c.percentile(d, 0.5),
                p95: c.percentile(d, 0.95), p99: c.percentile(d, 0.99),
                pearsonPing: figures.pearsonPing, spearmanPing: figures.spearmanPing,
                pearsonLoss: figures.pearsonLoss, spearmanLoss: figures.spearmanLoss)
        }
        var rows = [row("overall", "all", byDistance[...], byPing[...], byLoss[...])]
        func scoped(_ scope: String, _ keys: [String], _ group: @escaping (Int) -> Int) {
            let d = GroupedOrder(byDistance, groups: keys.count, group)
            let p = GroupedOrder(byPing, groups: keys.count, group)
            let l = GroupedOrder(byLoss, groups: keys.count, group)
            for (g, key) in keys.enumerated() {
                rows.append(row(scope, key, d.segment(g), p.segment(g), l.segment(g)))
            }
        }
        scoped("ping_category", pingOrder.map(\.rawValue)) { Int(c.pingBand[$0]) }
        scoped("loss_band", LossBand.allCases.map(\.label)) { Int(c.lossBand[$0]) }
        return rows
    }

    /// Rows in the order they are written: by session and player id text,
    /// episodes by start, event types by name.
    private mutating func sortForOutput(_ d: Dimensions) {
        let sessionName = d.sessions.values
        let playerName = d.players.values
        let typeName = d.eventTypes.values
        episodes.sort { a, b in
            let (sa, sb) = (sessionName[Int(a.session)], sessionName[Int(b.session)])
            if sa != sb { return sa < sb }
            let (pa, pb) = (playerName[Int(a.player)], playerName[Int(b.player)])
            if pa != pb { return pa < pb }
            return a.episode.start < b.episode.start
        }
        sessions.sort { sessionName[Int($0.session)] < sessionName[Int($1.session)] }
        players.sort { a, b in
            let (sa, sb) = (sessionName[Int(a.session)], sessionName[Int(b.session)])
            return sa != sb ? sa < sb : playerName[Int(a.player)] < playerName[Int(b.player)]
        }
        eventTypes.sort { typeName[Int($0.eventType)] < typeName[Int($1.eventType)] }
    }
}

/// An order split by group with a stable counting sort: each group's rows
/// keep the order they had, so a group of a by-distance order lists its
/// rows by distance.
struct GroupedOrder {
    private(set) var rows: [Int32]
    private(set) var offsets: [Int]

    init(_ order: [Int32], groups: Int, _ group: (Int) -> Int) {
        var counts = [Int](repeating: 0, count: groups + 1)
        for r in order { counts[group(Int(r)) + 1] += 1 }
        for g in 0..<groups { counts[g + 1] += counts[g] }
        offsets = counts
        var next = counts
        rows = [Int32](repeating: 0, count: order.count)
        for r in order {
            let g = group(Int(r))
            rows[next[g]] = r
            next[g] += 1
        }
    }

    func segment(_ g: Int) -> ArraySlice<Int32> { rows[offsets[g]..<offsets[g + 1]] }
}
