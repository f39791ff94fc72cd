/// The fields of one input stream in contract order (CONTRACT.md), with
/// the kind of check each gets; the first failing field names the reason.
struct StreamRules: Sendable {
    enum Kind: Sendable {
        /// A non-empty JSON string.
        case text
        /// A JSON string holding an ISO-8601 timestamp.
        case timestamp
        /// A finite number within ±maxCoordinate.
        case coordinate
        /// A finite number in [0, 1].
        case fraction
        /// A whole number in 0...maxPing.
        case milliseconds
    }

    struct Field: Sendable {
        let name: String
        let kind: Kind
    }

    let stream: String
    /// Prefix of the stream's views: `desync_<short>_...`.
    let short: String
    let idColumn: String
    let timestampColumn = "timestamp"
    let fields: [Field]

    static let playerEvents = StreamRules(
        stream: "player_events", short: "pe", idColumn: "event_id",
        fields: [
            Field(name: "event_id", kind: .text), Field(name: "session_id", kind: .text),
            Field(name: "player_id", kind: .text), Field(name: "event_type", kind: .text),
            Field(name: "timestamp", kind: .timestamp),
            Field(name: "client_position_x", kind: .coordinate),
            Field(name: "client_position_y", kind: .coordinate),
            Field(name: "client_position_z", kind: .coordinate),
        ])

    static let serverState = StreamRules(
        stream: "server_state", short: "ss", idColumn: "state_id",
        fields: [
            Field(name: "state_id", kind: .text), Field(name: "session_id", kind: .text),
            Field(name: "player_id", kind: .text), Field(name: "timestamp", kind: .timestamp),
            Field(name: "server_position_x", kind: .coordinate),
            Field(name: "server_position_y", kind: .coordinate),
            Field(name: "server_position_z", kind: .coordinate),
            Field(name: "ping", kind: .milliseconds),
            Field(name: "packet_loss", kind: .fraction),
        ])

    static let all = [playerEvents, serverState]
}
