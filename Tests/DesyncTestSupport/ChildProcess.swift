import Foundation

/// The built `desync` executable, run in a child process so that tests
/// can kill it, give it another time zone, or run it as another user.
public enum DesyncBinary {
    /// `desync` beside the test bundle (both live in SwiftPM's bin folder),
    /// else the folder `swift build --show-bin-path` names.
    public static let path: String = {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let beside = exe.deletingLastPathComponent().appendingPathComponent("desync").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        let result = ChildProcess.run(
            "/usr/bin/env", ["swift", "build", "--show-bin-path", "--package-path", root.path])
        return result.out.trimmingCharacters(in: .whitespacesAndNewlines) + "/desync"
    }()
}

/// A child process with its output in files (pipes could fill up and
/// stall it), so it can run long and be killed at any moment.
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    private let outPath: String
    private let errPath: String

    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let folder = temporaryFolder("desync-child")
        outPath = folder + "/stdout"
        errPath = folder + "/stderr"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: outPath)
        process.standardError = FileHandle(forWritingAtPath: errPath)
        process.standardInput = FileHandle.nullDevice
    }

    /// `desync` with these arguments.
    public convenience init(desync arguments: [String], environment: [String: String] = [:]) {
        self.init(DesyncBinary.path, arguments, environment: environment)
    }

    public func start() throws { try process.run() }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// Waits for the end; returns the exit code, or 128 + the signal.
    @discardableResult
    public func wait() -> Int32 {
        process.waitUntilExit()
        let status = process.terminationStatus
        return process.terminationReason == .uncaughtSignal ? 128 + status : status
    }

    public var out: String { (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" }
    public var err: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }

    /// Runs to the end and returns the exit code and output.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:]
    ) -> (code: Int32, out: String, err: String) {
        let child = ChildProcess(executable, arguments, environment: environment)
        do { try child.start() } catch { return (127, "", "cannot start \(executable): \(error)") }
        let code = child.wait()
        return (code, child.out, child.err)
    }

    public static func desync(_ arguments: [String], environment: [String: String] = [:])
        -> (code: Int32, out: String, err: String)
    {
        run(DesyncBinary.path, arguments, environment: environment)
    }

    /// Polls `condition` every millisecond until it holds or the child
    /// ends; true when it held while the child still ran.
    public func waitUntil(timeout: Double = 300, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while isRunning && Date() < deadline {
            if condition() { return isRunning }
            usleep(1000)
        }
        return false
    }
}

/// Text that shows a crash rather than a handled error.
public func looksLikeACrash(_ text: String) -> Bool {
    ["Fatal error", "Stack dump", "Current stack trace", "Illegal instruction", "Segmentation fault",
     "Trace/breakpoint"].contains { text.contains($0) }
}

/// A loopback TCP port nothing listens on, checked by connecting to it.
public func closedLoopbackPort() -> UInt16? {
    for _ in 0..<20 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        close(fd)
        guard bound else { continue }
        let port = UInt16(bigEndian: address.sin_port)
        // Now closed: a connection must be refused.
        let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let refused = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(probe, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) != 0
                    && errno == ECONNREFUSED
            }
        }
        close(probe)
        if refused { return port }
    }
    return nil
}
