import CGRPC

/// Process-wide start of gRPC core. `grpc_init` is called once, the first
/// time a channel is made; gRPC is never shut down (the process exit does it).
enum GRPCRuntime {
    private static let started: Bool = {
        grpc_init()
        return true
    }()

    /// Makes sure gRPC core is initialised.
    static func start() {
        _ = started
    }
}
