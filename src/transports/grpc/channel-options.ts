import type { ChannelOptions } from '@grpc/grpc-js';

/**
 * The grpc-js options of every server and client of the sidecar: the message size limit both ways, and
 * no channelz — nothing serves it, and its per-call bookkeeping costs a few percent of each call.
 */
export function grpcOptions(maxMessageBytes: number): ChannelOptions {
  return { 'grpc.max_receive_message_length': maxMessageBytes, 'grpc.max_send_message_length': maxMessageBytes, 'grpc.enable_channelz': 0 };
}

/**
 * The options of the sidecar's gRPC servers: grpcOptions, and at most 1,000 concurrent streams per
 * connection (HTTP/2's default is unbounded; each stream may hold a message of up to the size limit).
 */
export function grpcServerOptions(maxMessageBytes: number): ChannelOptions {
  return { ...grpcOptions(maxMessageBytes), 'grpc.max_concurrent_streams': 1_000 };
}
