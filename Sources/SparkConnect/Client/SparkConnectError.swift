/// The one error type of the Spark Connect client: a code callers can match,
/// a message that says what went wrong and what to do, Spark's own error
/// class and SQL state when the server sent them, and the underlying cause.
///
/// Messages pass through ``SparkRedaction`` before they are stored, so a
/// password written in a JDBC option or a URL never reaches a log.
public struct SparkConnectError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; stable across releases.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The `sc://` URL could not be parsed.
        public static let invalidRemote = Code("invalid_remote")
        /// Nothing answered at the remote address.
        public static let unreachable = Code("unreachable")
        /// The call did not finish before its deadline.
        public static let timeout = Code("timeout")
        /// The server does not speak the Spark Connect version we send.
        public static let versionMismatch = Code("version_mismatch")
        /// Spark ran the request and reported an error (see `errorClass`).
        public static let server = Code("server")
        /// gRPC failed in a way not covered above.
        public static let transport = Code("transport")
        /// A protobuf message could not be decoded.
        public static let protocolViolation = Code("protocol")
        /// Arrow data could not be decoded or uses an unsupported type.
        public static let arrow = Code("arrow")
        /// A query returned a result of an unexpected shape.
        public static let unexpectedResult = Code("unexpected_result")
    }

    public let code: Code
    /// What went wrong and what to do, with secrets redacted.
    public let message: String
    /// Spark's error class, for example `TABLE_OR_VIEW_NOT_FOUND`.
    public let errorClass: String?
    /// Spark's SQLSTATE, for example `42P01`.
    public let sqlState: String?
    /// The gRPC status code, when the failure came from a call.
    public let grpcStatus: Int?
    /// The error this one wraps, if any.
    public let cause: (any Error & Sendable)?

    public init(
        _ code: Code, _ message: String, errorClass: String? = nil, sqlState: String? = nil,
        grpcStatus: Int? = nil, cause: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = SparkRedaction.redact(message)
        self.errorClass = errorClass
        self.sqlState = sqlState
        self.grpcStatus = grpcStatus
        self.cause = cause
    }

    public var description: String {
        var text = "spark connect [\(code)]"
        if let errorClass { text += " \(errorClass)" }
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        text += ": \(message)"
        if let cause { text += " (cause: \(SparkRedaction.redact(String(describing: cause))))" }
        return text
    }
}
