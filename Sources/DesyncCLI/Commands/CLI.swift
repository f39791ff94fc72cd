import Desync
import Foundation

/// The `desync` command line: a table of subcommands, each with a table of
/// options. `main` returns the process exit code.
public enum CLI {
    static var commands: [CommandSpec] {
        [GenerateCommand.spec, RunCommand.spec, RunsCommand.spec, ShowCommand.spec]
            + extraCommands
    }

    /// Commands contributed by other files (report, ...), kept apart so
    /// that adding one does not touch this table.
    static var extraCommands: [CommandSpec] { [ReportCommand.spec] }

    static let topHelp: String = {
        var lines = [
            "desync: measure how far game clients drift from the authoritative server.",
            "",
            "usage: desync <command> [options]",
            "",
            "commands:",
        ]
        for c in commands {
            // Summaries wrap under their own column rather than being cut.
            var line = "  " + c.name.padding(toLength: 10, withPad: " ", startingAt: 0)
            for word in c.summary.split(separator: " ") {
                if line.count + word.count + 1 > 96 && line.count > 12 {
                    lines.append(line)
                    line = String(repeating: " ", count: 12)
                }
                line += (line.hasSuffix(" ") ? "" : " ") + word
            }
            lines.append(line)
        }
        lines.append("")
        lines.append("Run desync <command> --help for the options of a command and their defaults.")
        return lines.joined(separator: "\n") + "\n"
    }()

    public static func main(_ arguments: [String], console: Console = .standard) -> Int32 {
        var console = console
        guard let first = arguments.first else {
            console.err(topHelp)
            return 64
        }
        if first == "--help" || first == "-h" || first == "help" {
            console.out(topHelp)
            return 0
        }
        if first == "--version" {
            console.out("desync \(version)\n")
            return 0
        }
        guard let command = commands.first(where: { $0.name == first }) else {
            let names = commands.map(\.name)
            let best = names.min {
                ArgumentParser.editDistance($0, first) < ArgumentParser.editDistance($1, first)
            }!
            let hint =
                ArgumentParser.editDistance(best, first) <= 2 ? "did you mean '\(best)'? " : ""
            console.err(
                "desync: unknown command '\(TerminalText.escaped(first))'; \(hint)commands are:"
                    + " \(names.joined(separator: ", ")) (see desync --help)\n")
            return 64
        }
        _ = signalSources
        do {
            let parsed = try ArgumentParser.parse(Array(arguments.dropFirst()), for: command)
            if parsed.has("--help") {
                console.out(command.help)
                return 0
            }
            try command.run(parsed, &console)
            return 0
        } catch let error as DesyncError {
            console.err("desync \(command.name): \(error.description)\n")
            return error.exitCode
        } catch {
            console.err("desync \(command.name): \(error)\n")
            return 70
        }
    }

    public static let version = "0.1.0"

    /// The logger a command's flags ask for, writing to `console`'s stderr
    /// when one is given.
    static func logger(_ args: ParsedArguments, _ console: Console? = nil) -> Logger {
        let level: Logger.Level =
            args.has("--verbose") ? .info : args.has("--quiet") ? .error : .warning
        guard let console else { return Logger(level: level) }
        return Logger(level: level) { console.err($0) }
    }

    /// Ctrl-C and `kill` end the process with status 128 + signal, as before,
    /// after removing a partitioned run's temporary files. The store's
    /// open transaction needs nothing: SQLite rolls it back from its
    /// journal, PostgreSQL when the connection drops. Installed once per
    /// process, on first use (`nonisolated(unsafe)`: the lazy initializer
    /// runs once and nothing writes the array after).
    nonisolated(unsafe) private static let signalSources: [any DispatchSourceSignal] = [
        SIGINT, SIGTERM, SIGHUP,
    ].compactMap { signalNumber in
        // A signal the parent ignores (SIGINT for a shell's background
        // job) stays ignored.
        let previous = signal(signalNumber, SIG_IGN)
        if let previous,
            unsafeBitCast(previous, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
        {
            return nil
        }
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
        source.setEventHandler {
            TemporaryFolders.removeAll()
            _exit(128 + signalNumber)
        }
        source.resume()
        return source
    }
}
