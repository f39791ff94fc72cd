@testable import Desync
import Foundation
import Testing

/// A measurement, not a check: `DESYNC_STATS_SCALE=20000000` runs that
/// many synthetic ticks in partitions of a million through
/// `PartitionedStats` and prints the peak resident memory of `finish`.
/// Skipped unless the variable is set, so the default suite stays fast.
@Suite struct PartitionedStatsScaleTests {
    static let ticks = ProcessInfo.processInfo.environment["DESYNC_STATS_SCALE"].flatMap(Int.init)

    /// The process's peak resident memory in KiB (VmHWM).
    static func peakKiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
    }

    @Test(.enabled(if: ticks != nil))
    func peakMemoryAtScale() throws {
        let total = Self.ticks ?? 0
        let part = 1_000_000
        let directory = try PartitionedStatsTests.folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var stats = try PartitionedStats(directory: directory, eventTypes: 3)
        let start = Date()
        var done = 0
        var seed: UInt64 = 1
        while done < total {
            let n = min(part, total - done)
            try stats.add(PartitionedStatsTests.ticks(n, .heavyTies, seed: seed))
            done += n
            seed += 1
        }
        let added = Date()
        let beforeFinish = Self.peakKiB()
        // Writing 5 to clear_refs resets the peak, so the next reading is
        // the peak of `finish` alone (over what the process already held).
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        let out = try stats.finish()
        let finished = Date()
        print(
            "PartitionedStats \(total) ticks in \(seed - 1) parts: "
                + "add \(added.timeIntervalSince(start)) s, "
                + "finish \(finished.timeIntervalSince(added)) s, peak RSS before finish "
                + "\(beforeFinish / 1024) MiB, during finish \(Self.peakKiB() / 1024) MiB; "
                + "overall p95 \(out.stats[0].p95 ?? .nan), spearman loss "
                + "\(out.stats[0].spearmanLoss ?? .nan)")
        #expect(out.stats[0].tally.ticks == Int64(total))
    }
}
