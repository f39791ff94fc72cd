import CGRPC

/// Owner of one insecure `grpc_channel` to `host:port`. Connections are
/// made lazily by the first call; the channel is destroyed in `deinit`.
final class GRPCChannel {
    let handle: OpaquePointer
    /// `host:port`, for messages.
    let target: String

    /// - Parameter maxReceiveBytes: the largest message accepted; Arrow
    ///   batches can exceed gRPC's 4 MiB default.
    init(target: String, maxReceiveBytes: Int32) throws(SparkConnectError) {
        GRPCRuntime.start()
        guard let handle = desync_grpc_insecure_channel(target, maxReceiveBytes) else {
            throw SparkConnectError(.transport, "gRPC could not create a channel to \(target)")
        }
        self.handle = handle
        self.target = target
    }

    deinit {
        grpc_channel_destroy(handle)
    }
}
