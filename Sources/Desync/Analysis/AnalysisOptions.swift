/// The knobs of the analysis. The defaults reproduce the notebook exactly.
public struct AnalysisOptions: Sendable, Equatable {
    /// A tick is de-synced when its distance is strictly above this.
    public var threshold: Double = 1.0
    /// Upper bounds (exclusive) of the `low` and `medium` ping bands, in ms.
    public var pingBands: (low: Int32, medium: Int32) = (50, 150)
    /// Width of the `desync_by_window` windows, in microseconds (60 s).
    public var window: Int64 = 60_000_000

    public init() {}

    public static func == (lhs: AnalysisOptions, rhs: AnalysisOptions) -> Bool {
        lhs.threshold == rhs.threshold && lhs.pingBands == rhs.pingBands
            && lhs.window == rhs.window
    }

    @inline(__always)
    public func pingCategory(_ ping: Int32) -> PingCategory {
        ping < pingBands.low ? .low : ping < pingBands.medium ? .medium : .high
    }
}

/// The notebook's three ping bands. Their raw values sort as the notebook's
/// summary does (string order: high, low, medium).
public enum PingCategory: String, Sendable, CaseIterable, Comparable {
    case high, low, medium

    public static func < (lhs: PingCategory, rhs: PingCategory) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
