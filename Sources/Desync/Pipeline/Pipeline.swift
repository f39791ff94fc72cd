import Foundation

/// Runs the whole job on this machine: read and validate both streams,
/// join, compute the metrics and summaries, persist everything in one
/// transaction, and return the ledger.
public struct Pipeline: Sendable {
    public var configuration: RunConfiguration
    public var logger: Logger
    public var observer: RunObserver

    public init(
        configuration: RunConfiguration, logger: Logger = .silent,
        observer: RunObserver = RunObserver()
    ) {
        self.configuration = configuration
        self.logger = logger
        self.observer = observer
    }

    /// A run id that sorts by start time and is unique across machines.
    public static func newRunID(at time: Timestamp) -> String {
        var text = time.sqlText
        text = text.replacingOccurrences(of: "-", with: "")
            .replacingOccurrences(of: ":", with: "")
            .replacingOccurrences(of: " ", with: "T")
        let suffix = UUID().uuidString.prefix(8).lowercased()
        return "run-\(text.prefix(15))Z-\(suffix)"
    }

    public func run() throws -> RunResult {
        let config = configuration
        let started = Timestamp.now
        var ledger = Ledger(runID: Self.newRunID(at: started), startedAt: started)
        ledger.mode = config.mode
        ledger.options = Self.optionsJSON(config)
        ledger.joinMode = config.join.mode
        ledger.toleranceMs = config.join.recordedToleranceMilliseconds
        var timings: [(Stage, Double)] = []
        func timed<R>(_ stage: Stage, _ body: () throws -> R) rethrows -> R {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let r = try body()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            timings.append((stage, seconds))
            return r
        }

        // Open the store first: a wrong URL or password should fail before
        // minutes of reading, not after.
        let store = try config.store.open(logger: logger)

        // Inputs too large to hold (about 240 bytes of columns per tick,
        // more while analysing) are processed in partitions spilled to
        // disk; smaller ones in memory, which is faster.
        let partitions = Self.partitionCount(config)
        if partitions > 1 {
            return try runPartitioned(store, ledger, partitions: partitions)
        }
        var dimensions = Dimensions()
        var reader = StreamReader()
        reader.validation = config.validation
        let (events, states) = try timed(.read) {
            let total =
                Self.fileSize(config.playerEventsPath) + Self.fileSize(config.serverStatePath)
            let observer = self.observer
            // Announce the stage, so its rate is measured from the start.
            observer.progress(.read, 0, total)
            let events = try reader.read(
                .playerEvents, path: config.playerEventsPath, format: config.inputFormat,
                dimensions: &dimensions
            ) { observer.progress(.read, $0, total) }
            let base = events.file.bytes
            let states = try reader.read(
                .serverState, path: config.serverStatePath, format: config.inputFormat,
                dimensions: &dimensions
            ) { observer.progress(.read, base + $0, total) }
            return (events, states)
        }
        observer.stageFinished(
            .read, timings.last!.1,
            [("player_events", "\(events.rowsRead)"), ("server_state", "\(states.rowsRead)")])
        try Self.record([events, states], in: &ledger)
        let allRejects = events.rejects + states.rejects
        let rejectRows = OutputTables.rejects(allRejects, runID: ledger.runID)
        try checkRejectBudget([events, states], &ledger, rejectRows, store)

        let sessionCount = dimensions.sessions.count
        let join = timed(.join) {
            self.join(events.events, states.states, sessions: sessionCount) { done, total in
                self.observer.progress(.join, done, total)
            }
        }
        ledger.joined = Int64(join.eventRow.count)
        ledger.clientOnly = Int64(join.unmatchedEvents.count)
        ledger.serverOnly = Int64(join.unmatchedStates.count)
        ledger.clientOutsideTolerance = Int64(join.clientOutsideTolerance)
        ledger.serverOutsideTolerance = Int64(join.serverOutsideTolerance)
        observer.stageFinished(
            .join, timings.last!.1,
            [
                ("joined", "\(ledger.joined)"), ("client_only", "\(ledger.clientOnly)"),
                ("server_only", "\(ledger.serverOnly)"),
            ])

        let dims = dimensions
        let (ticks, summaries, analytics) = timed(.analyse) {
            let ticks = TickMetrics(options: config.analysis).compute(
                join, events.events, states.states)
            let analytics = Analytics.compute(
                ticks, events.events, states.states, dims, config.analysis)
            return (ticks, Summaries.compute(ticks, states.states), analytics)
        }
        observer.stageFinished(.analyse, timings.last!.1, [("rows", "\(ticks.count)")])

        let runID = ledger.runID
        let tables =
            [
                OutputTables.playerEvents(events.events, dimensions, runID: runID),
                OutputTables.serverState(states.states, dimensions, runID: runID),
                OutputTables.desyncEvents(
                    ticks, events.events, states.states, dimensions, runID: runID),
                OutputTables.byPing(summaries.byPing, runID: runID),
                OutputTables.byPacketLoss(summaries.byPacketLoss, runID: runID),
                OutputTables.unmatched(
                    join, events.events, states.states, dimensions, runID: runID),
            ] + OutputTables.analytics(analytics, dimensions, config.analysis, runID: runID)
        ledger.status = "succeeded"
        ledger.finishedAt = .now
        precondition(ledger.balances, "ledger does not balance: a bug in desync")
        let output = RunOutput(
            runID: runID, mode: config.mode, fingerprint: ledger.fingerprint, tables: tables,
            rejects: rejectRows, ledger: ledger.row, succeeded: true)
        let totalRows = Int64(tables.reduce(rejectRows.count) { $0 + $1.count })
        let observer = self.observer
        // FIXME: the store's single transaction starts only here, so the
        // PostgreSQL backend idles while we parse. Opening it before the
        // read and COPYing player_events while server_state is parsed
        // would overlap the two (docs/PERFORMANCE.md).
        do {
            try timed(.persist) {
                let written = Counter()
                try store.write(output) { n in
                    observer.progress(.persist, written.add(Int64(n)), totalRows)
                }
            }
        } catch let error as DesyncError {
            // The write rolled back. When the store still answers (a user's
            // constraint refused a row, say), the ledger tells of the
            // failure; when it does not (disk full, server gone), this
            // second write fails too and the error is the first one.
            ledger.status = "failed"
            ledger.message = "nothing stored: \(error.message)"
            ledger.finishedAt = .now
            let failed = RunOutput(
                runID: runID, mode: config.mode, fingerprint: ledger.fingerprint, tables: [],
                rejects: rejectRows, ledger: ledger.row, succeeded: false)
            try? store.write(failed, progress: nil)
            throw error
        }
        observer.stageFinished(.persist, timings.last!.1, [("rows", "\(totalRows)")])

        var desynced: Int64 = 0
        var sum = 0.0
        var maximum = 0.0
        for k in 0..<ticks.count {
            if ticks.isDesynced[k] { desynced += 1 }
            sum += ticks.distance[k]
            maximum = max(maximum, ticks.distance[k])
        }
        return RunResult(
            ledger: ledger, summaries: summaries, joinedRows: Int64(ticks.count),
            desyncedRows: desynced, distanceSum: sum, distanceMax: maximum, timings: timings,
            store: store.displayName)
    }

