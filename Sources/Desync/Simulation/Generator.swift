import Foundation

/// Writes `player_events` and `server_state` (`.jsonl` or `.csv`) into a
/// folder, and for the realistic profile `truth.json` beside them.
public struct Generator: Sendable {
    public var options: GenerateOptions
    /// Whether existing stream files in the folder may be replaced. Off by
    /// default: a folder of real telemetry or a test fixture must not be
    /// overwritten by a typo.
    public var overwrite = false

    public init(options: GenerateOptions, overwrite: Bool = false) {
        self.options = options
        self.overwrite = overwrite
    }

    public static let truthFile = TruthWriter.fileName

    /// The two streams' file names in a format.
    public static func fileNames(_ format: TelemetryFormat) -> (events: String, states: String) {
        ("player_events." + format.fileExtension, "server_state." + format.fileExtension)
    }

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
        let names = Self.fileNames(options.outputFormat)
        if !overwrite {
            let existing = [names.events, names.states, Self.truthFile].filter {
                FileManager.default.fileExists(atPath: folder + "/" + $0)
            }
            guard existing.isEmpty else {
                throw DesyncError(
                    .output,
                    "'\(folder)' already holds \(existing.joined(separator: ", ")); nothing was"
                        + " written. Choose another --out folder, or add --force to replace them")
            }
        }
        let events = try TelemetryWriter(
            path: folder + "/" + names.events, format: options.outputFormat)
        let states = try TelemetryWriter(
            path: folder + "/" + names.states, format: options.outputFormat)
        switch options.profile {
        case .notebook:
            try NotebookSimulator(options: options).generate(
                events: events, states: states, progress: progress)
        case .realistic:
            let truth = try TruthWriter(path: folder + "/" + Self.truthFile)
            try RealisticSimulator(options: options).generate(
                events: events, states: states, truth: truth, progress: progress)
        }
        try events.flush()
        try states.flush()
    }
}
