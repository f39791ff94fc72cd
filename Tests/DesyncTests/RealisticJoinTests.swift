@testable import Desync
import DesyncTestSupport
import Foundation
import Testing

/// The nearest-in-time join and the clock offset estimate on realistic
/// data, checked against the simulator's truth.
@Suite struct RealisticJoinTests {
    static let tolerance: Int64 = 25_000

    /// The session offsets the join estimates, by session name.
    func estimates(_ run: RealisticRun, _ join: NearestJoin) -> [String: Int64] {
        let shifts = join.estimateClockShift(
            tolerance: Self.tolerance, sessions: run.dimensions.sessions.values.count)
        var out: [String: Int64] = [:]
        for (id, name) in run.dimensions.sessions.values.enumerated() { out[name] = shifts[id] }
        return out
    }

    /// Same pairs as the truth's tick pairing, by (event row, state row).
    func agreement(_ run: RealisticRun, _ result: JoinResult) -> Double {
        let truth = Set(run.truePairs().map { "\($0.0)/\($0.1)" })
        let found = zip(result.eventRow, result.stateRow).filter { truth.contains("\($0)/\($1)") }
        return Double(found.count) / Double(truth.count)
    }

    @Test func nearestJoinPairsAlmostEveryTickAndTheOffsetIsTheTruth() throws {
        let run = try RealisticRun()
        let ticks = run.options.sessions * run.options.players * run.options.ticks
        let join = NearestJoin(run.events.events, run.states.states)
        let plain = join.join(tolerance: Self.tolerance)
        #expect(Double(plain.eventRow.count) / Double(ticks) > 0.95)
        #expect(agreement(run, plain) > 0.95)

        let tick = Int64(run.options.tickMilliseconds) * 1000
        let estimated = estimates(run, join)
        for (session, truth) in run.offsets {
            #expect(abs(estimated[session]! - truth) < tick, "\(session)")
            // In practice far closer: within the two clock jitters.
            #expect(abs(estimated[session]! - truth) <= 3_000, "\(session)")
        }
    }

    /// Offsets of several ticks defeat a plain nearest join (it pairs the
    /// wrong ticks), but the estimate still finds them within a tick, and
    /// correcting by it pairs the right ticks again.
    @Test func largeOffsetsAreEstimatedAndCorrected() throws {
        let run = try RealisticRun { $0.realistic.clockOffsetMs = 400 }
        let tick = Int64(run.options.tickMilliseconds) * 1000
        let join = NearestJoin(run.events.events, run.states.states)
        let estimated = estimates(run, join)
        #expect(run.offsets.values.contains { abs($0) > tick })
        for (session, truth) in run.offsets {
            #expect(abs(estimated[session]! - truth) < tick, "\(session)")
        }
        let shifts = join.estimateClockShift(
            tolerance: Self.tolerance, sessions: run.dimensions.sessions.values.count)
        let corrected = join.join(tolerance: Self.tolerance, clockShift: shifts)
        #expect(agreement(run, corrected) > 0.95)
        #expect(agreement(run, join.join(tolerance: Self.tolerance)) < 0.5)
    }

    /// Longer loss bursts (same average loss) make longer rubber-band
    /// episodes in the pipeline's `desync_episodes`.
    @Test func episodesGrowWithBurstiness() throws {
        func meanEpisodeTicks(exit: Double) throws -> Double {
            let run = try RealisticRun {
                $0.players = 6
                // Keep the bad share enter / (enter + exit) at 1/31.
                $0.realistic.lossExit = exit
                $0.realistic.lossEnter = exit / 30
            }
            let store = StoreLocation.sqlite(path: run.folder + "/out.db")
            var config = RunConfiguration(
                playerEventsPath: run.folder + "/player_events.jsonl",
                serverStatePath: run.folder + "/server_state.jsonl", store: store)
            config.join.mode = .nearest
            config.join.correctClockOffset = true
            let result = try Pipeline(configuration: config).run()
            #expect(result.ledger.balances)
            let row = try store.open().query(
                "SELECT avg(ticks), count(*) FROM desync_episodes")[0]
            #expect(Int(row[1]!)! > 10)
            return Double(row[0]!)!
        }
        let short = try meanEpisodeTicks(exit: 0.5)
        let long = try meanEpisodeTicks(exit: 0.08)
        #expect(long > 1.5 * short, "episodes \(short) vs \(long) ticks")
    }
}
