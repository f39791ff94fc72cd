import Desync
import Foundation

enum RunCommand {
    static let spec = CommandSpec(
        name: "run",
        summary: "Read both streams, validate, join, compute the de-sync metrics and summaries,"
            + " persist every table, and print the summaries.",
        usage: "desync run --input DIR [--db URL] [options]",
        options: [
            OptionSpec(
                "--input", value: "DIR",
                "folder holding player_events.jsonl and server_state.jsonl (or .csv)"),
            OptionSpec("--player-events", value: "FILE", "the client stream, instead of --input"),
            OptionSpec("--server-state", value: "FILE", "the server stream, instead of --input"),
            OptionSpec(
                "--db", value: "URL", default: "sqlite:desync.db",
                "where to write: sqlite:PATH, postgresql://user@host:port/db or libpq key=value"),
            OptionSpec(
                "--mode", value: "MODE", default: "replace",
                "replace the tables' contents, or append this batch (same input replaces its batch)"
            ),
            OptionSpec(
                "--max-reject-rate", value: "R", default: "0.05",
                "fail the run when more than this fraction of a stream's rows is rejected"),
            OptionSpec(
                "--max-line-bytes", value: "N", default: "65536",
                "lines longer than this are rejected (line_too_long)"),
            OptionSpec(
                "--threshold", value: "D", default: "1.0",
                "a tick is de-synced when its distance is above this (world units)"),
            OptionSpec(
                "--ping-bands", value: "LOW,MEDIUM", default: "50,150",
                "ping (ms) below LOW is low, below MEDIUM medium, else high"),
            OptionSpec(
                "--input-format", value: "FORMAT", default: "auto",
                "auto (by file extension: .csv is CSV, else JSON Lines), jsonl or csv"),
            OptionSpec(
                "--window", value: "DURATION", default: "60s",
                "width of the desync_by_window windows: a number with ms, s, m or h"),
            OptionSpec(
                "--join", value: "MODE", default: "exact",
                "exact (same microsecond, the notebook's) or nearest (nearest in time per player)"),
            OptionSpec(
                "--tolerance-ms", value: "MS", default: "25",
                "with --join nearest: the largest client-server time gap of a pair"
                    + " (half a 50 ms tick)"),
            OptionSpec(
                "--correct-clock-offset",
                "with --join nearest: estimate each session's clock offset and shift client"
                    + " times by it first"),
            OptionSpec(
                "--format", value: "FORMAT", default: "text",
                "text or json (one document on stdout)"),
            OptionSpec(
                "--partitions", value: "N", default: "auto",
                "split the input into N partitions spilled to disk (bounded memory); auto:"
                    + " in memory up to 1 GiB of input, one partition per 384 MiB above"),
            OptionSpec(
                "--temp-dir", value: "DIR",
                "where a partitioned run spills (default $TMPDIR or /tmp); needs about half"
                    + " the input's size"),
            OptionSpec("--engine", value: "ENGINE", default: "embedded", "embedded or spark"),
            OptionSpec(
                "--spark-remote", value: "URL", default: "sc://127.0.0.1:15002",
                "Spark Connect server, with --engine spark"),
            ReportCommand.runOption,
        ],
        run: run)

