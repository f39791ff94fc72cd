/// Everything the HTML report shows about one run, read from the store by
/// `ReportLoader`. Empty arrays mean the table had no rows for the run.
public struct ReportData: Sendable {
    /// The run's row of `pipeline_runs`.
    public struct Run: Sendable {
        public var id = ""
        public var status = ""
        public var engine = ""
        public var mode = ""
        public var startedAt = ""
        public var finishedAt = ""
        public var message = ""
        public var inputs: [(stream: String, path: String, bytes: Int64, sha256: String)] = []
        /// read, accepted, rejected, duplicates per stream.
        public var playerEvents: StreamCounts = StreamCounts()
        public var serverState: StreamCounts = StreamCounts()
        public var joined: Int64 = 0
        public var clientOnly: Int64 = 0
        public var serverOnly: Int64 = 0
        public var rejectedByReason: [(reason: String, count: Int64)] = []
        public var threshold = 1.0
        public var pingBands: (low: Int, medium: Int) = (50, 150)
    }

    public struct StreamCounts: Sendable {
        public var read: Int64 = 0
        public var accepted: Int64 = 0
        public var rejected: Int64 = 0
        public var duplicates: Int64 = 0
    }

    /// Rate and mean distance of one group (ping band, loss value or band).
    public struct GroupStats: Sendable {
        public var label: String
        public var ticks: Int64
        public var desynced: Int64
        public var meanDistance: Double
        public var meanInterval: ClosedRange<Double>?

        public var rate: Double { ticks > 0 ? Double(desynced) / Double(ticks) : 0 }
        public var rateInterval: ClosedRange<Double>? {
            Statistics.wilsonRange(desynced, of: ticks)
        }
    }

    /// A row of `desync_stats`: the distance distribution of a group.
    public struct Distribution: Sendable {
        public var scope: String
        public var group: String
        public var ticks: Int64
        public var rate: Double
        public var p50: Double?
        public var p95: Double?
        public var p99: Double?
        public var max: Double?
    }

    public struct HeatCell: Sendable {
        public var pingCategory: String
        public var pingLow: Int64
        public var lossBand: String
        public var lossLow: Double
        public var ticks: Int64
        public var desynced: Int64
        public var rate: Double
    }

    public struct SweepPoint: Sendable {
        public var threshold: Double
        public var ticks: Int64
        public var desynced: Int64
        public var share: Double
    }

    /// One of the worst sessions, with its players' distance over time.
    public struct SessionTimeline: Sendable {
        public var sessionID: String
        public var startedAt: String
        public var ticks: Int64
        public var desynced: Int64
        public var maxDistance: Double
        /// Per player: (seconds since the session's first tick, the largest
        /// distance among the ticks that point stands for).
        public var players: [(playerID: String, points: [ChartPoint])]
        /// How many ticks each point stands for (1 when not thinned).
        public var ticksPerPoint: Int
        /// Players of the session not drawn (only the worst few are).
        public var playersLeftOut: Int
        public var episodes: [Episode]

        public var rate: Double { ticks > 0 ? Double(desynced) / Double(ticks) : 0 }
    }

    public struct Episode: Sendable {
        public var playerID: String
        /// Seconds since the session's first tick.
        public var start: Double
        public var end: Double
        public var ticks: Int64
        public var peak: Double
    }

    public struct PlayerStats: Sendable {
        public var sessionID: String
        public var playerID: String
        public var ticks: Int64
        public var desynced: Int64
        public var rate: Double
        public var interval: ClosedRange<Double>?
        public var meanDistance: Double
    }

    public var store = ""
    public var run = Run()
    /// Rows of `desync_events` for the run (0 when the run failed or its
    /// batch was replaced since).
    public var joinedRows: Int64 = 0
    /// The run's largest distance (0 without rows).
    public var maxDistance: Double = 0
    public var overall: GroupStats?
    public var byPing: [GroupStats] = []
    public var byLoss: [GroupStats] = []
    /// True when loss values were many and are shown in bands.
    public var lossBanded = false
    public var distributions: [Distribution] = []
    public var histogram: [HistogramBin] = []
    public var histogramOverflow: Int64 = 0
    public var heatmap: [HeatCell] = []
    public var sweep: [SweepPoint] = []
    public var sessions: [SessionTimeline] = []
    public var topPlayers: [PlayerStats] = []
    /// Players below `minimumTicks` left out of the ranking.
    public var playersBelowMinimum: Int64 = 0
    public var minimumTicks: Int64 = 100

    public init() {}
}
