import DesyncTestSupport
import Foundation

@testable import Desync

/// Generates realistic data once per configuration and reads it back with
/// the project's own reader, pairing ticks through the simulator's truth.
struct RealisticRun {
    var options: GenerateOptions
    var folder: String
    var dimensions = Dimensions()
    var events: StreamInput
    var states: StreamInput
    var truth: [String: Any]

    init(_ configure: (inout GenerateOptions) -> Void = { _ in }) throws {
        var options = GenerateOptions()
        options.profile = .realistic
        options.sessions = 3
        options.players = 4
        options.ticks = 1500
        options.seed = 7
        configure(&options)
        self.options = options
        folder = temporaryFolder("realistic")
        try Generator(options: options).write(to: folder)
        let reader = StreamReader()
        var dimensions = Dimensions()
        let names = Generator.fileNames(options.outputFormat)
        events = try reader.read(
            .playerEvents, path: folder + "/" + names.events, dimensions: &dimensions)
        states = try reader.read(
            .serverState, path: folder + "/" + names.states, dimensions: &dimensions)
        self.dimensions = dimensions
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/truth.json"))
        truth = try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    var sessionsTruth: [[String: Any]] { truth["sessions"] as! [[String: Any]] }
    var totals: [String: Int] { truth["totals"] as! [String: Int] }

    /// The true clock offset of each session id (µs).
    var offsets: [String: Int64] {
        Dictionary(
            uniqueKeysWithValues: sessionsTruth.map {
                ($0["session_id"] as! String, Int64($0["clock_offset_us"] as! Int))
            })
    }

    /// The tick a timestamp belongs to, after removing a clock offset.
    func tick(_ time: Int64, offset: Int64 = 0) -> Int64 {
        let step = Int64(options.tickMilliseconds) * 1000
        let t = time - offset - options.start.microseconds
        return Int64((Double(t) / Double(step)).rounded())
    }

    /// Client and server rows of the same tick, paired with the true
    /// clock offsets: (event row, state row).
    func truePairs() -> [(Int, Int)] {
        let offsets = self.offsets
        var byKey: [String: Int] = [:]
        let s = states.states
        for i in 0..<s.count {
            byKey["\(s.session[i])/\(s.player[i])/\(tick(s.timestamp[i]))"] = i
        }
        let e = events.events
        var pairs: [(Int, Int)] = []
        for i in 0..<e.count {
            let session = dimensions.sessions.values[Int(e.session[i])]
            let key =
                "\(e.session[i])/\(e.player[i])/\(tick(e.timestamp[i], offset: offsets[session]!))"
            if let j = byKey[key] { pairs.append((i, j)) }
        }
        return pairs
    }

    func distance(_ pair: (Int, Int)) -> Double {
        let e = events.events
        let s = states.states
        let dx = e.x[pair.0] - s.x[pair.1]
        let dy = e.y[pair.0] - s.y[pair.1]
        let dz = e.z[pair.0] - s.z[pair.1]
        return (dx * dx + dy * dy + dz * dz).squareRoot()
    }
}

func mean(_ values: [Double]) -> Double {
    values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
}