    /// Pairs client events with server states as `--join` asks.
    func join(
        _ e: PlayerEvents, _ s: ServerStates, sessions: Int,
        progress: ((Int64, Int64) -> Void)?
    ) -> JoinResult {
        let options = configuration.join
        switch options.mode {
        case .exact:
            return ExactJoin().join(e, s) { done, total in progress?(done, total) }
        case .nearest:
            let nearest = NearestJoin(e, s)
            let tolerance = options.toleranceMicroseconds
            let shift =
                options.correctClockOffset
                ? nearest.estimateClockShift(tolerance: tolerance, sessions: sessions) : []
            return nearest.join(tolerance: tolerance, clockShift: shift)
        }
    }

    /// Records the inputs' counts in the ledger; refuses an empty input.
    static func record(_ inputs: [StreamInput], in ledger: inout Ledger) throws {
        for input in inputs {
            guard input.rowsRead > 0 else {
                throw DesyncError(
                    .input,
                    "\(input.file.stream.rawValue) input '\(input.file.path)' holds no rows;"
                        + " point --input at the folder desync generate wrote, or check the file")
            }
            ledger.inputs.append(input.file)
            let s = input.file.stream
            ledger.read[s] = input.rowsRead
            ledger.accepted[s] = input.accepted
            ledger.rejected[s] = input.rejected
            ledger.duplicates[s] = input.duplicates
            ledger.blankLines[s] = input.blankLines
            for reject in input.rejects where reject.reason != .duplicate {
                ledger.rejectedByReason[reject.reason, default: 0] += 1
            }
        }
        ledger.fingerprint = Self.fingerprint(ledger.inputs)
    }

