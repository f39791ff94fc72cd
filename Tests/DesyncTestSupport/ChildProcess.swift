import Foundation
import Synchronization

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

extension DesyncBinary {
    /// A folder of input written by `desync generate` (once per process
    /// and size): `sessions` × 5 players × 1000 ticks, or with `small`
    /// one session of 2 players × 500 ticks (1000 rows a stream).
    public static func generated(sessions: Int, small: Bool = false) -> String {
        generatedInputs.withLock { folders in
            let key = small ? 0 : sessions
            if let folder = folders[key] { return folder }
            let folder = temporaryFolder("robust-input")
            let shape =
                small
                ? ["--sessions", "1", "--players", "2", "--ticks", "500"]
                : ["--sessions", "\(sessions)", "--players", "5", "--ticks", "1000"]
            let r = ChildProcess.desync(["generate", "--out", folder, "--quiet"] + shape)
            precondition(r.code == 0, "desync generate failed: \(r.err)")
            folders[key] = folder
            return folder
        }
    }

    private static let generatedInputs = Mutex<[Int: String]>([:])
}

/// A child process with its output in files (pipes could fill up and
/// stall it), so it can run long and be killed at any moment. Spawned
/// with `posix_spawn` and reaped with `waitpid`: Foundation's `Process`
/// can miss a child's end when tests start processes from several threads.
public final class ChildProcess: @unchecked Sendable {
    let executable: String
    let arguments: [String]
    let environment: [String: String]
    private let outPath: String
    private let errPath: String
    public private(set) var pid: pid_t = 0
    private var status: Int32?

    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        let folder = temporaryFolder("desync-child")
        outPath = folder + "/stdout"
        errPath = folder + "/stderr"
    }

    public func start() throws {
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        // Default signal actions in the child, as a shell gives them: the
        // test process may ignore SIGINT and SIGTERM (CLI.main, run in
        // process by other tests, hands them to a handler), and ignored
        // signals would stay ignored across exec.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&defaults, signalNumber) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL)
        }
    }

    /// True until the child has ended (it is reaped here when it has).
    public var isRunning: Bool {
        guard status == nil else { return false }
        var raw: Int32 = 0
        guard waitpid(pid, &raw, WNOHANG) == pid else { return true }
        status = Self.decode(raw)
        return false
    }

    /// Waits for the end; returns the exit code, or 128 + the signal.
    @discardableResult
    public func wait() -> Int32 {
        if let status { return status }
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        let decoded = Self.decode(raw)
        status = decoded
        return decoded
    }

    /// Signals the child, unless it was already reaped (its pid may then
    /// belong to another process).
    public func kill(_ signal: Int32 = SIGKILL) {
        guard status == nil else { return }
        _ = Glibc.kill(pid, signal)
    }

    static func decode(_ raw: Int32) -> Int32 {
        let signal = raw & 0x7F
        return signal == 0 ? (raw >> 8) & 0xFF : 128 + signal
    }

    /// `desync` with these arguments.
    public convenience init(desync arguments: [String], environment: [String: String] = [:]) {
        self.init(DesyncBinary.path, arguments, environment: environment)
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
    [
        "Fatal error", "Stack dump", "Current stack trace", "Illegal instruction",
        "Segmentation fault",
        "Trace/breakpoint",
    ].contains { text.contains($0) }
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
