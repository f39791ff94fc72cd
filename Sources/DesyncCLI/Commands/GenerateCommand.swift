import Desync

enum GenerateCommand {
    static let spec = CommandSpec(
        name: "generate",
        summary: "Simulate the two telemetry streams (player_events.jsonl, server_state.jsonl)"
            + " into a folder. The same seed gives byte-identical files. The realistic profile"
            + " also writes truth.json and takes the model options listed after --seed"
            + " (docs/SIMULATION.md explains them).",
        usage: "desync generate --out DIR [options]",
        options: [
            OptionSpec("--out", value: "DIR", "folder to write the two streams into (required)"),
            OptionSpec("--force", "replace stream files already in --out (refused otherwise)"),
            OptionSpec(
                "--profile", value: "NAME", default: "notebook",
                "telemetry model: notebook (the original producer) or realistic"),
            OptionSpec("--sessions", value: "N", default: "10", "game sessions"),
            OptionSpec("--players", value: "N", default: "5", "players per session"),
            OptionSpec("--ticks", value: "N", default: "1000", "ticks per player"),
            OptionSpec("--tick-ms", value: "MS", default: "50", "milliseconds per tick"),
            OptionSpec(
                "--start", value: "TIME", default: "2025-10-28T00:00:00",
                "time of the first tick (ISO-8601; no zone means UTC)"),
            OptionSpec("--seed", value: "N", default: "42", "random seed"),
            OptionSpec(
                "--output-format", value: "FORMAT", default: "jsonl",
                "jsonl (the notebook's format) or csv (a header row, RFC 4180)"),
        ] + realisticOptions,
        run: run)

    static func run(_ args: ParsedArguments, _ console: inout Console) throws {
        guard let out = args.string("--out") else {
            throw DesyncError(.usage, "--out DIR is required, for example --out data")
        }
        var options = GenerateOptions()
        let profileName = args.string("--profile")!
        guard let profile = SimulationProfile(rawValue: profileName) else {
            throw DesyncError(
                .usage,
                "--profile must be notebook or realistic, got '\(TerminalText.escaped(profileName))'"
            )
        }
        options.profile = profile
        options.sessions = try args.integer("--sessions", range: 1...1_000_000)!
        options.players = try args.integer("--players", range: 1...10_000)!
        options.ticks = try args.integer("--ticks", range: 1...1_000_000_000)!
        options.tickMilliseconds = try args.integer("--tick-ms", range: 1...3_600_000)!
        guard let seedText = args.string("--seed"), let seed = UInt64(seedText) else {
            throw DesyncError(.usage, "--seed expects a whole number ≥ 0, for example --seed 7")
        }
        options.seed = seed
        let startText = args.string("--start")!
        guard let start = Timestamp.parse(startText) else {
            throw DesyncError(
                .usage,
                "--start expects an ISO-8601 time such as 2025-10-28T00:00:00Z, got"
                    + " '\(TerminalText.escaped(startText))'")
        }
        options.start = start
        let formatText = args.string("--output-format")!
        guard let format = TelemetryFormat(rawValue: formatText) else {
            throw DesyncError(
                .usage,
                "--output-format must be jsonl or csv, got '\(TerminalText.escaped(formatText))'")
        }
        options.outputFormat = format
        options.realistic = try realistic(args)
        if profile == .notebook, let knob = Self.realisticNames.first(where: { args.has($0) }) {
            throw DesyncError(
                .usage, "\(knob) applies to --profile realistic only; add --profile realistic")
        }

        let progress = ProgressLine(console: console, enabled: !args.has("--quiet"))
        let total = options.totalTicks
        let logger = CLI.logger(args, console)
        let t0 = DispatchTime.now().uptimeNanoseconds
        try Generator(options: options, overwrite: args.has("--force")).write(to: out) { done in
            progress.update("generate", done: done, total: total, unit: "ticks")
        }
        progress.clear()
        let names = Generator.fileNames(format)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        logger.info(
            "generate", [("ticks", "\(total)"), ("seconds", fixed(seconds, 3)), ("out", out)])
        console.out(
            "wrote \(total) ticks (\(profile.rawValue) profile, seed \(seed)) to"
                + " \(TerminalText.cell(out))/\(names.events) and \(names.states)"
                + (profile == .realistic ? " (ground truth in \(Generator.truthFile))" : "") + "\n")
    }
}

import Dispatch

extension GenerateCommand {
    /// The realistic profile's options: one per knob, defaults taken from
    /// `RealisticOptions()` so help and behaviour cannot disagree.
    static var realisticOptions: [OptionSpec] {
        let defaults = RealisticOptions()
        let lists = [
            OptionSpec(
                "--region-pings", value: "MS,MS,...",
                default: listText(defaults.regionPings),
                "base ping of each region (realistic)"),
            OptionSpec(
                "--region-shares", value: "F,F,...",
                default: listText(defaults.regionShares),
                "share of players in each region; sums to 1 (realistic)"),
        ]
        return lists
            + RealisticOptions.knobs.map {
                OptionSpec(
                    $0.flag, value: $0.placeholder, default: $0.text(defaults),
                    $0.help + " (realistic)")
            }
    }

    static func listText(_ values: [Double]) -> String {
        values.map(RealisticOptions.Knob.format).joined(separator: ",")
    }

    static var realisticNames: [String] {
        ["--region-pings", "--region-shares"] + RealisticOptions.knobs.map(\.flag)
    }

    static func realistic(_ args: ParsedArguments) throws -> RealisticOptions {
        var options = RealisticOptions()
        for knob in RealisticOptions.knobs {
            let text = args.string(knob.flag)!
            guard let value = Double(text), knob.range.contains(value),
                !knob.wholeNumber || value == value.rounded()
            else {
                let what = knob.wholeNumber ? "a whole number" : "a number"
                throw DesyncError(
                    .usage,
                    "\(knob.flag) expects \(what) in \(listText([knob.range.lowerBound]))"
                        + "...\(listText([knob.range.upperBound])), got"
                        + " '\(TerminalText.escaped(text))'")
            }
            knob.set(value, in: &options)
        }
        options.regionPings = try list(args, "--region-pings")
        options.regionShares = try list(args, "--region-shares")
        return try options.validated()
    }

    private static func list(_ args: ParsedArguments, _ name: String) throws -> [Double] {
        let text = args.string(name)!
        let values = text.split(separator: ",").map {
            Double($0.trimmingCharacters(in: .whitespaces))
        }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil && $0!.isFinite }) else {
            throw DesyncError(
                .usage,
                "\(name) expects numbers separated by commas, got '\(TerminalText.escaped(text))'")
        }
        return values.map { $0! }
    }
}
