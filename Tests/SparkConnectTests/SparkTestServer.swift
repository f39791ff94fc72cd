import Foundation
import SparkConnect
import Testing

/// Where the integration tests find a Spark Connect server.
///
/// `DESYNC_SPARK_REMOTE=sc://127.0.0.1:PORT` points at a running server
/// (start one with `scripts/start-spark-connect.sh`). Without it the tests
/// are skipped locally, but fail when `CI=true`: CI must never pass by
/// silently skipping Spark.
enum SparkTestServer {
    static let environment = ProcessInfo.processInfo.environment
    static let remote = environment["DESYNC_SPARK_REMOTE"].flatMap { $0.isEmpty ? nil : $0 }
    static let isCI = environment["CI"] == "true"

    /// True when the integration tests should run (and then pass or fail).
    static let enabled = remote != nil || isCI

    static let skipReason = Comment(
        rawValue: "Spark integration tests skipped: set DESYNC_SPARK_REMOTE="
            + "sc://127.0.0.1:PORT (start a server with scripts/start-spark-connect.sh)")

    struct NotConfigured: Error, CustomStringConvertible {
        var description: String {
            "CI=true but DESYNC_SPARK_REMOTE is not set: start Spark Connect with "
                + "scripts/start-spark-connect.sh and export the URL it prints"
        }
    }

    /// A client on its own session, or a failure when CI has no server.
    static func client() throws -> SparkConnectClient {
        guard let remote else { throw NotConfigured() }
        return try SparkConnectClient(remote: remote, timeout: .seconds(600))
    }
}
