import Foundation

/// Where the client shows its player, given the server's truth and the
/// network: the error comes from latency and loss, not from a dice roll.
///
/// - The client's view lags the server by the one-way delay (ping / 2), so
///   a moving player is off by about speed × one-way delay.
/// - While updates are lost the client dead-reckons: it carries on with the
///   last velocity it heard of, and its own simulation slides away by
///   `lossDrift` per lost tick in a direction drawn when the burst starts,
///   so the error grows with the length of the burst.
/// - When updates arrive again the correction lands: the error beyond the
///   lag shrinks to `correctionKeep` of itself each tick (a rubber band).
struct ClientErrorModel {
    /// Ticks of server history kept to look up the lagged position; a
    /// longer one-way delay is cut to this.
    static let historyTicks = 256

    private let options: RealisticOptions
    private let tickMs: Double
    private var history: [Vector3]
    private var historyVelocity: [Vector3]
    private var newest = -1
    private var filled = 0
    private var view = Vector3.zero
    private var viewVelocity = Vector3.zero
    private var driftX = 0.0
    private var driftY = 0.0
    private var losing = false

    init(options: RealisticOptions, tickMilliseconds: Int) {
        self.options = options
        tickMs = Double(tickMilliseconds)
        history = Array(repeating: .zero, count: Self.historyTicks)
        historyVelocity = history
    }

    /// The client's position for this tick.
    mutating func step(
        server position: Vector3, velocity: Vector3, network: NetworkModel.Sample,
        random: inout RandomSource
    ) -> Vector3 {
        newest = (newest + 1) % Self.historyTicks
        history[newest] = position
        historyVelocity[newest] = velocity
        filled = min(filled + 1, Self.historyTicks)
        defer { losing = network.lost }

        let (lagged, laggedVelocity) = lookBack(ticks: Double(network.ping) / 2 / tickMs)
        let dt = tickMs / 1000
        if filled == 1 {
            view = lagged
            viewVelocity = laggedVelocity
        } else if network.lost {
            if !losing {
                let angle = random.uniform(-Double.pi, Double.pi)
                driftX = cos(angle) * options.lossDrift
                driftY = sin(angle) * options.lossDrift
            }
            view = view + viewVelocity * dt
            view.x += driftX
            view.y += driftY
        } else {
            let predicted = view + viewVelocity * dt
            view = lagged + (predicted - lagged) * options.correctionKeep
            viewVelocity = laggedVelocity
        }
        let size = options.mapSize
        view.x = max(0, min(size, view.x))
        view.y = max(0, min(size, view.y))
        view.z = max(0, min(MovementModel.maxHeight, view.z))
        var shown = view
        shown.x += options.clientNoise * random.normal()
        shown.y += options.clientNoise * random.normal()
        shown.z += options.clientNoise * random.normal()
        shown.x = max(0, min(size, shown.x))
        shown.y = max(0, min(size, shown.y))
        shown.z = max(0, min(MovementModel.maxHeight, shown.z))
        return shown
    }

    /// The server's position and velocity `ticks` ticks ago (fractional,
    /// interpolated), bounded by the history kept.
    private func lookBack(ticks: Double) -> (Vector3, Vector3) {
        let back = min(max(0, ticks), Double(filled - 1))
        let whole = Int(back)
        let fraction = back - Double(whole)
        let a = (newest - whole + Self.historyTicks) % Self.historyTicks
        guard whole + 1 < filled, fraction > 0 else { return (history[a], historyVelocity[a]) }
        let b = (a - 1 + Self.historyTicks) % Self.historyTicks
        return (
            Vector3.lerp(history[a], history[b], fraction),
            Vector3.lerp(historyVelocity[a], historyVelocity[b], fraction)
        )
    }
}
