import Foundation

/// Writes `player_events.jsonl` and `server_state.jsonl` into a folder.
public struct Generator: Sendable {
    public var options: GenerateOptions

    public init(options: GenerateOptions) {
        self.options = options
    }

    public static let playerEventsFile = "player_events.jsonl"
    public static let serverStateFile = "server_state.jsonl"

    /// Generates both streams; `progress` gets the ticks written so far.
    public func write(to folder: String, progress: (Int64) -> Void = { _ in }) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw DesyncError(
                .output, "cannot create output folder '\(folder)'",
                cause: error.localizedDescription)
        }
        let events = try JSONLinesWriter(path: folder + "/" + Self.playerEventsFile)
        let states = try JSONLinesWriter(path: folder + "/" + Self.serverStateFile)
        switch options.profile {
        case .notebook:
            try NotebookSimulator(options: options).generate(
                events: events, states: states, progress: progress)
        case .realistic:
            try RealisticSimulator(options: options).generate(
                events: events, states: states, progress: progress)
        }
        try events.flush()
        try states.flush()
    }
}
