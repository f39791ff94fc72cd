/// A run of consecutive de-synced ticks of one player: what the player
/// sees as rubber-banding.
public struct Episode: Sendable, Equatable {
    /// Client time of the first and the last de-synced tick (µs).
    public var start: Int64
    public var end: Int64
    public var ticks: Int64
    public var peakDistance: Double
    public var distanceSum: Double
    /// From the last de-synced tick to the player's next tick at or under
    /// the threshold (µs); nil when the player's data ends first.
    public var recovery: Int64?

    public init(
        start: Int64, end: Int64, ticks: Int64, peakDistance: Double, distanceSum: Double,
        recovery: Int64?
    ) {
        self.start = start
        self.end = end
        self.ticks = ticks
        self.peakDistance = peakDistance
        self.distanceSum = distanceSum
        self.recovery = recovery
    }

    public var averageDistance: Double { distanceSum / Double(ticks) }
    /// end − start: 0 for an episode of one tick.
    public var duration: Int64 { end - start }
}

/// Finds episodes in one player's ticks, fed in time order: a small state
/// machine with no I/O, so it is tested tick by tick.
///
/// "Consecutive" means consecutive among the player's joined ticks: a
/// client event with no server partner neither ends nor extends an
/// episode, since nothing is known about it.
public struct EpisodeDetector: Sendable {
    private var open: Episode?

    public init() {}

    /// Takes the next tick; returns the episode this tick closed, if any
    /// (an in-sync tick after de-synced ones).
    public mutating func add(time: Int64, distance: Double, desynced: Bool) -> Episode? {
        if desynced {
            if var episode = open {
                episode.end = time
                episode.ticks += 1
                episode.peakDistance = max(episode.peakDistance, distance)
                episode.distanceSum += distance
                open = episode
            } else {
                open = Episode(
                    start: time, end: time, ticks: 1, peakDistance: distance, distanceSum: distance,
                    recovery: nil)
            }
            return nil
        }
        guard var episode = open else { return nil }
        episode.recovery = time - episode.end
        open = nil
        return episode
    }

    /// Ends the player's data: returns the episode still open, if any
    /// (its recovery is nil), and resets for the next player.
    public mutating func finish() -> Episode? {
        defer { open = nil }
        return open
    }
}
