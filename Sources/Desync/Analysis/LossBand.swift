/// The packet-loss bands of `desync_heatmap` and of `desync_stats`' loss
/// rows: no loss, then up to 2%, 5%, 10% and above (upper bounds
/// inclusive), loss being a fraction as the server reports it.
public enum LossBand: Int, CaseIterable, Sendable, Comparable {
    case none, upTo2, upTo5, upTo10, above10

    @inline(__always)
    public static func of(_ loss: Double) -> LossBand {
        loss <= 0
            ? .none
            : loss <= 0.02 ? .upTo2 : loss <= 0.05 ? .upTo5 : loss <= 0.10 ? .upTo10 : .above10
    }

    public var label: String {
        ["0", "(0,0.02]", "(0.02,0.05]", "(0.05,0.10]", ">0.10"][rawValue]
    }

    /// Exclusive lower bound (inclusive for `none`).
    public var low: Double { [0, 0, 0.02, 0.05, 0.10][rawValue] }
    /// Inclusive upper bound; 1.0 (all packets lost) for the last band.
    public var high: Double { [0, 0.02, 0.05, 0.10, 1.0][rawValue] }

    public static func < (a: LossBand, b: LossBand) -> Bool { a.rawValue < b.rawValue }
}
