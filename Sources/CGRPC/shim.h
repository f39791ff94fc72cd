// Shim for gRPC core's C API (Debian libgrpc-dev 1.51).
//
// Swift cannot import the slice macros or build the unions inside grpc_op
// comfortably, so the few helpers desync needs live here as static inline
// functions. The C API is meant for language bindings and changes between
// releases: keep to what Debian ships.
#ifndef DESYNC_CGRPC_SHIM_H
#define DESYNC_CGRPC_SHIM_H

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/slice.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>
#include <stdint.h>
#include <string.h>

/// First byte of a slice (GRPC_SLICE_START_PTR).
static inline const uint8_t *desync_grpc_slice_start(const grpc_slice *slice) {
    return GRPC_SLICE_START_PTR(*slice);
}

/// Length of a slice in bytes (GRPC_SLICE_LENGTH).
static inline size_t desync_grpc_slice_length(const grpc_slice *slice) {
    return GRPC_SLICE_LENGTH(*slice);
}

/// An insecure channel to `target` whose largest accepted message is
/// `max_receive_bytes` (gRPC's default is 4 MiB).
static inline grpc_channel *desync_grpc_insecure_channel(const char *target,
                                                         int max_receive_bytes) {
    grpc_arg args[1];
    args[0].type = GRPC_ARG_INTEGER;
    args[0].key = (char *)GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH;
    args[0].value.integer = max_receive_bytes;
    grpc_channel_args channel_args = {1, args};
    grpc_channel_credentials *creds = grpc_insecure_credentials_create();
    if (creds == NULL) {
        return NULL;
    }
    grpc_channel *channel = grpc_channel_create(target, creds, &channel_args);
    grpc_channel_credentials_release(creds);
    return channel;
}

/// A client call of `method` on `channel` whose events go to `queue`.
static inline grpc_call *desync_grpc_create_call(grpc_channel *channel,
                                                 grpc_completion_queue *queue,
                                                 const char *method,
                                                 gpr_timespec deadline) {
    grpc_slice method_slice = grpc_slice_from_copied_string(method);
    grpc_call *call = grpc_channel_create_call(channel, NULL, GRPC_PROPAGATE_DEFAULTS, queue,
                                               method_slice, NULL, deadline, NULL);
    grpc_slice_unref(method_slice);
    return call;
}

/// A byte buffer holding a copy of `length` bytes at `bytes`.
static inline grpc_byte_buffer *desync_grpc_byte_buffer_copy(const void *bytes,
                                                             size_t length) {
    grpc_slice slice = grpc_slice_from_copied_buffer((const char *)bytes, length);
    grpc_byte_buffer *buffer = grpc_raw_byte_buffer_create(&slice, 1);
    grpc_slice_unref(slice);
    return buffer;
}

/// A deadline `millis` milliseconds from now on the monotonic clock.
static inline gpr_timespec desync_grpc_deadline_after_millis(int64_t millis) {
    return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                        gpr_time_from_millis(millis, GPR_TIMESPAN));
}

/// Fills `ops[0..3]` with: send empty initial metadata, send `message`,
/// close from the client, receive the initial metadata into `initial`.
static inline void desync_grpc_ops_start_unary(grpc_op ops[4], grpc_byte_buffer *message,
                                               grpc_metadata_array *initial) {
    memset(ops, 0, sizeof(grpc_op) * 4);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[0].data.send_initial_metadata.count = 0;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    ops[1].data.send_message.send_message = message;
    ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[3].data.recv_initial_metadata.recv_initial_metadata = initial;
}

/// Fills `op` with: receive one message into `*message` (NULL at the end).
static inline void desync_grpc_op_recv_message(grpc_op *op, grpc_byte_buffer **message) {
    memset(op, 0, sizeof(grpc_op));
    op->op = GRPC_OP_RECV_MESSAGE;
    op->data.recv_message.recv_message = message;
}

/// Fills `op` with: receive the final status, its details and the trailers.
static inline void desync_grpc_op_recv_status(grpc_op *op, grpc_metadata_array *trailers,
                                              grpc_status_code *status,
                                              grpc_slice *details,
                                              const char **error_string) {
    memset(op, 0, sizeof(grpc_op));
    op->op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    op->data.recv_status_on_client.trailing_metadata = trailers;
    op->data.recv_status_on_client.status = status;
    op->data.recv_status_on_client.status_details = details;
    op->data.recv_status_on_client.error_string = error_string;
}

/// Copies a whole byte buffer into one slice (caller unrefs it).
static inline int desync_grpc_byte_buffer_read_all(grpc_byte_buffer *buffer,
                                                   grpc_slice *out) {
    grpc_byte_buffer_reader reader;
    if (!grpc_byte_buffer_reader_init(&reader, buffer)) {
        return 0;
    }
    *out = grpc_byte_buffer_reader_readall(&reader);
    grpc_byte_buffer_reader_destroy(&reader);
    return 1;
}

#endif
