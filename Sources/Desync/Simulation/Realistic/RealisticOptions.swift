/// The knobs of the `realistic` profile, with their defaults.
///
/// Units: distances in world units (the notebook's map is 100 × 100 units
/// with heights up to 20), speeds in units per second, times in
/// milliseconds or seconds as each name says, rates per second unless a
/// name says per tick. docs/SIMULATION.md explains each model.
public struct RealisticOptions: Sendable, Equatable {
    // MARK: Movement

    /// Side of the square map; x and y stay in `0...mapSize`.
    public var mapSize = 100.0
    public var walkSpeed = 2.5
    public var runSpeed = 6.0
    /// Largest change of speed per second (units/s²).
    public var acceleration = 15.0
    /// Largest turn rate (radians per second).
    public var maxTurnRate = 2.5
    /// Mean time a player keeps one gait (stop, walk or run).
    public var gaitSeconds = 3.0
    public var jumpRate = 0.3
    public var shootRate = 1.0
    public var abilityRate = 0.1

    // MARK: Network

    /// Base ping of the near, middle and far region (ms).
    public var regionPings = [30.0, 80.0, 180.0]
    /// Share of players in each region; sums to 1.
    public var regionShares = [0.5, 0.3, 0.2]
    /// A player's base ping is its region's times a uniform factor in
    /// `1 ± pingSpread`.
    public var pingSpread = 0.25
    /// Standard deviation of the slow drift of a player's ping level (ms).
    public var pingDriftMs = 8.0
    /// Standard deviation of the tick-to-tick ping jitter (ms).
    public var jitterMs = 4.0
    /// Ping spikes per second per player.
    public var spikeRate = 0.05
    /// Mean extra ping during a spike (ms).
    public var spikeMs = 120.0
    /// Mean length of a spike (seconds).
    public var spikeSeconds = 0.5
    /// Gilbert-Elliott loss: chance per tick of going from the good state
    /// to the bad one (scaled per player by a factor in 0.25...2).
    public var lossEnter = 0.005
    /// Chance per tick of leaving the bad state (mean burst 1 / this).
    public var lossExit = 0.15
    /// Chance a packet is lost in the good state.
    public var lossGood = 0.002
    /// Chance a packet is lost in the bad state.
    public var lossBad = 0.8
    /// Ticks over which the server reports `packet_loss`.
    public var lossWindow = 20

    // MARK: Client error

    /// How far the client's view slides per lost tick while it
    /// dead-reckons (units), in a direction drawn per burst.
    public var lossDrift = 0.5
    /// Share of the extra error left after each tick once updates arrive
    /// again (0 snaps back at once; 1 never corrects).
    public var correctionKeep = 0.35
    /// Standard deviation of the client's own measurement noise per axis.
    public var clientNoise = 0.02

    // MARK: Clocks and delivery

    /// Each session's client clock is off the server's by a uniform amount
    /// in `±clockOffsetMs`.
    public var clockOffsetMs = 20.0
    /// Server timestamps wander uniformly within `±serverJitterMs` of the
    /// tick grid.
    public var serverJitterMs = 1.0
    /// Client timestamps wander uniformly within `±clientJitterMs`.
    public var clientJitterMs = 2.0
    /// Share of client events written late, 2 to `lateWindow` rows after
    /// their place.
    public var lateRate = 0.01
    /// Largest delay of a late event, in rows of its player.
    public var lateWindow = 20
    /// Share of client events swapped with the next one.
    public var reorderRate = 0.01
    /// Share of client events written twice (same event_id).
    public var duplicateRate = 0.005

    public init() {}
}

extension RealisticOptions {
    /// One numeric knob: its flag on `desync generate`, help text, field
    /// and allowed range. The command line builds its options from this
    /// list, so a knob has one name and one default everywhere.
    public struct Knob: Sendable {
        public var flag: String
        public var placeholder: String
        public var help: String
        public var range: ClosedRange<Double>
        let field: Field

        /// The option the knob sets, and whether it is a whole number.
        enum Field: @unchecked Sendable {
            case real(WritableKeyPath<RealisticOptions, Double>)
            case whole(WritableKeyPath<RealisticOptions, Int>)
        }

        init(
            _ flag: String, _ placeholder: String, _ field: Field, _ range: ClosedRange<Double>,
            _ help: String
        ) {
            self.flag = flag
            self.placeholder = placeholder
            self.help = help
            self.range = range
            self.field = field
        }

        public var wholeNumber: Bool {
            if case .whole = field { return true }
            return false
        }

        /// The knob's value in `options`, as `--help` shows it.
        public func text(_ options: RealisticOptions) -> String {
            switch field {
            case .real(let path): return Self.format(options[keyPath: path])
            case .whole(let path): return String(options[keyPath: path])
            }
        }

        /// Sets the knob; the caller has checked `range`.
        public func set(_ value: Double, in options: inout RealisticOptions) {
            switch field {
            case .real(let path): options[keyPath: path] = value
            case .whole(let path): options[keyPath: path] = Int(value)
            }
        }

        public static func format(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        }
    }

