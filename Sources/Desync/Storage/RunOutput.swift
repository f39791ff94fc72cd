import Dispatch
import Synchronization

/// How a run's batch meets what the tables already hold.
public enum WriteMode: String, Sendable, CaseIterable {
    /// The batch replaces every batch table's contents.
    case replace
    /// The batch is added; a batch with the same input checksums that is
    /// already stored is replaced instead of doubled.
    case append
}

/// Everything one run writes, in one transaction.
public struct RunOutput: Sendable {
    public var runID: String
    public var mode: WriteMode
    /// The input checksums combined; append mode replaces earlier batches
    /// with the same fingerprint.
    public var fingerprint: String
    /// Batch tables' rows. Empty for a failed run.
    public var tables: [TableRows]
    /// Rejected rows; written even when the run failed.
    public var rejects: TableRows
    /// The ledger row for `pipeline_runs`.
    public var ledger: TableRows
    /// False for a run that failed its checks: then only the ledger and the
    /// rejects are written and earlier results stay as they were.
    public var succeeded: Bool

    public init(
        runID: String, mode: WriteMode, fingerprint: String, tables: [TableRows],
        rejects: TableRows, ledger: TableRows, succeeded: Bool
    ) {
        self.runID = runID
        self.mode = mode
        self.fingerprint = fingerprint
        self.tables = tables
        self.rejects = rejects
        self.ledger = ledger
        self.succeeded = succeeded
    }
}

/// A place results are persisted: the embedded SQLite file or PostgreSQL.
public protocol ResultStore: AnyObject {
    /// A description safe to print: never holds a password.
    var displayName: String { get }
    /// Writes one run atomically whose tables arrive piece by piece: opens
    /// the transaction, empties the batch tables in replace mode, lets
    /// `body` append batch tables (any table any number of times; the
    /// store writes them on its own thread while `body` goes on), removes
    /// earlier batches of the same input (append mode, failed runs), writes
    /// the rejects and the ledger `body` returns, and commits. When `body`
    /// or a write throws, everything rolls back.
    func write(
        _ batch: RunBatch, progress: ((Int) -> Void)?,
        _ body: (TableAppender) throws -> RunOutput.Closing
    ) throws
    /// Runs a read-only query and returns its rows as text (nil for NULL).
    func query(_ sql: String) throws -> [[String?]]
}

/// What a store needs to know of a run before its rows arrive.
public struct RunBatch: Sendable {
    public var runID: String
    public var mode: WriteMode
    public var succeeded: Bool
    /// Adds up the seconds the store spends writing rows.
    public var busy = StoreClock()
    /// True when the appended tables' rows stay valid until the write
    /// ends (the in-memory run holds them anyway), so a store may keep
    /// them and write them all at the end instead. SQLite does: while it
    /// writes, other processes cannot read the file, and a short write at
    /// the end keeps it readable while the run computes.
    public var mayDefer = false

    public init(runID: String, mode: WriteMode, succeeded: Bool) {
        self.runID = runID
        self.mode = mode
        self.succeeded = succeeded
    }
}

/// Seconds a store spent writing rows, from whichever thread wrote them.
public final class StoreClock: Sendable {
    private let nanoseconds = Atomic<UInt64>(0)

    public init() {}

    public var seconds: Double { Double(nanoseconds.load(ordering: .relaxed)) / 1e9 }

    /// Runs `body`, adding its duration.
    func time<R>(_ body: () throws -> R) rethrows -> R {
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            let spent = DispatchTime.now().uptimeNanoseconds - start
            nanoseconds.add(spent, ordering: .relaxed)
        }
        return try body()
    }
}

/// Appends rows to a table inside a store's open run transaction.
public protocol TableAppender: AnyObject {
    func append(_ rows: TableRows) throws
}

extension RunOutput {
    /// The last rows of a run, known only once its batch tables are written.
    public struct Closing: Sendable {
        /// The input checksums combined (known once the input is read).
        public var fingerprint: String
        public var rejects: TableRows
        public var ledger: TableRows

        public init(fingerprint: String, rejects: TableRows, ledger: TableRows) {
            self.fingerprint = fingerprint
            self.rejects = rejects
            self.ledger = ledger
        }
    }

    public var batch: RunBatch {
        RunBatch(runID: runID, mode: mode, succeeded: succeeded)
    }
}

extension ResultStore {
    /// Writes one run's output atomically: all of it lands, or nothing.
    public func write(_ output: RunOutput, progress: ((Int) -> Void)?) throws {
        try write(output.batch, progress: progress) { appender in
            if output.succeeded {
                for table in output.tables where table.count > 0 { try appender.append(table) }
            }
            return RunOutput.Closing(
                fingerprint: output.fingerprint, rejects: output.rejects, ledger: output.ledger)
        }
    }
}

/// Which earlier batches a run removes before writing its own, the same
/// for every store. Batches are found by the input fingerprint (the files'
/// SHA-256 checksums) in `pipeline_runs`.
enum BatchRule {
    /// A successful append replaces every earlier batch of the same input,
    /// failed ones included (they hold rejects only). A failed run removes
    /// the rejects of earlier failed runs of the same input and leaves
    /// successful batches alone.
    static func earlierRunsSQL(succeeded: Bool, parameter: String) -> String {
        "SELECT run_id FROM pipeline_runs WHERE input_fingerprint = \(parameter)"
            + (succeeded ? "" : " AND status = 'failed'")
    }

    static func tablesToClear(succeeded: Bool) -> [TableSpec] {
        succeeded ? Tables.batchTables : [Tables.rejectedRecords]
    }
}
