import Desync

/// The options a command was given, after checking them against its table.
public struct ParsedArguments: Sendable {
    public var values: [String: String] = [:]
    public var flags: Set<String> = []
    public var positional: [String] = []
    let spec: CommandSpec

    init(spec: CommandSpec) {
        self.spec = spec
    }

    /// The option's value, or its default from the table.
    public func string(_ name: String) -> String? {
        values[name] ?? spec.options.first { $0.name == name }?.defaultValue
    }

    public func has(_ name: String) -> Bool { flags.contains(name) || values[name] != nil }

    public func integer(_ name: String, range: ClosedRange<Int> = 0...Int.max) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            // The table's default is the best example; else the smallest
            // value above the lower bound.
            let example =
                spec.options.first { $0.name == name }?.defaultValue ?? "\(range.lowerBound + 1)"
            throw DesyncError(
                .usage,
                "\(name) expects a whole number in \(range.lowerBound)...\(range.upperBound),"
                    + " got '\(TerminalText.escaped(text))'; for example \(name) \(example)")
        }
        return value
    }

    public func double(_ name: String) throws -> Double? {
        guard let text = string(name) else { return nil }
        guard let value = Double(text), value.isFinite else {
            throw DesyncError(
                .usage, "\(name) expects a number, got '\(TerminalText.escaped(text))'")
        }
        return value
    }
}

/// Parses `--name value`, `--name=value` and flags against a command's
/// option table.
enum ArgumentParser {
    static func parse(_ arguments: [String], for spec: CommandSpec) throws -> ParsedArguments {
        var parsed = ParsedArguments(spec: spec)
        var i = 0
        while i < arguments.count {
            let argument = arguments[i]
            i += 1
            guard argument.hasPrefix("-"), argument != "-" else {
                guard spec.positional != nil else {
                    throw DesyncError(
                        .usage,
                        "unexpected argument '\(TerminalText.escaped(argument))' for desync"
                            + " \(spec.name); see desync \(spec.name) --help")
                }
                parsed.positional.append(argument)
                continue
            }
            var name = argument
            var inline: String? = nil
            if let eq = argument.firstIndex(of: "=") {
                name = String(argument[..<eq])
                inline = String(argument[argument.index(after: eq)...])
            }
            guard let option = spec.options.first(where: { $0.name == name }) else {
                throw DesyncError(.usage, unknownOption(name, in: spec))
            }
            guard parsed.values[name] == nil, !parsed.flags.contains(name) else {
                throw DesyncError(
                    .usage, "\(name) is given twice; give it once (see desync \(spec.name) --help)")
            }
            if option.isFlag {
                guard inline == nil else {
                    throw DesyncError(.usage, "\(name) takes no value; write just \(name)")
                }
                parsed.flags.insert(name)
            } else {
                let value: String
                if let inline {
                    value = inline
                } else {
                    guard i < arguments.count else {
                        throw DesyncError(
                            .usage,
                            "\(name) needs a value: \(name) \(option.value!)"
                                + (option.defaultValue.map { " (default \($0))" } ?? ""))
                    }
                    value = arguments[i]
                    i += 1
                }
                parsed.values[name] = value
            }
        }
        if parsed.flags.contains("--quiet") && parsed.flags.contains("--verbose") {
            throw DesyncError(.usage, "--quiet and --verbose contradict each other; choose one")
        }
        return parsed
    }

    /// "unknown option --tick; did you mean --ticks?"
    static func unknownOption(_ name: String, in spec: CommandSpec) -> String {
        let safe = TerminalText.escaped(name)
        let best = spec.options.map { ($0.name, editDistance($0.name, name)) }.min { $0.1 < $1.1 }
        if let best, best.1 <= max(2, name.count / 3) {
            return "unknown option \(safe) for desync \(spec.name); did you mean \(best.0)?"
                + " (see desync \(spec.name) --help)"
        }
        return "unknown option \(safe) for desync \(spec.name); see desync \(spec.name) --help"
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(
                    previous[j] + 1, current[j - 1] + 1,
                    previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
