/// The fields a stream's lines must hold, in the order of CONTRACT.md.
///
/// Decoding is table-driven: the scanner reports each key it meets, the key
/// is looked up here, and the value lands in its slot.
struct StreamSchema: Sendable {
    enum Kind: Sendable {
        case text
        case timestamp
        case real
        case integer
    }

    struct Field: Sendable {
        var name: String
        var kind: Kind
        var utf8: [UInt8]
    }

    let stream: Stream
    let fields: [Field]

    init(_ stream: Stream, _ fields: [(String, Kind)]) {
        self.stream = stream
        self.fields = fields.map { Field(name: $0.0, kind: $0.1, utf8: Array($0.0.utf8)) }
    }

    /// The slot of a key, or nil for keys the stream does not use.
    @inline(__always)
    func slot(of key: UnsafeBufferPointer<UInt8>) -> Int? {
        for (i, field) in fields.enumerated() where field.utf8.count == key.count {
            if field.utf8.withUnsafeBufferPointer({ $0.elementsEqual(key) }) { return i }
        }
        return nil
    }

    static let playerEvents = StreamSchema(
        .playerEvents,
        [
            ("event_id", .text), ("session_id", .text), ("player_id", .text),
            ("event_type", .text), ("timestamp", .timestamp),
            ("client_position_x", .real), ("client_position_y", .real),
            ("client_position_z", .real),
        ])

    static let serverState = StreamSchema(
        .serverState,
        [
            ("state_id", .text), ("session_id", .text), ("player_id", .text),
            ("timestamp", .timestamp), ("server_position_x", .real),
            ("server_position_y", .real), ("server_position_z", .real),
            ("ping", .integer), ("packet_loss", .real),
        ])

    static func of(_ stream: Stream) -> StreamSchema {
        stream == .playerEvents ? playerEvents : serverState
    }
}
