import Foundation

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
        /// A fraction in [0, 1] (packet_loss) rather than a coordinate;
        /// kept as a flag so typing a row compares no strings.
        var isFraction: Bool
    }

    let stream: Stream
    let fields: [Field]
    /// Every field name's bytes, back to back, and where each one starts:
    /// the key lookup below compares raw memory, once per key of a line.
    private let names: [UInt8]
    private let nameStart: [Int]

    init(_ stream: Stream, _ fields: [(String, Kind)]) {
        self.stream = stream
        self.fields = fields.map {
            Field(name: $0.0, kind: $0.1, utf8: Array($0.0.utf8), isFraction: $0.0 == "packet_loss")
        }
        var names: [UInt8] = []
        var starts: [Int] = []
        for field in self.fields {
            starts.append(names.count)
            names += field.utf8
        }
        starts.append(names.count)
        self.names = names
        nameStart = starts
    }

    /// The slot of a key, or nil for keys the stream does not use. `hint`
    /// is tried first: lines of one producer list their keys in one order.
    @inline(__always)
    func slot(of key: UnsafeBufferPointer<UInt8>, hint: Int = 0) -> Int? {
        names.withUnsafeBufferPointer { all in
            @inline(__always) func matches(_ i: Int) -> Bool {
                let start = nameStart[i]
                guard nameStart[i + 1] - start == key.count else { return false }
                return key.count == 0
                    || memcmp(all.baseAddress! + start, key.baseAddress!, key.count) == 0
            }
            if hint >= 0 && hint < fields.count && matches(hint) { return hint }
            for i in 0..<fields.count where matches(i) { return i }
            return nil
        }
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