    /// Every numeric knob (the region lists have their own options).
    public static var knobs: [Knob] {
        [
            Knob("--map-size", "UNITS", .real(\.mapSize), 10...1e6, "side of the square map"),
            Knob("--walk-speed", "UPS", .real(\.walkSpeed), 0...1000, "walking speed (units/s)"),
            Knob("--run-speed", "UPS", .real(\.runSpeed), 0...1000, "running speed (units/s)"),
            Knob(
                "--acceleration", "UPS2", .real(\.acceleration), 0.1...1e5,
                "largest change of speed per second (units/s²)"),
            Knob(
                "--max-turn-rate", "RAD", .real(\.maxTurnRate), 0...100, "largest turn rate (rad/s)"
            ),
            Knob(
                "--gait-seconds", "S", .real(\.gaitSeconds), 0.01...1e6,
                "mean time spent stopped, walking or running before changing"),
            Knob("--jump-rate", "PER_S", .real(\.jumpRate), 0...100, "jumps per second"),
            Knob("--shoot-rate", "PER_S", .real(\.shootRate), 0...100, "shoot events per second"),
            Knob(
                "--ability-rate", "PER_S", .real(\.abilityRate), 0...100,
                "ability events per second"),
            Knob(
                "--ping-spread", "F", .real(\.pingSpread), 0...0.95,
                "a player's base ping is its region's × uniform(1 - F, 1 + F)"),
            Knob(
                "--ping-drift-ms", "MS", .real(\.pingDriftMs), 0...10_000,
                "standard deviation of the slow drift of a player's ping"),
            Knob(
                "--jitter-ms", "MS", .real(\.jitterMs), 0...10_000,
                "tick-to-tick ping jitter (std dev)"),
            Knob(
                "--spike-rate", "PER_S", .real(\.spikeRate), 0...100,
                "ping spikes per second per player"),
            Knob(
                "--spike-ms", "MS", .real(\.spikeMs), 0...60_000, "mean extra ping during a spike"),
            Knob(
                "--spike-seconds", "S", .real(\.spikeSeconds), 0.001...1e6, "mean length of a spike"
            ),
            Knob(
                "--loss-enter", "P", .real(\.lossEnter), 0...1,
                "chance per tick of entering the bursty (bad) loss state"),
            Knob(
                "--loss-exit", "P", .real(\.lossExit), 0.0001...1,
                "chance per tick of leaving the bad state (mean burst 1/P ticks)"),
            Knob(
                "--loss-good", "P", .real(\.lossGood), 0...1, "packet loss chance in the good state"
            ),
            Knob("--loss-bad", "P", .real(\.lossBad), 0...1, "packet loss chance in the bad state"),
            Knob(
                "--loss-window", "TICKS", .whole(\.lossWindow), 1...100_000,
                "ticks over which the server reports packet_loss"),
            Knob(
                "--loss-drift", "UNITS", .real(\.lossDrift), 0...1000,
                "how far the client slides per lost tick while dead-reckoning"),
            Knob(
                "--correction-keep", "F", .real(\.correctionKeep), 0...1,
                "share of the error left each tick after a correction lands (0 = snap)"),
            Knob(
                "--client-noise", "UNITS", .real(\.clientNoise), 0...1000,
                "client measurement noise (std dev per axis)"),
            Knob(
                "--clock-offset-ms", "MS", .real(\.clockOffsetMs), 0...86_400_000,
                "each session's client clock is off by uniform(-MS, MS)"),
            Knob(
                "--server-jitter-ms", "MS", .real(\.serverJitterMs), 0...60_000,
                "server timestamps wander within ±MS of the tick grid"),
            Knob(
                "--client-jitter-ms", "MS", .real(\.clientJitterMs), 0...60_000,
                "client timestamps wander within ±MS"),
            Knob(
                "--late-rate", "P", .real(\.lateRate), 0...1,
                "share of client events written late"),
            Knob(
                "--late-window", "ROWS", .whole(\.lateWindow), 2...10_000,
                "a late event lands 2 to ROWS rows after its place"),
            Knob(
                "--reorder-rate", "P", .real(\.reorderRate), 0...1,
                "share of client events swapped with the next one"),
            Knob(
                "--duplicate-rate", "P", .real(\.duplicateRate), 0...1,
                "share of client events written twice"),
        ]
    }

    /// Checks what one knob cannot: the lists and their shares.
    public func validated() throws -> RealisticOptions {
        guard regionPings.count == regionShares.count, !regionPings.isEmpty else {
            throw DesyncError(
                .usage,
                "--region-pings and --region-shares need the same number of values, for example"
                    + " --region-pings 30,80,180 --region-shares 0.5,0.3,0.2")
        }
        guard regionPings.allSatisfy({ $0 > 0 && $0 <= 60_000 }) else {
            throw DesyncError(.usage, "--region-pings must be milliseconds in (0, 60000]")
        }
        let total = regionShares.reduce(0, +)
        guard regionShares.allSatisfy({ $0 >= 0 }), abs(total - 1) < 1e-6 else {
            throw DesyncError(
                .usage,
                "--region-shares must be fractions ≥ 0 that sum to 1, for example 0.5,0.3,0.2")
        }
        guard walkSpeed <= runSpeed else {
            throw DesyncError(.usage, "--walk-speed must not exceed --run-speed")
        }
        return self
    }
}
