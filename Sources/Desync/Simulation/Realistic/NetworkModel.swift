import Foundation

/// One player's connection, tick by tick: ping and packet loss.
///
/// A player belongs to a region (drawn by `regionShares`) whose base ping
/// it takes, times a personal factor in `1 ± pingSpread`. Its ping level
/// drifts slowly around that base (a mean-reverting random walk with
/// spread `pingDriftMs` and a 30 s memory); each tick adds jitter, and now
/// and then a spike adds `spikeMs` (on average) for `spikeSeconds`. Loss
/// comes from a `GilbertElliottLoss` channel whose entry chance is scaled
/// by a personal factor in 0.25...2, so some players suffer more bursts.
/// The server reports the share of lost packets over the last
/// `lossWindow` ticks, to 2 decimals, as the notebook's data does.
struct NetworkModel {
    /// What the server saw on one tick.
    struct Sample {
        var ping: Int
        /// This tick's update did not reach the client.
        var lost: Bool
        /// Share lost over the recent window, rounded to 2 decimals.
        var packetLoss: Double
    }

    static let driftMemorySeconds = 30.0
    static let minimumPing = 5.0

    let region: Int
    let basePing: Double
    private let options: RealisticOptions
    private let dt: Double
    private var level: Double
    private var spikeTicksLeft = 0
    private var spikeExtra = 0.0
    private(set) var channel: GilbertElliottLoss
    private var window: [Bool]
    private var windowNext = 0
    private var windowLost = 0

    init(options: RealisticOptions, tickSeconds: Double, random: inout RandomSource) {
        self.options = options
        dt = tickSeconds
        var u = random.unit()
        var r = 0
        while r < options.regionShares.count - 1, u >= options.regionShares[r] {
            u -= options.regionShares[r]
            r += 1
        }
        region = r
        basePing =
            options.regionPings[r] * random.uniform(1 - options.pingSpread, 1 + options.pingSpread)
        level = basePing
        let factor = random.uniform(0.25, 2)
        channel = GilbertElliottLoss(
            enter: min(1, options.lossEnter * factor), exit: options.lossExit,
            lossGood: options.lossGood, lossBad: options.lossBad)
        window = Array(repeating: false, count: options.lossWindow)
    }

    mutating func step(_ random: inout RandomSource) -> Sample {
        let theta = min(1, dt / Self.driftMemorySeconds)
        level +=
            (basePing - level) * theta
            + options.pingDriftMs * (2 * theta).squareRoot() * random.normal()

        if spikeTicksLeft > 0 {
            spikeTicksLeft -= 1
        } else if random.unit() < options.spikeRate * dt {
            let seconds = -log(max(random.unit(), 1e-12)) * options.spikeSeconds
            spikeTicksLeft = max(1, Int((seconds / dt).rounded()))
            spikeExtra = options.spikeMs * random.uniform(0.5, 1.5)
        }
        var ping = level + options.jitterMs * random.normal()
        if spikeTicksLeft > 0 { ping += spikeExtra }
        ping = max(Self.minimumPing, ping)

        let lost = channel.next(&random)
        if window[windowNext] { windowLost -= 1 }
        window[windowNext] = lost
        if lost { windowLost += 1 }
        windowNext = (windowNext + 1) % window.count
        // The window starts full of delivered packets, so every value is a
        // multiple of 1 / lossWindow (0.05 by default), as a server reports.
        let share = Double(windowLost) / Double(window.count)
        return Sample(
            ping: Int(ping.rounded()), lost: lost, packetLoss: (share * 100).rounded() / 100)
    }
}
