import Desync
import Foundation

extension TestPostgres {
    /// The test server's URL, or nil (recording a failure in CI, where a
    /// missing server must not pass silently).
    public static func urlOrFail(_ record: (String) -> Void) -> String? {
        guard let url else {
            if required {
                record(
                    "DESYNC_TEST_PG is not set: CI must start PostgreSQL (scripts/start-postgres.sh)"
                )
            }
            return nil
        }
        return url
    }

    /// Creates an empty database on the server of `url` and returns its
    /// URL, so a test's tables are its own while other suites run.
    public static func freshDatabase(_ url: String) throws -> String {
        let name = "robust_" + UUID().uuidString.prefix(8).lowercased()
        _ = try StoreLocation(url).open().query("CREATE DATABASE \(name)")
        return replacingDatabase(in: url, with: name)
    }

    /// `postgresql://...:port/old?x` with another database name.
    public static func replacingDatabase(in url: String, with name: String) -> String {
        let query = url.firstIndex(of: "?").map { String(url[$0...]) } ?? ""
        let base = url.firstIndex(of: "?").map { String(url[..<$0]) } ?? url
        let scheme = base.range(of: "://")!.upperBound
        let slash = base[scheme...].firstIndex(of: "/") ?? base.endIndex
        return String(base[..<slash]) + "/" + name + query
    }
}

/// A PostgreSQL server of the test's own, started with
/// `scripts/start-postgres.sh`, for tests that restart it: restarting the
/// shared server would cut the connections of suites running in parallel.
public final class PrivatePostgres {
    /// A URI holding the password, for this process.
    public let url: String
    /// Without the password; give `environment` to child processes.
    public let publicURL: String
    public let environment: [String: String]
    let data: String
    let bin: String

    static var scripts: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/scripts"
    }

    public init() throws {
        let envFile = temporaryFolder("robust-pg") + "/pg.env"
        let started = ChildProcess.run("/bin/bash", [Self.scripts + "/start-postgres.sh", envFile])
        guard started.code == 0 else {
            throw DesyncError(.database, "start-postgres.sh failed", cause: started.err)
        }
        var values: [String: String] = [:]
        for line in try String(contentsOfFile: envFile, encoding: .utf8).split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            values[String(line[..<eq])] = String(line[line.index(after: eq)...])
                .trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        }
        guard let uri = values["DESYNC_TEST_PG"], let password = values["PGPASSWORD"],
            let data = values["DESYNC_PG_DATA"], let bin = values["DESYNC_PG_BIN"]
        else { throw DesyncError(.database, "start-postgres.sh wrote no settings") }
        publicURL = uri
        url = uri.replacingOccurrences(of: "postgres@", with: "postgres:\(password)@")
        environment = ["PGPASSWORD": password]
        self.data = data
        self.bin = bin
    }

    /// `pg_ctl` as the server's owner (the postgres user when we are root).
    func pgCtl(_ arguments: [String]) -> (code: Int32, out: String, err: String) {
        let ctl = [bin + "/pg_ctl", "-D", data + "/db"] + arguments
        if getuid() == 0 {
            return ChildProcess.run("/usr/sbin/runuser", ["-u", "postgres", "--"] + ctl)
        }
        return ChildProcess.run(ctl[0], Array(ctl.dropFirst()))
    }

    /// Restarts the server (`-m fast`: every session is cut at once) and
    /// waits until it accepts connections again.
    public func restart() -> (code: Int32, out: String, err: String) {
        pgCtl(["-l", data + "/server.log", "-m", "fast", "-w", "-t", "60", "restart"])
    }

    public func stop() {
        _ = ChildProcess.run("/bin/bash", [Self.scripts + "/stop-postgres.sh", data])
    }
}
