/// The timestamps each side writes for a tick.
///
/// The server stamps tick k near `start + k × tick`, off by up to
/// `serverJitterMs` either way (its loop does not wake exactly on time).
/// The client's clock runs `offset` ahead of the server's for the whole
/// session, and its stamp wanders by up to `clientJitterMs`. Stamps are
/// whole microseconds, so the two sides almost never write the same
/// instant: an exact-timestamp join finds almost nothing.
struct ClockModel {
    /// Client clock minus server clock for this session (µs).
    let offset: Int64
    let start: Int64
    let tick: Int64
    let serverJitter: Int64
    let clientJitter: Int64

    init(
        options: RealisticOptions, start: Timestamp, tickMilliseconds: Int,
        random: inout RandomSource
    ) {
        let limit = options.clockOffsetMs * 1000
        offset = Int64(random.uniform(-limit, limit).rounded())
        self.start = start.microseconds
        tick = Int64(tickMilliseconds) * 1000
        serverJitter = Int64((options.serverJitterMs * 1000).rounded())
        clientJitter = Int64((options.clientJitterMs * 1000).rounded())
    }

    func serverTime(tick k: Int, _ random: inout RandomSource) -> Int64 {
        start + Int64(k) * tick + Self.wobble(serverJitter, &random)
    }

    func clientTime(tick k: Int, _ random: inout RandomSource) -> Int64 {
        start + Int64(k) * tick + offset + Self.wobble(clientJitter, &random)
    }

    /// Uniform in `-limit...limit` microseconds.
    private static func wobble(_ limit: Int64, _ random: inout RandomSource) -> Int64 {
        limit == 0 ? 0 : Int64(random.integer(-Int(limit), Int(limit)))
    }
}
