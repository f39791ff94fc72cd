import Foundation
import Synchronization

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
        ledger.joinMode = config.join.mode
        ledger.toleranceMs = config.join.recordedToleranceMilliseconds
        var clock = StageClock()

        // Open the store first: a wrong URL or password should fail before
        // minutes of reading, not after.
        let store = try config.store.open(logger: logger)

        // Inputs too large to hold (about 240 bytes of columns per tick,
        // more while analysing) are processed in partitions spilled to
        // disk; smaller ones in memory, which is faster.
        let partitions = Self.partitionCount(config)
        ledger.options = Self.optionsJSON(config, partitions: partitions)
        if partitions > 1 {
            return try runPartitioned(store, ledger, partitions: partitions)
        }
        // The store's transaction opens before reading, and each table is
        // handed to the store's writer thread as soon as it is known:
        // PostgreSQL loads player_events while server_state is parsed, and
        // server_state while the ticks are joined and analysed.
        let runID = ledger.runID
        var batch = RunBatch(runID: runID, mode: config.mode, succeeded: true)
        batch.mayDefer = true
        let observer = self.observer
        // Rows written, shown only once computing is done (before that the
        // progress line belongs to the computing stages).
        let written = Counter()
        let showWrites = Atomic<Int64>(-1)
        var stage = RunPhase.computing
        var rejectRows = OutputTables.rejects([], runID: runID)
        var summaries = Summaries()
        var totals = (rows: Int64(0), desynced: Int64(0), sum: 0.0, max: 0.0)
        var persistStart: UInt64 = 0
        do {
            try store.write(batch) { n in
                let done = written.add(Int64(n))
                let total = showWrites.load(ordering: .relaxed)
                if total >= 0 { observer.progress(.persist, done, total) }
            } _: { appender -> RunOutput.Closing in
                var dimensions = Dimensions()
                var reader = StreamReader()
                reader.validation = config.validation
                let total =
                    Self.fileSize(config.playerEventsPath) + Self.fileSize(config.serverStatePath)
                // Announce the stage, so its rate is measured from the start.
                observer.progress(.read, 0, total)
                let events = try clock.time(.read) {
                    try reader.read(
                        .playerEvents, path: config.playerEventsPath,
                        format: config.inputFormat, dimensions: &dimensions
                    ) { observer.progress(.read, $0, total) }
                }
                if events.rowsRead > 0 {
                    try appender.append(
                        OutputTables.playerEvents(events.events, dimensions, runID: runID))
                }
                let base = events.file.bytes
                let states = try clock.time(.read) {
                    try reader.read(
                        .serverState, path: config.serverStatePath, format: config.inputFormat,
                        dimensions: &dimensions
                    ) { observer.progress(.read, base + $0, total) }
                }
                observer.stageFinished(
                    .read, clock.seconds(.read),
                    [
                        ("player_events", "\(events.rowsRead)"),
                        ("server_state", "\(states.rowsRead)"),
                    ])
                try Self.record([events, states], in: &ledger)
                rejectRows = OutputTables.rejects(events.rejects + states.rejects, runID: runID)
                if let message = rejectBudgetFailure([events, states]) {
                    stage = .overBudget(message)
                    throw RunPhase.RollBack()
                }
                stage = .writing
                try appender.append(
                    OutputTables.serverState(states.states, dimensions, runID: runID))

                let sessionCount = dimensions.sessions.count
                let join = clock.time(.join) {
                    self.join(events.events, states.states, sessions: sessionCount) {
                        done, total in observer.progress(.join, done, total)
                    }
                }
                ledger.joined = Int64(join.eventRow.count)
                ledger.clientOnly = Int64(join.unmatchedEvents.count)
                ledger.serverOnly = Int64(join.unmatchedStates.count)
                ledger.clientOutsideTolerance = Int64(join.clientOutsideTolerance)
                ledger.serverOutsideTolerance = Int64(join.serverOutsideTolerance)
                observer.stageFinished(
                    .join, clock.seconds(.join),
                    [
                        ("joined", "\(ledger.joined)"), ("client_only", "\(ledger.clientOnly)"),
                        ("server_only", "\(ledger.serverOnly)"),
                    ])
                try appender.append(
                    OutputTables.unmatched(
                        join, events.events, states.states, dimensions, runID: runID))

                let dims = dimensions
                let (ticks, analytics) = try clock.time(.analyse) {
                    let ticks = TickMetrics(options: config.analysis).compute(
                        join, events.events, states.states)
                    // desync_events is loaded while the analytics are computed.
                    try appender.append(
                        OutputTables.desyncEvents(
                            ticks, events.events, states.states, dims, runID: runID))
                    let analytics = Analytics.compute(
                        ticks, events.events, states.states, dims, config.analysis)
                    summaries = Summaries.compute(ticks, states.states)
                    return (ticks, analytics)
                }
                observer.stageFinished(
                    .analyse, clock.seconds(.analyse), [("rows", "\(ticks.count)")])
                persistStart = DispatchTime.now().uptimeNanoseconds
                let tables =
                    [
                        OutputTables.byPing(summaries.byPing, runID: runID),
                        OutputTables.byPacketLoss(summaries.byPacketLoss, runID: runID),
                    ] + OutputTables.analytics(analytics, dims, config.analysis, runID: runID)
                let all = tables.reduce(
                    events.events.count + states.states.count + rejectRows.count
                        + join.unmatchedEvents.count + join.unmatchedStates.count + ticks.count
                ) { $0 + $1.count }
                showWrites.store(Int64(all), ordering: .relaxed)
                for table in tables { try appender.append(table) }
                for k in 0..<ticks.count {
                    if ticks.isDesynced[k] { totals.desynced += 1 }
                    totals.sum += ticks.distance[k]
                    totals.max = max(totals.max, ticks.distance[k])
                }
                totals.rows = Int64(ticks.count)
                ledger.status = "succeeded"
                ledger.finishedAt = .now
                precondition(ledger.balances, "ledger does not balance: a bug in desync")
                return RunOutput.Closing(
                    fingerprint: ledger.fingerprint, rejects: rejectRows, ledger: ledger.row)
            }
        } catch let error as DesyncError where stage == .writing {
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
        } catch is RunPhase.RollBack {
            guard case .overBudget(let message) = stage else { throw RunPhase.RollBack() }
            throw try rejectBudgetExceeded(message, &ledger, rejectRows, store)
        }
        // Persist: from the last table handed over to the commit; the
        // writes before it overlapped the computing stages.
        let persisted = Double(DispatchTime.now().uptimeNanoseconds - persistStart) / 1e9
        clock.add(.persist, persisted)
        clock.add(.store, batch.busy.seconds)
        observer.stageFinished(.persist, persisted, [("rows", "\(written.add(0))")])
        return RunResult(
            ledger: ledger, summaries: summaries, joinedRows: totals.rows,
            desyncedRows: totals.desynced, distanceSum: totals.sum, distanceMax: totals.max,
            timings: clock.timings, store: store.displayName)
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

    /// The reject budget: the reason a run fails it, or nil.
    func rejectBudgetFailure(_ inputs: [StreamInput]) -> String? {
        let limit = configuration.maxRejectRate
        for input in inputs {
            let rate = Double(input.rejected) / Double(input.rowsRead)
            if rate > limit {
                return
                    "\(input.rejected) of \(input.rowsRead) rows of \(input.file.stream.rawValue)"
                    + " rejected (\(Self.percent(rate))), above --max-reject-rate"
                    + " \(Self.percent(limit))"
            }
        }
        return nil
    }

    /// Stores the ledger and the rejects of a run over the reject budget
    /// (nothing else) and returns the error to throw.
    func rejectBudgetExceeded(
        _ message: String, _ ledger: inout Ledger, _ rejectRows: TableRows, _ store: ResultStore
    ) throws -> DesyncError {
        ledger.status = "failed"
        ledger.message = message
        ledger.finishedAt = .now
        let output = RunOutput(
            runID: ledger.runID, mode: configuration.mode, fingerprint: ledger.fingerprint,
            tables: [], rejects: rejectRows, ledger: ledger.row, succeeded: false)
        try store.write(output, progress: nil)
        var error = DesyncError(
            .rejectBudget,
            "run \(ledger.runID) failed: \(ledger.message); the previous results are"
                + " unchanged. See the reasons with: desync show rejected_records --db"
                + " '\(configuration.store.display)'"
                + " (or SELECT reason, count(*) FROM rejected_records WHERE run_id ="
                + " '\(ledger.runID)' GROUP BY reason), fix the producer, or raise"
                + " --max-reject-rate")
        error.ledger = ledger
        return error
    }

    /// The run's options as recorded in `pipeline_runs.options`.
    static func optionsJSON(_ config: RunConfiguration, partitions: Int = 1) -> String {
        let a = config.analysis
        let j = config.join
        return "{\"threshold\":\(JSONText.number(a.threshold)),"
            + "\"ping_bands\":[\(a.pingBands.low),\(a.pingBands.medium)],"
            + "\"join\":\"\(j.mode.rawValue)\","
            + "\"tolerance_ms\":\(JSONText.number(j.recordedToleranceMilliseconds)),"
            + "\"correct_clock_offset\":\(j.correctClockOffset),"
            + "\"window_ms\":\(JSONText.number(Double(a.window) / 1000)),"
            + "\"max_reject_rate\":\(JSONText.number(config.maxRejectRate)),"
            + "\"partitions\":\(partitions)}"
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

/// Where the in-memory run is when its store transaction ends early.
enum RunPhase: Equatable {
    /// Reading and checking the input: its errors are the input's.
    case computing
    /// Over the reject budget: roll back, then store the ledger alone.
    case overBudget(String)
    /// Writing results: an error is the store's, and the ledger says so.
    case writing

    /// Thrown to roll the store's transaction back on purpose.
    struct RollBack: Error {}
}
