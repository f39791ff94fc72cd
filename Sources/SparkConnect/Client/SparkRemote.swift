/// A Spark Connect address, `sc://host[:port][/;key=value;...]`.
///
/// Only plaintext connections are supported; `use_ssl=true` or a `token`
/// parameter is rejected rather than silently ignored.
public struct SparkRemote: Sendable, Equatable, CustomStringConvertible {
    public static let defaultPort = 15002

    public let host: String
    public let port: Int
    /// `user_id` from the URL parameters, if given.
    public let userID: String?

    public init(host: String, port: Int = SparkRemote.defaultPort, userID: String? = nil) {
        self.host = host
        self.port = port
        self.userID = userID
    }

    /// Parses `sc://host:port`, with optional `/;user_id=...` parameters.
    public init(parsing text: String) throws(SparkConnectError) {
        guard text.hasPrefix("sc://") else {
            throw Self.invalid(text, "it must start with sc://")
        }
        let rest = text.dropFirst(5)
        let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let authority = String(parts[0])
        var userID: String?
        if parts.count > 1 {
            for parameter in parts[1].split(separator: ";") where !parameter.isEmpty {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                let key = String(pair[0])
                let value = pair.count > 1 ? String(pair[1]) : ""
                switch key {
                case "user_id": userID = value
                case "use_ssl" where value.lowercased() == "false": continue
                case "use_ssl", "token":
                    throw Self.invalid(text, "TLS and tokens are not supported yet; use plaintext")
                default: continue
                }
            }
        }
        var host = authority
        var port = Self.defaultPort
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            host = String(authority[..<colon])
            guard let parsed = Int(authority[authority.index(after: colon)...]),
                (1...65535).contains(parsed)
            else {
                throw Self.invalid(text, "the port must be a number from 1 to 65535")
            }
            port = parsed
        }
        guard !host.isEmpty, !host.contains("@") else {
            throw Self.invalid(text, "it needs a host, for example sc://127.0.0.1:15002")
        }
        self.init(host: host, port: port, userID: userID)
    }

    /// `host:port`, as gRPC wants it.
    public var target: String { "\(host):\(port)" }

    public var description: String { "sc://\(host):\(port)" }

    private static func invalid(_ text: String, _ why: String) -> SparkConnectError {
        SparkConnectError(
            .invalidRemote, "cannot use Spark Connect address \(text): \(why) (--spark-remote)")
    }
}
