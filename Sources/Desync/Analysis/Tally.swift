/// Running totals of one group of joined ticks, shared by the analytics
/// tables' rows.
public struct Tally: Sendable, Equatable {
    public var ticks: Int64 = 0
    public var desynced: Int64 = 0
    public var distanceSum = 0.0
    public var distanceMax = -Double.infinity
    public var pingSum = 0.0
    public var lossSum = 0.0
    public var speedSum = 0.0

    public init() {}

    @inline(__always)
    mutating func add(
        distance: Double, desynced flag: Bool, ping: Double, loss: Double, speed: Double
    ) {
        ticks += 1
        if flag { desynced += 1 }
        distanceSum += distance
        distanceMax = max(distanceMax, distance)
        pingSum += ping
        lossSum += loss
        speedSum += speed
    }

    /// Adds another group's totals (a partition's share of the group).
    mutating func add(_ other: Tally) {
        ticks += other.ticks
        desynced += other.desynced
        distanceSum += other.distanceSum
        distanceMax = max(distanceMax, other.distanceMax)
        pingSum += other.pingSum
        lossSum += other.lossSum
        speedSum += other.speedSum
    }

    /// Share of de-synced ticks; nil for an empty group.
    public var rate: Double? { ticks > 0 ? Double(desynced) / Double(ticks) : nil }
    public var averageDistance: Double? { mean(distanceSum) }
    public var maxDistance: Double? { ticks > 0 ? distanceMax : nil }
    public var averagePing: Double? { mean(pingSum) }
    public var averageLoss: Double? { mean(lossSum) }
    public var averageSpeed: Double? { mean(speedSum) }
    /// The rate's 95% Wilson interval.
    public var interval: (low: Double, high: Double)? {
        Statistics.wilson(successes: desynced, trials: ticks)
    }

    private func mean(_ sum: Double) -> Double? { ticks > 0 ? sum / Double(ticks) : nil }
}