    static func configuration(_ args: ParsedArguments) throws -> RunConfiguration {
        let formatText = args.string("--input-format")!
        let inputFormat: TelemetryFormat?
        if formatText == "auto" {
            inputFormat = nil
        } else if let format = TelemetryFormat(rawValue: formatText) {
            inputFormat = format
        } else {
            throw DesyncError(
                .usage,
                "--input-format must be auto, jsonl or csv, got"
                    + " '\(TerminalText.escaped(formatText))'")
        }
        let playerEvents: String
        let serverState: String
        if let input = args.string("--input") {
            guard !args.has("--player-events"), !args.has("--server-state") else {
                throw DesyncError(
                    .usage,
                    "give either --input DIR or --player-events FILE --server-state FILE, not both")
            }
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isFolder) else {
                throw DesyncError(
                    .input,
                    "input folder '\(TerminalText.escaped(input))' does not exist; create data with"
                        + " desync generate --out \(TerminalText.escaped(input))")
            }
            guard isFolder.boolValue else {
                throw DesyncError(
                    .input,
                    "--input '\(TerminalText.escaped(input))' is a file; give its folder, or name the"
                        + " files with --player-events FILE --server-state FILE")
            }
            // An --input-format names the files to look for; auto takes
            // JSON Lines, or CSV when there are no JSON Lines files.
            let order: [TelemetryFormat] = inputFormat.map { [$0] } ?? [.jsonl, .csv]
            let names =
                order.map { Generator.fileNames($0) }.first {
                    FileManager.default.fileExists(atPath: input + "/" + $0.events)
                        || FileManager.default.fileExists(atPath: input + "/" + $0.states)
                } ?? Generator.fileNames(order[0])
            playerEvents = input + "/" + names.events
            serverState = input + "/" + names.states
            let missing = [playerEvents, serverState].filter {
                !FileManager.default.fileExists(atPath: $0)
            }
            guard missing.isEmpty else {
                throw DesyncError(
                    .input,
                    "folder '\(TerminalText.escaped(input))' lacks "
                        + missing.map { TerminalText.escaped(($0 as NSString).lastPathComponent) }
                        .joined(separator: " and ")
                        + "; it must hold both streams as player_events.jsonl and"
                        + " server_state.jsonl, or as .csv (desync generate --out DIR writes them)")
            }
        } else {
            guard let p = args.string("--player-events"), let s = args.string("--server-state")
            else {
                throw DesyncError(
                    .usage,
                    "--input DIR is required (or --player-events FILE --server-state FILE);"
                        + " for example: desync run --input ../shared/fixtures/multi-50k")
            }
            playerEvents = p
            serverState = s
        }
        var config = RunConfiguration(
            playerEventsPath: playerEvents, serverStatePath: serverState,
            store: try StoreLocation(args.string("--db")!))
        config.inputFormat = inputFormat
        let modeText = args.string("--mode")!
        guard let mode = WriteMode(rawValue: modeText) else {
            throw DesyncError(
                .usage, "--mode must be replace or append, got '\(TerminalText.escaped(modeText))'")
        }
        config.mode = mode
        let rate = try args.double("--max-reject-rate")!
        guard (0...1).contains(rate) else {
            throw DesyncError(
                .usage, "--max-reject-rate must be a fraction in 0...1, for example 0.05")
        }
        config.maxRejectRate = rate
        if args.string("--partitions")! != "auto" {
            config.partitions = try args.integer("--partitions", range: 1...4096)
        }
        config.tempDirectory = args.string("--temp-dir")
        config.validation.maxLineBytes = try args.integer(
            "--max-line-bytes", range: 64...(1 << 30))!
        config.analysis.threshold = try args.double("--threshold")!
        guard config.analysis.threshold >= 0 else {
            throw DesyncError(
                .usage,
                "--threshold is a distance and cannot be negative; for example --threshold 1.0")
        }
        let bands = args.string("--ping-bands")!.split(separator: ",").map {
            Int32($0.trimmingCharacters(in: .whitespaces))
        }
        guard bands.count == 2, let low = bands[0], let medium = bands[1], 0 < low, low < medium
        else {
            throw DesyncError(
                .usage,
                "--ping-bands expects two increasing whole numbers of ms, for example 50,150")
        }
        config.analysis.pingBands = (low, medium)
        config.analysis.window = try DurationText.microseconds(
            args.string("--window")!, option: "--window")
        config.join = try joinOptions(args)
        return config
    }

    static func joinOptions(_ args: ParsedArguments) throws -> JoinOptions {
        var join = JoinOptions()
        let text = args.string("--join")!
        guard let mode = JoinMode(rawValue: text) else {
            throw DesyncError(
                .usage, "--join must be exact or nearest, got '\(TerminalText.escaped(text))'")
        }
        join.mode = mode
        if mode == .exact {
            for option in ["--tolerance-ms", "--correct-clock-offset"] where args.has(option) {
                throw DesyncError(
                    .usage, "\(option) applies to the nearest join; add --join nearest")
            }
        }
        let tolerance = try args.double("--tolerance-ms")!
        guard tolerance >= 0, tolerance <= 86_400_000 else {
            throw DesyncError(
                .usage, "--tolerance-ms expects milliseconds from 0 to 86400000, for example 25")
        }
        join.toleranceMicroseconds = Int64((tolerance * 1000).rounded())
        join.correctClockOffset = args.has("--correct-clock-offset")
        return join
    }

    static func run(_ args: ParsedArguments, _ console: inout Console) throws {
        let format = args.string("--format")!
        guard format == "text" || format == "json" else {
            throw DesyncError(
                .usage, "--format must be text or json, got '\(TerminalText.escaped(format))'")
        }
        let engine = args.string("--engine")!
        guard engine == "embedded" || engine == "spark" else {
            throw DesyncError(
                .usage, "--engine must be embedded or spark, got '\(TerminalText.escaped(engine))'")
        }
        let config = try configuration(args)
        if engine == "spark" {
            let csv = [config.playerEventsPath, config.serverStatePath].contains {
                (config.inputFormat ?? TelemetryFormat(path: $0)) == .csv
            }
            guard !csv else {
                throw DesyncError(
                    .usage,
                    "--engine spark reads JSON Lines only; use --engine embedded for CSV input,"
                        + " or write JSON Lines (desync generate --output-format jsonl)")
            }
            guard !args.has("--partitions") && !args.has("--temp-dir") else {
                throw DesyncError(
                    .usage,
                    "--partitions and --temp-dir are for --engine embedded; Spark partitions"
                        + " the data itself")
            }
            guard config.join.mode == .exact else {
                throw DesyncError(
                    .usage,
                    "the Spark engine joins exactly; --join nearest needs --engine embedded")
            }
            let runID = try sparkRun(args, config, &console)
            try writeReport(args, config, runID: runID, console)
            return
        }
        let logger = CLI.logger(args, console)
        let progress = ProgressLine(console: console, enabled: !args.has("--quiet"))
        var observer = RunObserver()
        observer.progress = { stage, done, total in
            progress.update(
                stage.rawValue, done: done, total: total, unit: stage == .read ? "bytes" : "rows")
        }
        observer.stageFinished = { stage, seconds, metadata in
            progress.clear()
            logger.info(
                "stage", [("stage", stage.rawValue), ("seconds", fixed(seconds, 3))] + metadata)
        }
        logger.info("run", [("db", config.store.display), ("mode", config.mode.rawValue)])
        let result: RunResult
        do {
            result = try Pipeline(configuration: config, logger: logger, observer: observer).run()
        } catch {
            progress.clear()
            // A run that failed its checks still has a ledger; scripts that
            // asked for JSON get it on stdout, the error stays on stderr.
            if format == "json", let ledger = (error as? DesyncError)?.ledger {
                console.out(RunReport.failureJSON(ledger, store: config.store.display) + "\n")
            }
            throw error
        }
        progress.clear()
        if format == "json" {
            console.out(RunReport.json(result) + "\n")
        } else {
            console.out(RunReport.text(result))
        }
        if let hint = joinHint(result.ledger, config), !args.has("--quiet") {
            console.err("desync run: warning: \(hint)\n")
        }
        try writeReport(args, config, runID: result.ledger.runID, console)
    }

    /// A hint when the exact join paired less than half of the rows it
    /// could have: the usual cause is clocks or ticks that do not line up,
    /// which the nearest join handles.
    static func joinHint(_ ledger: Ledger, _ config: RunConfiguration) -> String? {
        guard config.join.mode == .exact else { return nil }
        let possible = min(
            ledger.accepted[.playerEvents, default: 0], ledger.accepted[.serverState, default: 0])
        guard possible > 0, ledger.joined * 2 < possible else { return nil }
        return
            "the exact join paired only \(ledger.joined) of \(possible) possible rows; if client and"
            + " server clocks or ticks do not line up, try --join nearest --correct-clock-offset"
    }

    /// `--report FILE`: the HTML report of the run just made. Its summary
    /// line joins the text output; JSON output stays one document.
    static func writeReport(
        _ args: ParsedArguments, _ config: RunConfiguration, runID: String, _ console: Console
    ) throws {
        guard let path = args.string("--report") else { return }
        let logger = CLI.logger(args, console)
        let loader = ReportLoader(store: try config.store.open(logger: logger))
        let summary = try ReportCommand.write(loader, runID: runID, to: path, logger: logger)
        if args.string("--format") == "text" { console.out(summary + "\n") }
    }
}
