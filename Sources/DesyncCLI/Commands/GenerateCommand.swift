import Desync

enum GenerateCommand {
    static let spec = CommandSpec(
        name: "generate",
        summary: "Simulate the two telemetry streams (player_events.jsonl, server_state.jsonl)"
            + " into a folder. The same seed gives byte-identical files.",
        usage: "desync generate --out DIR [options]",
        options: [
            OptionSpec("--out", value: "DIR", "folder to write the two streams into (required)"),
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
        ],
        run: run)

    static func run(_ args: ParsedArguments, _ console: inout Console) throws {
        guard let out = args.string("--out") else {
            throw DesyncError(.usage, "desync generate needs --out DIR, for example --out data")
        }
        var options = GenerateOptions()
        let profileName = args.string("--profile")!
        guard let profile = SimulationProfile(rawValue: profileName) else {
            throw DesyncError(
                .usage,
                "--profile must be notebook or realistic, got '\(TerminalText.escaped(profileName))'")
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

        let progress = ProgressLine(console: console, enabled: !args.has("--quiet"))
        let total = options.totalTicks
        let logger = CLI.logger(args)
        let t0 = DispatchTime.now().uptimeNanoseconds
        try Generator(options: options).write(to: out) { done in
            progress.update("generate", done: done, total: total, unit: "ticks")
        }
        progress.clear()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        logger.info(
            "generate", [("ticks", "\(total)"), ("seconds", fixed(seconds, 3)), ("out", out)])
        console.out(
            "wrote \(total) ticks (\(profile.rawValue) profile, seed \(seed)) to"
                + " \(TerminalText.cell(out))/\(Generator.playerEventsFile) and"
                + " \(Generator.serverStateFile)\n")
    }
}

import Dispatch
