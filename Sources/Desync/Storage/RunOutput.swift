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
