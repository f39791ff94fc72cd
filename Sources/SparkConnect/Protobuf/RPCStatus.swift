/// `google.rpc.Status` from the `grpc-status-details-bin` trailer, with the
/// `google.rpc.ErrorInfo` details Spark attaches to every error.
///
/// Spark puts its error class, SQL state and message parameters into the
/// `ErrorInfo` metadata map under `errorClass`, `sqlState` and
/// `messageParameters`; `reason` holds the JVM exception class.
struct RPCStatus {
    var code: Int64 = 0
    var message = ""
    /// `ErrorInfo.reason`, for Spark the exception class name.
    var reason: String?
    /// `ErrorInfo.metadata`.
    var metadata: [String: String] = [:]

    static let errorInfoTypeURL = "type.googleapis.com/google.rpc.ErrorInfo"

    init(decoding bytes: ArraySlice<UInt8>) throws(SparkConnectError) {
        var reader = ProtoReader(bytes)
        while let field = try reader.next() {
            switch field.number {
            case 1: code = try field.value.integer()
            case 2: message = try field.value.string()
            case 3: try decodeDetail(field.value.data())
            default: continue
            }
        }
    }

    /// One `google.protobuf.Any`: type_url 1, value 2.
    private mutating func decodeDetail(_ bytes: ArraySlice<UInt8>) throws(SparkConnectError) {
        var reader = ProtoReader(bytes)
        var typeURL = ""
        var value: ArraySlice<UInt8> = []
        while let field = try reader.next() {
            switch field.number {
            case 1: typeURL = try field.value.string()
            case 2: value = try field.value.data()
            default: continue
            }
        }
        guard typeURL == Self.errorInfoTypeURL else { return }
        try decodeErrorInfo(value)
    }

    /// `ErrorInfo`: reason 1, domain 2, metadata 3 (map entries: key 1, value 2).
    private mutating func decodeErrorInfo(_ bytes: ArraySlice<UInt8>) throws(SparkConnectError) {
        var reader = ProtoReader(bytes)
        while let field = try reader.next() {
            switch field.number {
            case 1: reason = try field.value.string()
            case 3:
                var entry = ProtoReader(try field.value.data())
                var key = ""
                var value = ""
                while let part = try entry.next() {
                    if part.number == 1 { key = try part.value.string() }
                    if part.number == 2 { value = try part.value.string() }
                }
                metadata[key] = value
            default: continue
            }
        }
    }
}
