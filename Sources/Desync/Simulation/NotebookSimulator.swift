/// The original project's producer, as CONTRACT.md describes it.
///
/// Each tick draws a client position anywhere on the map and a network tier
/// (15% poor, 25% average, 60% good) that decides ping, loss and whether the
/// server disagrees; a disagreeing server adds one offset in 1.5...5.0 to
/// all three axes.
struct NotebookSimulator {
    var options: GenerateOptions

    func generate(
        events: TelemetryWriter, states: TelemetryWriter, progress: (Int64) -> Void
    ) throws {
        var random = RandomSource(seed: options.seed)
        var id: [UInt8] = []
        var done: Int64 = 0
        let step = Int64(options.tickMilliseconds) * 1000
        for s in 0..<options.sessions {
            let session = GenerateOptions.sessionID(s)
            for p in 0..<options.players {
                let player = GenerateOptions.playerID(s, p)
                for t in 0..<options.ticks {
                    let time = Timestamp(microseconds: options.start.microseconds + Int64(t) * step)
                    let timeText = Array(time.isoText.utf8)
                    let x = Self.round2(random.uniform(0, 100))
                    let y = Self.round2(random.uniform(0, 100))
                    let z = Self.round2(random.uniform(0, 20))

                    let tier = random.unit()
                    let ping: Int
                    let loss: Double
                    let desynced: Bool
                    if tier < 0.15 {
                        ping = random.integer(150, 300)
                        loss = Self.round2(random.uniform(0.05, 0.10))
                        desynced = random.unit() < 0.8
                    } else if tier < 0.40 {
                        ping = random.integer(50, 149)
                        loss = Self.round2(random.uniform(0.01, 0.04))
                        desynced = random.unit() < 0.25
                    } else {
                        ping = random.integer(15, 49)
                        loss = 0.0
                        desynced = false
                    }
                    let offset = desynced ? random.uniform(1.5, 5.0) : 0
                    let sx = desynced ? Self.round2(x + offset) : x
                    let sy = desynced ? Self.round2(y + offset) : y
                    let sz = desynced ? Self.round2(z + offset) : z

                    events.begin()
                    events.key("session_id", first: true)
                    events.string(session)
                    events.key("player_id")
                    events.string(player)
                    events.key("event_id")
                    id.removeAll(keepingCapacity: true)
                    random.uuid(into: &id)
                    events.string(id)
                    events.key("event_type")
                    events.string(Self.playerMove)
                    events.key("client_position_x")
                    events.number(x)
                    events.key("client_position_y")
                    events.number(y)
                    events.key("client_position_z")
                    events.number(z)
                    events.key("timestamp")
                    events.string(timeText)
                    try events.end()

                    states.begin()
                    states.key("session_id", first: true)
                    states.string(session)
                    states.key("player_id")
                    states.string(player)
                    states.key("state_id")
                    id.removeAll(keepingCapacity: true)
                    random.uuid(into: &id)
                    states.string(id)
                    states.key("server_position_x")
                    states.number(sx)
                    states.key("server_position_y")
                    states.number(sy)
                    states.key("server_position_z")
                    states.number(sz)
                    states.key("ping")
                    states.number(ping)
                    states.key("packet_loss")
                    states.number(loss)
                    states.key("timestamp")
                    states.string(timeText)
                    try states.end()

                    done += 1
                    if done & 0x3FFF == 0 { progress(done) }
                }
            }
        }
        progress(done)
    }

    static let playerMove = Array("player_move".utf8)

    /// Rounds to 2 decimals, as the producer's `round(x, 2)` does.
    static func round2(_ x: Double) -> Double {
        (x * 100).rounded() / 100
    }
}
