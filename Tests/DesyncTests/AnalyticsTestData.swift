import Desync

/// Small hand-built streams for the analytics tests.
struct TestStreams {
    var events = PlayerEvents()
    var states = ServerStates()
    var dimensions = Dimensions()

    mutating func event(
        _ session: String, _ player: String, _ time: Int64, x: Double = 0, y: Double = 0,
        z: Double = 0, type: String = "player_move"
    ) {
        events.eventID.append("e\(events.count)")
        events.session.append(dimensions.sessions.id(for: session))
        events.player.append(dimensions.players.id(for: player))
        events.eventType.append(dimensions.eventTypes.id(for: type))
        events.timestamp.append(time)
        events.x.append(x)
        events.y.append(y)
        events.z.append(z)
        events.line.append(Int64(events.count))
    }

    mutating func state(
        _ session: String, _ player: String, _ time: Int64, x: Double = 0, y: Double = 0,
        z: Double = 0, ping: Int32 = 20, loss: Double = 0
    ) {
        states.stateID.append("s\(states.count)")
        states.session.append(dimensions.sessions.id(for: session))
        states.player.append(dimensions.players.id(for: player))
        states.timestamp.append(time)
        states.x.append(x)
        states.y.append(y)
        states.z.append(z)
        states.ping.append(ping)
        states.packetLoss.append(loss)
        states.line.append(Int64(states.count))
    }

    /// Exact join, tick metrics and analytics, as the pipeline runs them.
    func analyse(_ options: AnalysisOptions = AnalysisOptions()) -> (JoinedTicks, Analytics) {
        let join = ExactJoin().join(events, states)
        let ticks = TickMetrics(options: options).compute(join, events, states)
        return (ticks, Analytics.compute(ticks, events, states, dimensions, options))
    }
}

/// A seeded generator, so a failing case can be replayed from its seed.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Relative (or, near zero, absolute) closeness of optional numbers.
func near(_ a: Double?, _ b: Double?, _ tolerance: Double = 1e-9) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case (let x?, let y?): return abs(x - y) <= tolerance * max(1, abs(x), abs(y))
    default: return false
    }
}
