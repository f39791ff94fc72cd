import Foundation

/// A small leveled logger writing `key=value` lines to stderr.
///
/// The library never prints; it takes a `Logger` from its caller, and the
/// command line decides the level (`--quiet`, `--verbose`). stdout carries
/// results only, so output pipes cleanly.
public struct Logger: Sendable {
    public enum Level: Int, Comparable, Sendable {
        case debug = 0, info, warning, error, silent
        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public var level: Level
    /// Where finished lines go: stderr unless the caller says otherwise
    /// (the command line passes its console, tests a capture).
    public var sink: @Sendable (String) -> Void

    public init(
        level: Level = .warning,
        sink: @escaping @Sendable (String) -> Void = {
            FileHandle.standardError.write(Data($0.utf8))
        }
    ) {
        self.level = level
        self.sink = sink
    }

    public static let silent = Logger(level: .silent)

    public func log(_ level: Level, _ event: String, _ metadata: [(String, String)] = []) {
        guard level >= self.level, self.level != .silent else { return }
        var line = "level=\(level) event=\(event)"
        for (key, value) in metadata {
            line += " \(key)=\(Logger.quoted(value))"
        }
        sink(line + "\n")
    }

    public func debug(_ event: String, _ metadata: [(String, String)] = []) {
        log(.debug, event, metadata)
    }

    public func info(_ event: String, _ metadata: [(String, String)] = []) {
        log(.info, event, metadata)
    }

    public func warning(_ event: String, _ metadata: [(String, String)] = []) {
        log(.warning, event, metadata)
    }

    /// Quotes a value when it holds spaces, quotes or control characters,
    /// and escapes those characters so a log line stays one inert line.
    static func quoted(_ value: String) -> String {
        let needsQuotes =
            value.isEmpty
            || value.unicodeScalars.contains {
                $0 == " " || $0 == "\"" || $0 == "=" || $0.value < 0x20 || $0.value == 0x7F
            }
        guard needsQuotes else { return value }
        return "\"" + TerminalText.escaped(value) + "\""
    }
}
