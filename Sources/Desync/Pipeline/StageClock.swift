import Dispatch

/// Seconds spent per stage, summed over the times a stage runs.
struct StageClock {
    private(set) var timings: [(Stage, Double)] = []

    mutating func time<R>(_ stage: Stage, _ body: () throws -> R) rethrows -> R {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let result = try body()
        add(stage, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        return result
    }

    mutating func add(_ stage: Stage, _ seconds: Double) {
        if let k = timings.firstIndex(where: { $0.0 == stage }) {
            timings[k].1 += seconds
        } else {
            timings.append((stage, seconds))
        }
    }

    func seconds(_ stage: Stage) -> Double {
        timings.first { $0.0 == stage }?.1 ?? 0
    }
}
