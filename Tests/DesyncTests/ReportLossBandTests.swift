import Desync
import DesyncTestSupport
import Foundation
import Testing

/// With many distinct loss values the report groups them in bands. A loss
/// of exactly 0.3 must open the band 0.3 to 0.4, even though 3 × 0.1 is
/// 0.30000000000000004 in binary.
@Suite struct ReportLossBandTests {
    @Test func bandEdgesAreExactDecimals() throws {
        let folder = temporaryFolder()
        var options = GenerateOptions()
        options.profile = .realistic
        options.sessions = 2
        options.players = 3
        options.ticks = 1500
        try Generator(options: options).write(to: folder)
        var config = RunConfiguration(
            playerEventsPath: folder + "/player_events.jsonl",
            serverStatePath: folder + "/server_state.jsonl", store: .sqlite(path: folder + "/r.db"))
        config.join.mode = .nearest
        config.join.correctClockOffset = true
        _ = try Pipeline(configuration: config).run()
        let store = try StoreLocation.sqlite(path: folder + "/r.db").open()

        var loader = ReportLoader(store: store)
        loader.maximumLossValues = 2
        let data = try loader.load(runID: nil)
        // Recount by hand: the band of a loss is floor(loss / 0.1), taken on
        // the decimal value as written (losses are written to 2 decimals).
        let losses = try store.query("SELECT packet_loss FROM desync_events").map {
            Double($0[0]!)!
        }
        var counts: [Int: Int64] = [:]
        for loss in losses { counts[Int((loss * 100).rounded()) / 10, default: 0] += 1 }
        try #require(losses.contains { abs($0 - 0.3) < 1e-12 }, "the edge case needs a loss of 0.3")
        let width = try #require(data.byLoss.first).label.split(separator: "–").map { Double($0)! }
        try #require(abs(width[1] - width[0] - 0.1) < 1e-9, "bands of 0.1 expected: \(width)")
        let shown = Dictionary(
            uniqueKeysWithValues: data.byLoss.map {
                (Int((Double($0.label.split(separator: "–")[0])! * 10).rounded()), $0.ticks)
            })
        #expect(shown == counts)
    }
}
