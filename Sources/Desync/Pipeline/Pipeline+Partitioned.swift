import Foundation

/// The run for inputs larger than memory: the same job and the same results
/// as the in-memory run, with memory bounded by the largest partition.
///
/// 1. Read both files once, validating as always, and spill each accepted
///    row to a temporary file chosen by its session, plus its id to a file
///    chosen by the id's hash (`StreamSpill`).
/// 2. Find the duplicates over all partitions (`DuplicateResolver`).
/// 3. Inside the store's one transaction, per partition: load it, drop its
///    duplicates, join, compute the metrics, write its rows (episodes,
///    players and sessions included), and keep only totals. A player's and a session's ticks are all in one partition, so
///    episodes, speeds, clock offsets and the per-session tables are exact.
/// 4. Finish what needs every tick: the summaries and additive analytics
///    from the partitions' totals, `desync_stats` and the event types' p95
///    from a merge of the partitions' distance-sorted runs
///    (`PartitionedStats`).
///
/// The summaries' averages add the partitions' sums, so they can differ
/// from the in-memory run's in the last bits (never in counts).
extension Pipeline {
    /// Input bytes above which a run is partitioned (both files together).
    public static let inMemoryInputLimit: Int64 = 1 << 30
    /// Input bytes per partition: about 750 thousand ticks of JSON Lines,
    /// whose columns, analytics and pending writes peak near 0.6 GiB.
    public static let partitionInputBytes: Int64 = 384 << 20

    /// How many partitions the run uses: `--partitions` when given, else 1
    /// up to `inMemoryInputLimit` and one per `partitionInputBytes` above.
    static func partitionCount(_ config: RunConfiguration) -> Int {
        if let n = config.partitions { return max(1, n) }
        let bytes = fileSize(config.playerEventsPath) + fileSize(config.serverStatePath)
        guard bytes > inMemoryInputLimit else { return 1 }
        return Int((bytes + partitionInputBytes - 1) / partitionInputBytes)
    }

