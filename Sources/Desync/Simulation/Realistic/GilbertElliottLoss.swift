/// Bursty packet loss: the two-state Gilbert-Elliott model.
///
/// The channel is either good or bad. Each tick it moves from good to bad
/// with chance `enter` and from bad to good with chance `exit`, so a bad
/// spell lasts `1 / exit` ticks on average; a packet is lost with chance
/// `lossGood` or `lossBad` depending on the state. Losses therefore come in
/// runs, unlike independent draws with the same average rate.
struct GilbertElliottLoss {
    let enter: Double
    let exit: Double
    let lossGood: Double
    let lossBad: Double
    private(set) var bad = false

    init(enter: Double, exit: Double, lossGood: Double, lossBad: Double) {
        self.enter = enter
        self.exit = exit
        self.lossGood = lossGood
        self.lossBad = lossBad
    }

    /// The long-run share of lost packets.
    var averageLoss: Double {
        let total = enter + exit
        guard total > 0 else { return lossGood }
        let badShare = enter / total
        return badShare * lossBad + (1 - badShare) * lossGood
    }

    /// Moves the channel one tick; true when this tick's packet is lost.
    mutating func next(_ random: inout RandomSource) -> Bool {
        if bad {
            if random.unit() < exit { bad = false }
        } else {
            if random.unit() < enter { bad = true }
        }
        return random.unit() < (bad ? lossBad : lossGood)
    }
}
