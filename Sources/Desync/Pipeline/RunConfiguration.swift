/// What `desync run` was asked to do.
public struct RunConfiguration: Sendable {
    public var playerEventsPath: String
    public var serverStatePath: String
    public var store: StoreLocation
    /// The input files' format; nil chooses by each file's extension
    /// (`.csv` is CSV, anything else JSON Lines).
    public var inputFormat: TelemetryFormat? = nil
    public var mode: WriteMode = .replace
    public var analysis = AnalysisOptions()
    public var join = JoinOptions()
    public var validation = Validation()
    /// A run fails when more than this fraction of either stream's rows is
    /// rejected (duplicates do not count). 5% by default: a few bad lines
    /// are normal telemetry, a twentieth of a file is a broken producer.
    public var maxRejectRate: Double = 0.05
    /// Partitions to split the input into; nil decides by the input's size
    /// (`Pipeline.partitionCount`), 1 keeps everything in memory.
    public var partitions: Int? = nil
    /// Where a partitioned run spills; nil is `$TMPDIR` or `/tmp`.
    public var tempDirectory: String? = nil

    public init(playerEventsPath: String, serverStatePath: String, store: StoreLocation) {
        self.playerEventsPath = playerEventsPath
        self.serverStatePath = serverStatePath
        self.store = store
    }
}

/// Stage names, for progress lines and timings.
public enum Stage: String, Sendable, CaseIterable {
    case read, join, analyse, persist
    /// Not a stage of its own: the seconds the store spent writing, most
    /// of them beside the stages above (`persist` is only what is left
    /// once the computing is done).
    case store
}

/// Hooks for progress and timing; the command line fills them in.
public struct RunObserver: Sendable {
    /// Called with a stage, work done so far and the total (both in the
    /// stage's unit: bytes for reading, rows otherwise).
    public var progress: @Sendable (Stage, Int64, Int64) -> Void = { _, _, _ in }
    /// Called when a stage ends, with its duration in seconds.
    public var stageFinished: @Sendable (Stage, Double, [(String, String)]) -> Void = { _, _, _ in }

    public init() {}
}
