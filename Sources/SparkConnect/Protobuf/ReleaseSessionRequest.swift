/// `spark.connect.ReleaseSessionRequest`: ends a server session and frees
/// its executions, temporary views and settings (field numbers from Spark
/// 4.x `base.proto`).
struct ReleaseSessionRequest {
    var sessionID: String
    var userID: String
    var userName: String
    var clientType: String

    /// The message in protobuf wire format.
    func encoded() -> [UInt8] {
        var writer = ProtoWriter()
        writer.string(1, sessionID)
        writer.message(2) { user in
            user.string(1, userID)
            user.string(2, userName)
        }
        writer.string(3, clientType)
        return writer.bytes
    }
}
