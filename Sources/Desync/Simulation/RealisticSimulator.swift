/// The `realistic` profile: continuous movement, a drifting network per
/// player, client error driven by that network, clocks that disagree, and a
/// collector that receives some client events late, twice or out of order.
///
/// Output is session by session, player by player, tick by tick, with a few
/// kilobytes of state per player, so memory stays flat however many ticks
/// are asked for. Every player draws from its own random streams, derived
/// from the seed, the session and the player, one per model: the same seed
/// gives the same bytes, and changing one model's knobs (say, loss) leaves
/// the others' draws (say, movement) unchanged.
struct RealisticSimulator {
    var options: GenerateOptions

    /// One client event waiting in the delivery queue.
    private struct ClientEvent {
        var id: [UInt8]
        var type: EventType
        var time: Int64
        var position: Vector3
    }

    enum EventType: Int, CaseIterable {
        case move, jump, shoot, ability

        var name: [UInt8] {
            switch self {
            case .move: return Array("player_move".utf8)
            case .jump: return Array("jump".utf8)
            case .shoot: return Array("shoot".utf8)
            case .ability: return Array("ability".utf8)
            }
        }
    }

    /// Random streams of one player (or, with player -1, one session).
    enum Purpose: UInt64 {
        case clock = 1
        case movement, network, client, delivery, ids, events
    }

    static func random(seed: UInt64, session: Int, player: Int, _ purpose: Purpose) -> RandomSource
    {
        var h = seed
        for part in [
            UInt64(bitPattern: Int64(session)), UInt64(bitPattern: Int64(player)), purpose.rawValue,
        ] {
            h = (h ^ part) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
        }
        return RandomSource(seed: h)
    }

    func generate(
        events: TelemetryWriter, states: TelemetryWriter, truth: TruthWriter?,
        progress: (Int64) -> Void
    ) throws {
        let knobs = options.realistic
        let dt = Double(options.tickMilliseconds) / 1000
        let seed = options.seed
        var done: Int64 = 0
        try truth?.begin(options)
        for s in 0..<options.sessions {
            let session = GenerateOptions.sessionID(s)
            var clockRandom = Self.random(seed: seed, session: s, player: -1, .clock)
            let clock = ClockModel(
                options: knobs, start: options.start, tickMilliseconds: options.tickMilliseconds,
                random: &clockRandom)
            try truth?.beginSession(session, clockOffset: clock.offset, first: s == 0)
            for p in 0..<options.players {
                let player = GenerateOptions.playerID(s, p)
                func stream(_ purpose: Purpose) -> RandomSource {
                    Self.random(seed: seed, session: s, player: p, purpose)
                }
                var moveRandom = stream(.movement)
                var netRandom = stream(.network)
                var clientRandom = stream(.client)
                var deliveryRandom = stream(.delivery)
                var idRandom = stream(.ids)
                var eventRandom = stream(.events)
                var timeRandom = stream(.clock)
                var movement = MovementModel(options: knobs, tickSeconds: dt, random: &moveRandom)
                var network = NetworkModel(options: knobs, tickSeconds: dt, random: &netRandom)
                var client = ClientErrorModel(
                    options: knobs, tickMilliseconds: options.tickMilliseconds)
                var delivery = DeliveryQueue<ClientEvent>(options: knobs)
                var stats = TruthWriter.PlayerTruth(
                    region: network.region, basePing: network.basePing)
                var wasLost = false
                var stateID: [UInt8] = []

                func emit(_ event: ClientEvent) throws {
                    try Self.write(event, session: session, player: player, to: events)
                    stats.clientRows += 1
                }

                for k in 0..<options.ticks {
                    let jumped = movement.step(&moveRandom)
                    let sample = network.step(&netRandom)
                    let shown = client.step(
                        server: movement.position, velocity: movement.velocity, network: sample,
                        random: &clientRandom)
                    if sample.lost {
                        stats.lostTicks += 1
                        if !wasLost { stats.lossBursts += 1 }
                    }
                    wasLost = sample.lost

                    stateID.removeAll(keepingCapacity: true)
                    idRandom.uuid(into: &stateID)
                    try Self.write(
                        stateID: stateID, time: clock.serverTime(tick: k, &timeRandom),
                        position: movement.position, sample: sample, session: session,
                        player: player, to: states)

                    var eventID: [UInt8] = []
                    idRandom.uuid(into: &eventID)
                    let type = Self.eventType(jumped: jumped, knobs, dt, &eventRandom)
                    let event = ClientEvent(
                        id: eventID, type: type, time: clock.clientTime(tick: k, &timeRandom),
                        position: shown)
                    try delivery.push(event, row: k, random: &deliveryRandom, emit: emit)

                    done += 1
                    if done & 0x3FFF == 0 { progress(done) }
                }
                try delivery.drain(emit)
                stats.late = delivery.counts.late
                stats.reordered = delivery.counts.reordered
                stats.duplicated = delivery.counts.duplicated
                try truth?.player(player, stats, first: p == 0)
            }
            try truth?.endSession()
        }
        try truth?.end()
        progress(done)
    }

    /// A jump is labelled as such; other ticks are shots and abilities at
    /// their rates, and moves otherwise.
    private static func eventType(
        jumped: Bool, _ knobs: RealisticOptions, _ dt: Double, _ random: inout RandomSource
    ) -> EventType {
        let u = random.unit()
        if jumped { return .jump }
        if u < knobs.abilityRate * dt { return .ability }
        if u < (knobs.abilityRate + knobs.shootRate) * dt { return .shoot }
        return .move
    }

    /// Opens a row with the two keys every row starts with.
    private static func beginRow(session: [UInt8], player: [UInt8], _ out: TelemetryWriter) {
        out.begin()
        out.key("session_id", first: true)
        out.string(session)
        out.key("player_id")
        out.string(player)
    }

    private static func write(
        _ event: ClientEvent, session: [UInt8], player: [UInt8], to out: TelemetryWriter
    ) throws {
        beginRow(session: session, player: player, out)
        out.key("event_id")
        out.string(event.id)
        out.key("event_type")
        out.string(event.type.name)
        out.key("client_position_x")
        out.number(NotebookSimulator.round2(event.position.x))
        out.key("client_position_y")
        out.number(NotebookSimulator.round2(event.position.y))
        out.key("client_position_z")
        out.number(NotebookSimulator.round2(event.position.z))
        out.key("timestamp")
        out.timestamp(Timestamp(microseconds: event.time))
        try out.end()
    }

    private static func write(
        stateID: [UInt8], time: Int64, position: Vector3, sample: NetworkModel.Sample,
        session: [UInt8], player: [UInt8], to out: TelemetryWriter
    ) throws {
        beginRow(session: session, player: player, out)
        out.key("state_id")
        out.string(stateID)
        out.key("server_position_x")
        out.number(NotebookSimulator.round2(position.x))
        out.key("server_position_y")
        out.number(NotebookSimulator.round2(position.y))
        out.key("server_position_z")
        out.number(NotebookSimulator.round2(position.z))
        out.key("ping")
        out.number(sample.ping)
        out.key("packet_loss")
        out.number(sample.packetLoss)
        out.key("timestamp")
        out.timestamp(Timestamp(microseconds: time))
        try out.end()
    }
}
