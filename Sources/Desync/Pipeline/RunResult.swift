/// What a finished run reports back to the command line.
public struct RunResult: Sendable {
    public var ledger: Ledger
    public var summaries: Summaries
    /// Totals over `desync_events`.
    public var joinedRows: Int64
    public var desyncedRows: Int64
    public var distanceSum: Double
    public var distanceMax: Double
    /// Seconds per stage, in the order the stages ran.
    public var timings: [(Stage, Double)]
    public var store: String
}
