/// Which (session, player) pairs occur in a stream: a bit per pair when
/// the interned ids make that small, a set otherwise.
struct GroupPresence {
    private var bits: [UInt64] = []
    private var players = 0
    private var set: Set<UInt64> = []
    private let dense: Bool

    init(session: [Int32], player: [Int32]) {
        let sessions = Int(session.max() ?? -1) + 1
        players = Int(player.max() ?? -1) + 1
        dense = sessions * players <= 1 << 27
        if dense {
            bits = [UInt64](repeating: 0, count: (sessions * players + 63) / 64)
            for i in 0..<session.count {
                let bit = Int(session[i]) * players + Int(player[i])
                bits[bit >> 6] |= 1 << UInt64(bit & 63)
            }
        } else {
            for i in 0..<session.count {
                set.insert(PlayerTimeOrder.group(session: session[i], player: player[i]))
            }
        }
    }

    func contains(session: Int32, player: Int32) -> Bool {
        if dense {
            guard Int(player) < players else { return false }
            let bit = Int(session) * players + Int(player)
            guard bit >> 6 < bits.count else { return false }
            return bits[bit >> 6] & (1 << UInt64(bit & 63)) != 0
        }
        return set.contains(PlayerTimeOrder.group(session: session, player: player))
    }
}
