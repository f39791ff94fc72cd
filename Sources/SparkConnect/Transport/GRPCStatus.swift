import CGRPC

/// The end of a gRPC call: status code, details text and trailers.
struct GRPCStatus: Sendable {
    /// gRPC status codes used by the client (see grpc/status.h).
    enum Code {
        static let ok = 0
        static let cancelled = 1
        static let unknown = 2
        static let deadlineExceeded = 4
        static let unimplemented = 12
        static let `internal` = 13
        static let unavailable = 14
    }

    var code: Int
    var details: String
    /// gRPC core's own description of a local failure, if any.
    var errorString: String?
    var trailers: [(key: String, value: [UInt8])]

    /// The first trailer named `key`.
    func trailer(_ key: String) -> [UInt8]? {
        trailers.first { $0.key == key }?.value
    }
}