    func runPartitioned(
        _ store: ResultStore, _ start: Ledger, partitions: Int
    ) throws -> RunResult {
        let config = configuration
        var ledger = start
        var clock = StageClock()
        let folder = try Self.makeSpillFolder(
            config.tempDirectory, runID: ledger.runID, logger: logger)
        TemporaryFolders.register(folder)
        defer { TemporaryFolders.remove(folder) }
        logger.info(
            "partitions", [("count", "\(partitions)"), ("folder", folder)])

        // 1. Read and spill.
        var dimensions = Dimensions()
        var reader = StreamReader()
        reader.validation = config.validation
        // Every partition and bucket file stays open while the input is
        // read: 2 × (partitions + buckets) descriptors.
        let idBuckets = max(16, min(partitions * 2, 256))
        try Self.ensureOpenFiles(2 * (partitions + idBuckets) + 64)
        let eventSpill = try StreamSpill(
            stream: .playerEvents, folder: folder, partitions: partitions, idBuckets: idBuckets)
        let stateSpill = try StreamSpill(
            stream: .serverState, folder: folder, partitions: partitions, idBuckets: idBuckets)
        var (events, states) = try clock.time(.read) {
            let total =
                Self.fileSize(config.playerEventsPath) + Self.fileSize(config.serverStatePath)
            let observer = self.observer
            observer.progress(.read, 0, total)
            let events = try reader.read(
                .playerEvents, path: config.playerEventsPath, format: config.inputFormat,
                dimensions: &dimensions, spill: eventSpill
            ) { observer.progress(.read, $0, total) }
            let base = events.file.bytes
            let states = try reader.read(
                .serverState, path: config.serverStatePath, format: config.inputFormat,
                dimensions: &dimensions, spill: stateSpill
            ) { observer.progress(.read, base + $0, total) }
            return (events, states)
        }

        // 2. Duplicates over all partitions.
        let (eventDrops, stateDrops) = try clock.time(.read) {
            (try DuplicateResolver.resolve(eventSpill), try DuplicateResolver.resolve(stateSpill))
        }
        events.spilled -= Int64(eventDrops.count)
        events.duplicates += Int64(eventDrops.count)
        states.spilled -= Int64(stateDrops.count)
        states.duplicates += Int64(stateDrops.count)
        observer.stageFinished(
            .read, clock.seconds(.read),
            [
                ("player_events", "\(events.rowsRead)"), ("server_state", "\(states.rowsRead)"),
                ("partitions", "\(partitions)"),
            ])
        try Self.record([events, states], in: &ledger)
        let parseRejects = events.rejects + states.rejects
        let dims = dimensions
        // Loads partition p without its duplicates, adding their rejects.
        var duplicateRejects: [RejectedRecord] = []
        var loaded = 0
        func load(_ p: Int) throws -> (PlayerEvents, ServerStates) {
            loaded = p + 1
            var e = try StreamSpill.loadEvents(
                eventSpill.partitionPaths[p], rows: eventSpill.rows[p])
            var s = try StreamSpill.loadStates(
                stateSpill.partitionPaths[p], rows: stateSpill.rows[p])
            unlink(eventSpill.partitionPaths[p])
            unlink(stateSpill.partitionPaths[p])
            if !eventDrops.isEmpty {
                let keep = Self.keepMask(e.line, eventDrops) { i, drop in
                    duplicateRejects.append(
                        StreamReader.duplicateReject(
                            events.file, line: e.line[i], original: drop.original,
                            byID: drop.byID, rawLine: StreamReader.render(e, i, dims)))
                }
                if let keep { e = StreamReader.keeping(e, keep) }
            }
            if !stateDrops.isEmpty {
                let keep = Self.keepMask(s.line, stateDrops) { i, drop in
                    duplicateRejects.append(
                        StreamReader.duplicateReject(
                            states.file, line: s.line[i], original: drop.original,
                            byID: drop.byID, rawLine: StreamReader.render(s, i, dims)))
                }
                if let keep { s = StreamReader.keeping(s, keep) }
            }
            return (e, s)
        }
        // A failed run stores every reject, the copies of partitions not
        // reached included, as the in-memory run does.
        func allRejects() -> TableRows {
            if !eventDrops.isEmpty || !stateDrops.isEmpty {
                for p in loaded..<partitions { _ = try? load(p) }
            }
            return OutputTables.rejects(parseRejects + duplicateRejects, runID: ledger.runID)
        }
        if let message = rejectBudgetFailure([events, states]) {
            let rejects = allRejects()
            throw try rejectBudgetExceeded(message, &ledger, rejects, store)
        }

        // 3. Partition by partition, inside the store's transaction.
        let runID = ledger.runID
        let sessionCount = dims.sessions.count
        let totalRows = events.accepted + states.accepted
        var totals = Summaries.Totals()
        var analytics = Analytics()
        var stats = try PartitionedStats(
            directory: folder, eventTypes: max(dims.eventTypes.count, 1))
        var tally = (desynced: Int64(0), sum: 0.0, max: 0.0, joined: Int64(0))
        let batch = RunBatch(runID: runID, mode: config.mode, succeeded: true)
        let observer = self.observer
        var done: Int64 = 0
        // Rows handed to the store, as the in-memory run counts them
        // (rejects included).
        var writtenRows: Int64 = 0
        do {
            try store.write(batch, progress: nil) { appender in
                for p in 0..<partitions {
                    let (e, s) = try load(p)
                    done += Int64(e.count + s.count)
                    let join = clock.time(.join) {
                        self.join(e, s, sessions: sessionCount, progress: nil)
                    }
                    ledger.clientOnly += Int64(join.unmatchedEvents.count)
                    ledger.serverOnly += Int64(join.unmatchedStates.count)
                    ledger.clientOutsideTolerance =
                        (ledger.clientOutsideTolerance ?? 0) + Int64(join.clientOutsideTolerance)
                    ledger.serverOutsideTolerance =
                        (ledger.serverOutsideTolerance ?? 0) + Int64(join.serverOutsideTolerance)
                    let (ticks, finished) = try clock.time(.analyse) {
                        let ticks = TickMetrics(options: config.analysis).compute(join, e, s)
                        totals.add(ticks, s)
                        let columns = TickColumns(ticks, e, s, config.analysis)
                        // One distance order for the partition's analytics
                        // and its stats run.
                        let byDistance = Analytics.distanceOrder(columns)
                        var part = Analytics.compute(
                            columns, dims, config.analysis, withStats: false,
                            byDistance: byDistance)
                        let finished = part.takeFinishedRows(dims)
                        analytics.add(partition: part)
                        try stats.add(columns, byDistance: byDistance)
                        return (ticks, finished)
                    }
                    for k in 0..<ticks.count {
                        if ticks.isDesynced[k] { tally.desynced += 1 }
                        tally.sum += ticks.distance[k]
                        tally.max = max(tally.max, ticks.distance[k])
                    }
                    tally.joined += Int64(ticks.count)
                    try clock.time(.persist) {
                        for table in [
                            OutputTables.playerEvents(e, dims, runID: runID),
                            OutputTables.serverState(s, dims, runID: runID),
                            OutputTables.desyncEvents(ticks, e, s, dims, runID: runID),
                            OutputTables.unmatched(join, e, s, dims, runID: runID),
                        ] + OutputTables.analytics(finished, dims, config.analysis, runID: runID) {
                            try appender.append(table)
                            writtenRows += Int64(table.count)
                        }
                    }
                    observer.progress(.persist, done, totalRows)
                }
                ledger.joined = tally.joined

                // 4. What needs every partition.
                let summaries = totals.summaries
                try clock.time(.analyse) {
                    let global = try stats.finish()
                    analytics.finishPartitions(
                        stats: global.stats, eventTypeP95: global.eventTypeP95, dims)
                }
                try clock.time(.persist) {
                    let tables =
                        [
                            OutputTables.byPing(summaries.byPing, runID: runID),
                            OutputTables.byPacketLoss(summaries.byPacketLoss, runID: runID),
                        ] + OutputTables.analytics(analytics, dims, config.analysis, runID: runID)
                    for table in tables {
                        try appender.append(table)
                        writtenRows += Int64(table.count)
                    }
                }
                ledger.status = "succeeded"
                ledger.finishedAt = .now
                precondition(ledger.balances, "ledger does not balance: a bug in desync")
                writtenRows += Int64(parseRejects.count + duplicateRejects.count)
                return RunOutput.Closing(
                    fingerprint: ledger.fingerprint,
                    rejects: OutputTables.rejects(parseRejects + duplicateRejects, runID: runID),
                    ledger: ledger.row)
            }
        } catch let error as DesyncError {
            // As in `run`: the write rolled back; record why, if the store
            // still answers.
            ledger.status = "failed"
            ledger.message = "nothing stored: \(error.message)"
            ledger.finishedAt = .now
            if loaded < partitions {
                // The join counts of the partitions reached are not the
                // run's: leave them out rather than record a part.
                ledger.joined = 0
                ledger.clientOnly = 0
                ledger.serverOnly = 0
                ledger.clientOutsideTolerance = nil
                ledger.serverOutsideTolerance = nil
            }
            let failed = RunOutput(
                runID: runID, mode: config.mode, fingerprint: ledger.fingerprint, tables: [],
                rejects: allRejects(), ledger: ledger.row, succeeded: false)
            try? store.write(failed, progress: nil)
            throw error
        }
        observer.stageFinished(.join, clock.seconds(.join), [("joined", "\(ledger.joined)")])
        observer.stageFinished(.analyse, clock.seconds(.analyse), [("rows", "\(tally.joined)")])
        observer.stageFinished(.persist, clock.seconds(.persist), [("rows", "\(writtenRows)")])
        clock.add(.store, batch.busy.seconds)
        return RunResult(
            ledger: ledger, summaries: totals.summaries, joinedRows: tally.joined,
            desyncedRows: tally.desynced, distanceSum: tally.sum, distanceMax: tally.max,
            timings: clock.timings, store: store.displayName)
    }

