import Desync

enum RunsCommand {
    static let spec = CommandSpec(
        name: "runs",
        summary: "List past runs from the ledger (pipeline_runs), newest first.",
        usage: "desync runs [--db URL] [--limit N]",
        options: [
            OptionSpec("--db", value: "URL", default: "sqlite:desync.db", "the store to read"),
            OptionSpec("--limit", value: "N", default: "20", "how many runs to list"),
        ],
        run: run)

    static func run(_ args: ParsedArguments, _ console: inout Console) throws {
        let limit = try args.integer("--limit", range: 1...1_000_000)!
        let store = try StoreLocation(args.string("--db")!).openExisting()
        let rows: [[String?]]
        do {
            rows = try store.query(
                "SELECT run_id, status, mode, started_at, finished_at, player_events_read,"
                    + " server_state_read, joined, player_events_rejected + server_state_rejected,"
                    + " message FROM pipeline_runs ORDER BY started_at DESC LIMIT \(limit)")
        } catch let error as DesyncError where error.code == .database {
            throw DesyncError(
                .database,
                "cannot read pipeline_runs from \(store.displayName); has desync run written there"
                    + " yet? (desync run --input DIR --db ...)", cause: error.cause)
        }
        var table = TextTable(
            [
                "run_id", "status", "mode", "started_at", "finished_at", "events_read",
                "states_read",
                "joined", "rejected", "message",
            ],
            numeric: [false, false, false, false, false, true, true, true, true, false])
        for row in rows { table.add(row.map { $0 ?? "" }) }
        console.out(table.render())
    }
}

enum ShowCommand {
    static let spec = CommandSpec(
        name: "show",
        summary: "Print a stored table (any table desync writes).",
        usage: "desync show TABLE [--db URL] [--limit N]",
        options: [
            OptionSpec("--db", value: "URL", default: "sqlite:desync.db", "the store to read"),
            OptionSpec("--limit", value: "N", default: "20", "how many rows to print"),
        ],
        positional: "TABLE",
        run: run)

    static func run(_ args: ParsedArguments, _ console: inout Console) throws {
        let names = Tables.all.map(\.name)
        guard args.positional.count == 1 else {
            throw DesyncError(.usage, "name one table to show: \(names.joined(separator: ", "))")
        }
        guard let spec = Tables.all.first(where: { $0.name == args.positional[0] }) else {
            throw DesyncError(
                .usage,
                "unknown table '\(TerminalText.escaped(args.positional[0]))'; desync writes"
                    + " \(names.joined(separator: ", "))")
        }
        let limit = try args.integer("--limit", range: 1...100_000_000)!
        let store = try StoreLocation(args.string("--db")!).openExisting()
        let columns = spec.columns.map { "\"\($0.name)\"" }.joined(separator: ", ")
        let rows: [[String?]]
        do {
            rows = try store.query("SELECT \(columns) FROM \"\(spec.name)\" LIMIT \(limit)")
        } catch let error as DesyncError where error.code == .database {
            throw DesyncError(
                .database,
                "cannot read \(spec.name) from \(store.displayName); has desync run"
                    + " written there yet?", cause: error.cause)
        }
        var table = TextTable(
            spec.columns.map(\.name),
            numeric: spec.columns.map { [.double, .integer, .bigint].contains($0.type) })
        for row in rows { table.add(row.map { $0 ?? "NULL" }) }
        console.out(table.render())
    }
}
