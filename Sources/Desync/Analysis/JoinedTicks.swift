/// The joined rows: for each matched pair, the client event's row and the
/// server state's row, plus the metrics computed from them. This is
/// `desync_events` before it is written.
public struct JoinedTicks: Sendable {
    /// Row in `PlayerEvents` of each joined tick.
    public var eventRow: [Int32] = []
    /// Row in `ServerStates` of each joined tick.
    public var stateRow: [Int32] = []
    public var distance: [Double] = []
    public var isDesynced: [Bool] = []
    public var pingCategory: [PingCategory] = []
    /// The client's speed in world units per second, from its previous
    /// event (the next one for a player's first event); 0 for a player
    /// with a single event.
    public var speed: [Double] = []
    /// speed × one-way delay (ping / 2): the error latency alone explains.
    public var latencyExplained: [Double] = []

    public init() {}

    public var count: Int { eventRow.count }

    /// distance − latencyExplained, floored at zero: computed when read
    /// rather than stored (40 MB at 5M ticks).
    @inline(__always)
    public func residual(_ k: Int) -> Double { max(0, distance[k] - latencyExplained[k]) }

    /// Every tick's `residual(_:)`.
    public var residual: [Double] { (0..<count).map(residual) }
}
