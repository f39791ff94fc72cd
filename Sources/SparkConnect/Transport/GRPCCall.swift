import CGRPC

/// Owner of one client `grpc_call` and its completion queue: a unary request
/// followed by a stream of responses (gRPC "server streaming").
///
/// Each step is one batch on the queue, waited for before the next starts:
/// send metadata + message + close and receive initial metadata; receive
/// messages until an empty one; receive the status and trailers. Memory
/// handed to a batch is allocated here and freed only after the batch ends.
final class GRPCCall {
    private let queue: GRPCCompletionQueue
    private let handle: OpaquePointer
    private let channel: GRPCChannel
    private let timeoutMillis: Int64
    private var finished = false

    init(channel: GRPCChannel, method: String, timeoutMillis: Int64) throws(SparkConnectError) {
        let queue = try GRPCCompletionQueue()
        let deadline = desync_grpc_deadline_after_millis(timeoutMillis)
        guard let handle = desync_grpc_create_call(channel.handle, queue.handle, method, deadline)
        else {
            throw SparkConnectError(.transport, "gRPC could not create a call to \(method)")
        }
        self.queue = queue
        self.handle = handle
        self.channel = channel
        self.timeoutMillis = timeoutMillis
    }

    deinit {
        if !finished { grpc_call_cancel(handle, nil) }
        grpc_call_unref(handle)
    }

    /// Sends `request`, hands every response message to `onMessage` in order,
    /// and returns the final status. A status other than OK is returned, not
    /// thrown: the caller maps it. Errors thrown by `onMessage` cancel the call.
    func serverStreaming(
        request: [UInt8], onMessage: ([UInt8]) throws(SparkConnectError) -> Void
    ) throws(SparkConnectError) -> GRPCStatus {
        precondition(!finished, "a GRPCCall is used once")
        var sent = false
        do {
            sent = try sendRequest(request)
            while sent, let message = try receiveMessage() {
                try onMessage(message)
            }
        } catch {
            grpc_call_cancel(handle, nil)
            _ = try? receiveStatus()
            finished = true
            throw error
        }
        let status = try receiveStatus()
        finished = true
        return status
    }

    /// Batch 1. Returns false when the call already failed (the status says why).
    private func sendRequest(_ request: [UInt8]) throws(SparkConnectError) -> Bool {
        guard
            let message = request.withUnsafeBytes({ raw in
                desync_grpc_byte_buffer_copy(raw.baseAddress, raw.count)
            })
        else {
            throw SparkConnectError(.transport, "gRPC could not allocate the request buffer")
        }
        defer { grpc_byte_buffer_destroy(message) }
        let initial = UnsafeMutablePointer<grpc_metadata_array>.allocate(capacity: 1)
        grpc_metadata_array_init(initial)
        let ops = UnsafeMutablePointer<grpc_op>.allocate(capacity: 4)
        defer {
            grpc_metadata_array_destroy(initial)
            initial.deallocate()
            ops.deallocate()
        }
        desync_grpc_ops_start_unary(ops, message, initial)
        return try runBatch(ops, count: 4, step: "send the request")
    }

    /// One response message, or nil at the end of the stream.
    private func receiveMessage() throws(SparkConnectError) -> [UInt8]? {
        let buffer = UnsafeMutablePointer<UnsafeMutablePointer<grpc_byte_buffer>?>.allocate(
            capacity: 1)
        buffer.initialize(to: nil)
        let op = UnsafeMutablePointer<grpc_op>.allocate(capacity: 1)
        defer {
            if let received = buffer.pointee { grpc_byte_buffer_destroy(received) }
            buffer.deallocate()
            op.deallocate()
        }
        desync_grpc_op_recv_message(op, buffer)
        guard try runBatch(op, count: 1, step: "receive a message"), let received = buffer.pointee
        else {
            return nil
        }
        var slice = grpc_slice()
        guard desync_grpc_byte_buffer_read_all(received, &slice) != 0 else {
            throw SparkConnectError(.transport, "gRPC could not read a received message")
        }
        defer { grpc_slice_unref(slice) }
        let start = desync_grpc_slice_start(&slice)
        let length = desync_grpc_slice_length(&slice)
        guard let start, length > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: start, count: length))
    }

    /// Last batch: status, details and trailers.
    private func receiveStatus() throws(SparkConnectError) -> GRPCStatus {
        let trailers = UnsafeMutablePointer<grpc_metadata_array>.allocate(capacity: 1)
        grpc_metadata_array_init(trailers)
        let code = UnsafeMutablePointer<grpc_status_code>.allocate(capacity: 1)
        code.initialize(to: GRPC_STATUS_UNKNOWN)
        let details = UnsafeMutablePointer<grpc_slice>.allocate(capacity: 1)
        details.initialize(to: grpc_empty_slice())
        let errorString = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: 1)
        errorString.initialize(to: nil)
        let op = UnsafeMutablePointer<grpc_op>.allocate(capacity: 1)
        defer {
            grpc_metadata_array_destroy(trailers)
            grpc_slice_unref(details.pointee)
            if let text = errorString.pointee { gpr_free(UnsafeMutableRawPointer(mutating: text)) }
            trailers.deallocate()
            code.deallocate()
            details.deallocate()
            errorString.deallocate()
            op.deallocate()
        }
        desync_grpc_op_recv_status(op, trailers, code, details, errorString)
        guard try runBatch(op, count: 1, step: "receive the status") else {
            throw SparkConnectError(.transport, "gRPC failed to receive the call's status")
        }
        var pairs: [(key: String, value: [UInt8])] = []
        for index in 0..<trailers.pointee.count {
            var entry = trailers.pointee.metadata[index]
            pairs.append((Self.string(&entry.key), Self.bytes(&entry.value)))
        }
        return GRPCStatus(
            code: Int(code.pointee.rawValue),
            details: Self.string(details),
            errorString: errorString.pointee.map { String(cString: $0) },
            trailers: pairs)
    }

    /// Starts a batch and waits for it; returns the batch's success flag.
    private func runBatch(_ ops: UnsafeMutablePointer<grpc_op>, count: Int, step: String)
        throws(SparkConnectError) -> Bool
    {
        let tag = UnsafeMutableRawPointer(ops)
        let started = grpc_call_start_batch(handle, ops, count, tag, nil)
        guard started == GRPC_CALL_OK else {
            throw SparkConnectError(
                .transport, "gRPC refused to \(step) (grpc_call_error \(started.rawValue))")
        }
        // The call has its own deadline, so the batch always completes; the
        // extra margin only guards against a stuck library.
        let margin = desync_grpc_deadline_after_millis(timeoutMillis + 30_000)
        var event = queue.next(deadline: margin)
        if event.type == GRPC_QUEUE_TIMEOUT {
            grpc_call_cancel(handle, nil)
            event = queue.next(deadline: gpr_inf_future(GPR_CLOCK_MONOTONIC))
        }
        guard event.type == GRPC_OP_COMPLETE, event.tag == tag else {
            throw SparkConnectError(
                .transport, "gRPC completion queue failed while trying to \(step)")
        }
        return event.success != 0
    }

    private static func string(_ slice: UnsafeMutablePointer<grpc_slice>) -> String {
        String(decoding: bytes(slice), as: UTF8.self)
    }

    private static func bytes(_ slice: UnsafeMutablePointer<grpc_slice>) -> [UInt8] {
        let length = desync_grpc_slice_length(slice)
        guard length > 0, let start = desync_grpc_slice_start(slice) else { return [] }
        return Array(UnsafeBufferPointer(start: start, count: length))
    }
}
