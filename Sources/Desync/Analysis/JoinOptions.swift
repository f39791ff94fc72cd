/// How client events are paired with server states.
public enum JoinMode: String, Sendable, CaseIterable {
    /// The notebook's join: equal session, player and timestamp.
    case exact
    /// Per session and player, the server state nearest in time within a
    /// tolerance, one to one (`NearestJoin`).
    case nearest
}

/// The join's knobs. The defaults are the notebook's exact join.
public struct JoinOptions: Sendable, Equatable {
    public var mode: JoinMode = .exact
    /// Largest |client time − server time| a nearest-join pair may have, in
    /// microseconds, inclusive. 25 ms by default: half of a 50 ms server
    /// tick, so a client event can never reach past the middle between two
    /// regular snapshots.
    public var toleranceMicroseconds: Int64 = 25_000
    /// Estimate each session's clock offset first and shift client times
    /// by it before matching (nearest join only).
    public var correctClockOffset = false

    public init() {}

    /// The tolerance in milliseconds, as recorded in the ledger.
    public var toleranceMilliseconds: Double { Double(toleranceMicroseconds) / 1000 }

    /// The tolerance the ledger records: 0 for the exact join.
    public var recordedToleranceMilliseconds: Double {
        mode == .exact ? 0 : toleranceMilliseconds
    }
}
