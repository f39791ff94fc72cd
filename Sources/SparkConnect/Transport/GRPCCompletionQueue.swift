import CGRPC

/// Owner of one `grpc_completion_queue` (polled with `next`). The queue is
/// shut down, drained and destroyed in `deinit`.
final class GRPCCompletionQueue {
    let handle: OpaquePointer

    init() throws(SparkConnectError) {
        GRPCRuntime.start()
        guard let handle = grpc_completion_queue_create_for_next(nil) else {
            throw SparkConnectError(.transport, "gRPC could not create a completion queue")
        }
        self.handle = handle
    }

    /// Waits for the next event until `deadline`.
    func next(deadline: gpr_timespec) -> grpc_event {
        grpc_completion_queue_next(handle, deadline, nil)
    }

    deinit {
        grpc_completion_queue_shutdown(handle)
        while grpc_completion_queue_next(handle, gpr_inf_future(GPR_CLOCK_REALTIME), nil).type
            != GRPC_QUEUE_SHUTDOWN
        {}
        grpc_completion_queue_destroy(handle)
    }
}
