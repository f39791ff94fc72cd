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
    /// Writes one run's output atomically: all of it lands, or nothing.
    func write(_ output: RunOutput, progress: ((Int) -> Void)?) throws
    /// Runs a read-only query and returns its rows as text (nil for NULL).
    func query(_ sql: String) throws -> [[String?]]
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
