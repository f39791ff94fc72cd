import CGRPC
import Foundation

/// A Spark Connect client bound to one server session.
///
/// Every client makes a new session id (a UUID), so temporary views created
/// by ``execute(_:)`` are visible to later calls of the same client and to
/// nobody else. Calls are synchronous and may be made from one thread at a
/// time (the type is not `Sendable`).
///
/// ```swift
/// let spark = try SparkConnectClient(remote: "sc://127.0.0.1:15002")
/// try spark.execute("CREATE TEMPORARY VIEW v AS SELECT 1 AS one")
/// let table = try spark.sql("SELECT one FROM v")
/// ```
public final class SparkConnectClient {
    /// The server address.
    public let remote: SparkRemote
    /// The Spark session this client uses; a lowercase UUID.
    public let sessionID: String
    /// How long one call may take before it fails with `.timeout`.
    public let timeout: Duration

    private let userID: String
    private let channel: GRPCChannel
    private var released = false
    private static let executePlanMethod = "/spark.connect.SparkConnectService/ExecutePlan"
    private static let releaseSessionMethod =
        "/spark.connect.SparkConnectService/ReleaseSession"
    private static let clientType = "desync-swift"

    /// Connects lazily to `remote` (`sc://host:port`): nothing is sent until
    /// the first call, which fails with `.unreachable` if no server answers.
    ///
    /// - Parameters:
    ///   - userID: Spark's user id for the session (default: `$USER` or "desync").
    ///   - timeout: deadline of each call (default 30 minutes: a whole job
    ///     can run inside one command).
    ///   - maxMessageBytes: largest response message accepted.
    public init(
        remote: String, userID: String? = nil, timeout: Duration = .seconds(1800),
        maxMessageBytes: Int32 = 256 * 1024 * 1024
    ) throws(SparkConnectError) {
        let parsed = try SparkRemote(parsing: remote)
        self.remote = parsed
        self.sessionID = UUID().uuidString.lowercased()
        self.timeout = timeout
        self.userID =
            userID ?? parsed.userID ?? ProcessInfo.processInfo.environment["USER"] ?? "desync"
        self.channel = try GRPCChannel(target: parsed.target, maxReceiveBytes: maxMessageBytes)
    }

    /// Runs a query and returns its rows.
    public func sql(_ query: String) throws(SparkConnectError) -> ArrowTable {
        var table = ArrowTable(columns: [])
        try executePlan(.query(query), sql: query) { response throws(SparkConnectError) in
            guard let batch = response.arrowBatch else { return }
            let part = try ArrowStreamReader.read(batch)
            guard part.rowCount == Int(response.arrowRowCount) else {
                throw SparkConnectError(
                    .arrow,
                    "Arrow batch holds \(part.rowCount) rows, Spark announced "
                        + "\(response.arrowRowCount)")
            }
            try table.append(part)
        }
        return table
    }

    /// Runs a statement with side effects (DDL, `INSERT`, `SET`, ...) at once.
    public func execute(_ command: String) throws(SparkConnectError) {
        try executePlan(.command(command), sql: command) { _ throws(SparkConnectError) in }
    }

    /// Ends the server session: its temporary views and settings are
    /// dropped and later calls of this client fail. Waits at most
    /// `timeout`; a second call does nothing. Sessions that are never
    /// released expire on the server after its idle timeout.
    public func close(timeout: Duration = .seconds(10)) throws(SparkConnectError) {
        guard !released else { return }
        released = true
        let request = ReleaseSessionRequest(
            sessionID: sessionID, userID: userID, userName: userID, clientType: Self.clientType)
        let call = try GRPCCall(
            channel: channel, method: Self.releaseSessionMethod,
            timeoutMillis: Self.milliseconds(timeout))
        let status = try call.serverStreaming(request: request.encoded()) {
            _ throws(SparkConnectError) in
        }
        guard status.code == GRPCStatus.Code.ok else {
            throw mapError(status, sql: "(release session \(sessionID))")
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000
            + duration.components.attoseconds / 1_000_000_000_000_000
    }

    private func executePlan(
        _ plan: ExecutePlanRequest.Plan, sql: String,
        onResponse: (ExecutePlanResponse) throws(SparkConnectError) -> Void
    ) throws(SparkConnectError) {
        let request = ExecutePlanRequest(
            sessionID: sessionID, userID: userID, userName: userID,
            operationID: UUID().uuidString.lowercased(), clientType: Self.clientType, plan: plan)
        let call = try GRPCCall(
            channel: channel, method: Self.executePlanMethod,
            timeoutMillis: Self.milliseconds(timeout))
        let status = try call.serverStreaming(request: request.encoded()) {
            bytes throws(SparkConnectError) in
            try onResponse(ExecutePlanResponse(decoding: bytes[...]))
        }
        guard status.code == GRPCStatus.Code.ok else {
            throw mapError(status, sql: sql)
        }
    }

    /// Turns a failed call's status into our error, reading Spark's
    /// `ErrorInfo` from the `grpc-status-details-bin` trailer when present.
    func mapError(_ status: GRPCStatus, sql: String) -> SparkConnectError {
        let statement = Self.abbreviate(sql)
        switch status.code {
        case GRPCStatus.Code.unavailable:
            return SparkConnectError(
                .unreachable,
                "cannot reach Spark Connect at \(remote): \(status.details); start the server "
                    + "(scripts/start-spark-connect.sh) or check --spark-remote",
                grpcStatus: status.code)
        case GRPCStatus.Code.deadlineExceeded:
            return SparkConnectError(
                .timeout,
                "Spark Connect at \(remote) did not finish within \(timeout) running: "
                    + statement,
                grpcStatus: status.code)
        case GRPCStatus.Code.unimplemented:
            return SparkConnectError(
                .versionMismatch,
                "the server at \(remote) does not implement \(Self.executePlanMethod) "
                    + "(\(status.details)); it needs Spark Connect from Spark 3.5 or newer "
                    + "(tested with 4.3.0)",
                grpcStatus: status.code)
        default:
            break
        }
        var details: RPCStatus?
        if let bytes = status.trailer("grpc-status-details-bin") {
            details = try? RPCStatus(decoding: bytes[...])
        }
        let errorClass = details?.metadata["errorClass"]
        let reason = details?.reason.map { " [\($0)]" } ?? ""
        let text = details?.message.isEmpty == false ? details!.message : status.details
        return SparkConnectError(
            .server, "Spark failed\(reason): \(text); statement: \(statement)",
            errorClass: errorClass, sqlState: details?.metadata["sqlState"],
            grpcStatus: status.code)
    }

    /// The first 300 characters of a statement, on one line, for messages.
    private static func abbreviate(_ sql: String) -> String {
        let oneLine = sql.split(whereSeparator: \.isNewline).map {
            $0.trimmingCharacters(in: .whitespaces)
        }.joined(separator: " ")
        return oneLine.count > 300 ? String(oneLine.prefix(300)) + "..." : oneLine
    }
}