    /// The reject budget: above it, stores the ledger and the rejects only
    /// and throws.
    func checkRejectBudget(
        _ inputs: [StreamInput], _ ledger: inout Ledger, _ rejectRows: TableRows,
        _ store: ResultStore
    ) throws {
        let config = configuration
        for input in inputs {
            let rate = Double(input.rejected) / Double(input.rowsRead)
            if rate > config.maxRejectRate {
                ledger.status = "failed"
                ledger.message =
                    "\(input.rejected) of \(input.rowsRead) rows of \(input.file.stream.rawValue)"
                    + " rejected (\(Self.percent(rate))), above --max-reject-rate"
                    + " \(Self.percent(config.maxRejectRate))"
                ledger.finishedAt = .now
                let output = RunOutput(
                    runID: ledger.runID, mode: config.mode, fingerprint: ledger.fingerprint,
                    tables: [], rejects: rejectRows, ledger: ledger.row, succeeded: false)
                try store.write(output, progress: nil)
                var error = DesyncError(
                    .rejectBudget,
                    "run \(ledger.runID) failed: \(ledger.message); the previous results are"
                        + " unchanged. See the reasons with: desync show rejected_records --db"
                        + " '\(config.store.display)'"
                        + " (or SELECT reason, count(*) FROM rejected_records WHERE run_id ="
                        + " '\(ledger.runID)' GROUP BY reason), fix the producer, or raise"
                        + " --max-reject-rate")
                error.ledger = ledger
                throw error
            }
        }

    }

    /// The run's options as recorded in `pipeline_runs.options`.
    static func optionsJSON(_ config: RunConfiguration) -> String {
        let a = config.analysis
        let j = config.join
        return "{\"threshold\":\(JSONText.number(a.threshold)),"
            + "\"ping_bands\":[\(a.pingBands.low),\(a.pingBands.medium)],"
            + "\"join\":\"\(j.mode.rawValue)\","
            + "\"tolerance_ms\":\(JSONText.number(j.recordedToleranceMilliseconds)),"
            + "\"correct_clock_offset\":\(j.correctClockOffset),"
            + "\"window_ms\":\(JSONText.number(Double(a.window) / 1000)),"
            + "\"max_reject_rate\":\(JSONText.number(config.maxRejectRate))}"
    }

    static func fileSize(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }

    static func percent(_ rate: Double) -> String {
        String(format: "%.2f%%", rate * 100)
    }

    /// One checksum for the whole input: the files' checksums in stream
    /// order, hashed together.
    static func fingerprint(_ inputs: [InputFile]) -> String {
        let hasher = SHA256Hasher()
        for input in inputs {
            let line = "\(input.stream.rawValue):\(input.sha256)\n"
            var bytes = Array(line.utf8)
            bytes.withUnsafeMutableBytes { hasher.update(UnsafeRawBufferPointer($0)) }
        }
        return hasher.finish()
    }
}

/// A running total shared with a progress callback.
final class Counter: @unchecked Sendable {
    private var value: Int64 = 0
    func add(_ n: Int64) -> Int64 {
        value += n
        return value
    }
}

extension Timestamp {
    /// The current time, to the microsecond.
    public static var now: Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000)
    }
}