    /// Which rows of a partition to keep (nil: all), calling `dropped` for
    /// each row that goes.
    static func keepMask(
        _ lines: [Int64], _ drops: [Int64: DuplicateResolver.Drop],
        _ dropped: (Int, DuplicateResolver.Drop) -> Void
    ) -> [Bool]? {
        var keep: [Bool]? = nil
        for (i, line) in lines.enumerated() {
            guard let drop = drops[line] else { continue }
            if keep == nil { keep = Array(repeating: true, count: lines.count) }
            keep![i] = false
            dropped(i, drop)
        }
        return keep
    }

    /// Raises the soft limit on open files when the spill needs more, up
    /// to the hard limit; refuses clearly when even that is too low.
    static func ensureOpenFiles(_ needed: Int) throws {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        guard limit.rlim_cur < rlim_t(needed) else { return }
        if limit.rlim_max >= rlim_t(needed) {
            limit.rlim_cur = rlim_t(needed)
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { return }
        }
        throw DesyncError(
            .usage,
            "a run in this many partitions keeps \(needed) files open, above this process's"
                + " limit of \(limit.rlim_max)",
            cause: "use fewer --partitions (auto chooses for the input's size) or raise the"
                + " limit with ulimit -n")
    }

    /// A new private folder for the run's temporary files, holding an
    /// `owner.lock` file the run keeps locked (`flock`) while it lives. The
    /// kernel drops the lock when the process ends however it ends, so
    /// folders of runs killed with SIGKILL are found unlocked and removed
    /// by the next partitioned run that spills to the same place.
    static func makeSpillFolder(_ parent: String?, runID: String, logger: Logger) throws -> String {
        // An empty setting means unset, not the root folder.
        let chosen = [parent, ProcessInfo.processInfo.environment["TMPDIR"]].compactMap { $0 }
        let base = chosen.first { !$0.isEmpty } ?? "/tmp"
        removeAbandonedSpillFolders(in: base, logger: logger)
        let folder = "\(base)/desync-\(runID)"
        var created = mkdir(folder, 0o700) == 0
        if created && !TemporaryFolders.lock(folder + "/" + TemporaryFolders.lockName) {
            let code = errno
            try? FileManager.default.removeItem(atPath: folder)
            (created, errno) = (false, code)
        }
        guard created else {
            throw DesyncError(
                .output,
                "cannot create the temporary folder '\(folder)':"
                    + " \(String(cString: strerror(errno)))",
                cause: "large inputs are processed in partitions spilled to disk; point"
                    + " --temp-dir at a writable folder with room (about half the input's size)")
        }
        return folder
    }

    /// Removes the spill folders of runs that ended without cleaning up:
    /// those whose `owner.lock` nobody holds. A folder without one (being
    /// created this instant, or not ours) is left alone.
    static func removeAbandonedSpillFolders(in base: String, logger: Logger) {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        for name in entries where name.hasPrefix("desync-run-") {
            let folder = base + "/" + name
            let fd = open(folder + "/" + TemporaryFolders.lockName, O_RDWR | O_CLOEXEC)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { continue }  // its run is alive
            try? FileManager.default.removeItem(atPath: folder)
            logger.info("removed_abandoned_spill", [("folder", folder)])
        }
    }
}
