import Desync
import Foundation

/// Where a command writes. stdout carries results only; progress and logs
/// go to stderr. Tests use a capturing console.
public struct Console: Sendable {
    public var stdoutIsTerminal: Bool
    public var stderrIsTerminal: Bool
    /// When set, output is collected here instead of written (tests).
    let capture: Capture?

    public final class Capture: @unchecked Sendable {
        public var out = ""
        public var err = ""
        public init() {}
    }

    public static var standard: Console {
        Console(
            stdoutIsTerminal: isatty(STDOUT_FILENO) == 1,
            stderrIsTerminal: isatty(STDERR_FILENO) == 1,
            capture: nil)
    }

    /// Collects output; `terminal` makes stderr pass for a terminal, so
    /// tests can see the progress line.
    public static func capturing(_ capture: Capture, terminal: Bool = false) -> Console {
        Console(stdoutIsTerminal: false, stderrIsTerminal: terminal, capture: capture)
    }

    public func out(_ text: String) {
        if let capture {
            capture.out += text
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    public func err(_ text: String) {
        if let capture {
            capture.err += text
        } else {
            FileHandle.standardError.write(Data(text.utf8))
        }
    }
}

/// A one-line progress display on stderr, redrawn at most ten times a
/// second, with a rate and the time left. Silent unless stderr is a
/// terminal and `--quiet` was not given.
final class ProgressLine: @unchecked Sendable {
    private let console: Console
    private let enabled: Bool
    private let lock = NSLock()
    private var lastDraw: UInt64 = 0
    private var started: [String: UInt64] = [:]
    private var drawn = false

    init(console: Console, enabled: Bool) {
        self.console = console
        self.enabled = enabled && console.stderrIsTerminal
    }

    func update(_ label: String, done: Int64, total: Int64, unit: String) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = DispatchTime.now().uptimeNanoseconds
        let t0 = started[label] ?? now
        started[label] = t0
        guard now - lastDraw > 100_000_000 || done >= total else { return }
        lastDraw = now
        let elapsed = Double(now - t0) / 1e9
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var line = "\(label): \(Self.compact(Double(done)))"
        if total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            line += "/\(Self.compact(Double(total))) \(unit) (\(Int(fraction * 100))%)"
            if rate > 0, done < total {
                line +=
                    ", \(Self.compact(rate)) \(unit)/s, \(Int((Double(total - done) / rate).rounded(.up)))s left"
            }
        } else {
            line += " \(unit), \(Self.compact(rate)) \(unit)/s"
        }
        console.err("\r\u{1B}[2K" + line)
        drawn = true
    }

    /// Clears the line before normal output continues.
    func clear() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        if drawn { console.err("\r\u{1B}[2K") }
        drawn = false
    }

    static func compact(_ value: Double) -> String {
        switch value {
        case 1e9...: return String(format: "%.1fG", value / 1e9)
        case 1e6...: return String(format: "%.1fM", value / 1e6)
        case 1e3...: return String(format: "%.1fk", value / 1e3)
        default: return String(format: "%.0f", value)
        }
    }
}
