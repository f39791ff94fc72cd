/// One command-line option: its name, what it takes, its default and help.
/// Commands list their options in a table; parsing, `--help` and the
/// "did you mean" hints all read that table.
public struct OptionSpec: Sendable {
    public var name: String
    /// The placeholder for the value (`DIR`, `N`), or nil for a flag.
    public var value: String?
    /// Shown in `--help`; nil when the option has no default.
    public var defaultValue: String?
    public var help: String

    public init(
        _ name: String, value: String? = nil, default defaultValue: String? = nil, _ help: String
    ) {
        self.name = name
        self.value = value
        self.defaultValue = defaultValue
        self.help = help
    }

    public var isFlag: Bool { value == nil }
}

/// A subcommand: its name, a one-line summary, its options and its body.
public struct CommandSpec: Sendable {
    public var name: String
    public var summary: String
    public var usage: String
    public var options: [OptionSpec]
    /// Positional arguments allowed (name for help), if any.
    public var positional: String?
    public var run: @Sendable (ParsedArguments, inout Console) throws -> Void

    public init(
        name: String, summary: String, usage: String, options: [OptionSpec],
        positional: String? = nil,
        run: @escaping @Sendable (ParsedArguments, inout Console) throws -> Void
    ) {
        self.name = name
        self.summary = summary
        self.usage = usage
        self.options = options + CommandSpec.common
        self.positional = positional
        self.run = run
    }

    static let common: [OptionSpec] = [
        OptionSpec("--quiet", "no progress or logs on stderr"),
        OptionSpec("--verbose", "log each stage with its duration and row counts on stderr"),
        OptionSpec("--help", "show this help"),
    ]

    public var help: String {
        var lines = ["usage: \(usage)", "", summary, "", "options:"]
        let width = options.map { optionLabel($0).count }.max() ?? 0
        for option in options {
            let label = optionLabel(option)
            var line =
                "  " + label + String(repeating: " ", count: width - label.count + 2) + option.help
            if let d = option.defaultValue { line += " (default: \(d))" }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func optionLabel(_ option: OptionSpec) -> String {
        option.value.map { "\(option.name) \($0)" } ?? option.name
    }
}
