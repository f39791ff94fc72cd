import Desync
import Foundation

/// `desync report`: one self-contained HTML file with the charts of a run.
enum ReportCommand {
    static let spec = CommandSpec(
        name: "report",
        summary: "Write the HTML report of a run (charts as inline SVG, one file, no network).",
        usage: "desync report --out FILE [--db URL] [--run ID] [options]",
        options: [
            OptionSpec("--out", value: "FILE", "the HTML file to write (required)"),
            OptionSpec("--db", value: "URL", default: "sqlite:desync.db", "the store to read"),
            OptionSpec(
                "--run", value: "ID",
                "the run to show (desync runs lists them); default: the latest"
                    + " successful run"),
            OptionSpec(
                "--min-ticks", value: "N", default: "100",
                "players with fewer ticks are left out of the player ranking"),
            OptionSpec(
                "--sessions", value: "N", default: "3", "worst sessions to draw timelines of"),
        ],
        run: run)

    /// The options `desync run --report FILE` shares with this command.
    static let runOption = OptionSpec(
        "--report", value: "FILE", "also write the run's HTML report (see desync report)")

    static func run(_ args: ParsedArguments, _ console: inout Console) throws {
        guard let out = args.string("--out") else {
            throw DesyncError(
                .usage, "--out FILE is required, for example --out report.html")
        }
        let store = try StoreLocation(args.string("--db")!).openExisting(
            logger: CLI.logger(args, console))
        var loader = ReportLoader(store: store)
        loader.minimumTicks = Int64(try args.integer("--min-ticks", range: 1...1_000_000_000)!)
        loader.sessionCount = try args.integer("--sessions", range: 0...50)!
        let summary = try write(
            loader, runID: args.string("--run"), to: out, logger: CLI.logger(args, console))
        console.out(summary + "\n")
    }

    /// Loads the run, renders the page and writes it atomically (a reader
    /// never sees half a report). Returns a one-line summary.
    static func write(_ loader: ReportLoader, runID: String?, to path: String, logger: Logger)
        throws
        -> String
    {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let data = try loader.load(runID: runID)
        let footer =
            "Made by desync \(CLI.version) at \(Timestamp.now.sqlText.prefix(19)) UTC"
            + " from \(data.store)."
        let html = HTMLReport(data: data, footer: footer).html()
        do {
            try Data(html.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw DesyncError(
                .output, "cannot write the report to '\(TerminalText.escaped(path))'",
                cause: error.localizedDescription)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        logger.info(
            "report",
            [
                ("run", data.run.id), ("out", path), ("bytes", "\(html.utf8.count)"),
                ("seconds", fixed(seconds, 3)),
            ])
        return "wrote \(TerminalText.cell(path)) (run \(TerminalText.cell(data.run.id)),"
            + " \(html.utf8.count / 1024) KiB)"
    }
}
