/// The two input streams, as typed columns.
///
/// Session, player and event type are interned in a `Interner` shared by
/// both streams (`Dimensions`), so a join compares integers.
public enum Stream: String, Sendable, CaseIterable {
    case playerEvents = "player_events"
    case serverState = "server_state"
}

/// Accepted client events, one row per event, in input order.
public struct PlayerEvents: Sendable {
    public var eventID = StringColumn()
    public var session: [Int32] = []
    public var player: [Int32] = []
    public var eventType: [Int32] = []
    public var timestamp: [Int64] = []
    public var x: [Double] = []
    public var y: [Double] = []
    public var z: [Double] = []
    /// 1-based line in the source file, for messages and the ledger.
    public var line: [Int64] = []

    public init() {}

    public var count: Int { timestamp.count }

    public mutating func reserve(_ rows: Int) {
        eventID.reserve(rows: rows, bytesPerRow: 36)
        session.reserveCapacity(rows)
        player.reserveCapacity(rows)
        eventType.reserveCapacity(rows)
        timestamp.reserveCapacity(rows)
        x.reserveCapacity(rows)
        y.reserveCapacity(rows)
        z.reserveCapacity(rows)
        line.reserveCapacity(rows)
    }
}

/// Accepted server snapshots, one row per state, in input order.
public struct ServerStates: Sendable {
    public var stateID = StringColumn()
    public var session: [Int32] = []
    public var player: [Int32] = []
    public var timestamp: [Int64] = []
    public var x: [Double] = []
    public var y: [Double] = []
    public var z: [Double] = []
    public var ping: [Int32] = []
    public var packetLoss: [Double] = []
    public var line: [Int64] = []

    public init() {}

    public var count: Int { timestamp.count }

    public mutating func reserve(_ rows: Int) {
        stateID.reserve(rows: rows, bytesPerRow: 36)
        session.reserveCapacity(rows)
        player.reserveCapacity(rows)
        timestamp.reserveCapacity(rows)
        x.reserveCapacity(rows)
        y.reserveCapacity(rows)
        z.reserveCapacity(rows)
        ping.reserveCapacity(rows)
        packetLoss.reserveCapacity(rows)
        line.reserveCapacity(rows)
    }
}

/// The interned string values both streams refer to.
public struct Dimensions: Sendable {
    public var sessions = Interner()
    public var players = Interner()
    public var eventTypes = Interner()

    public init() {}
}
