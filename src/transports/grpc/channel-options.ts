import type { ChannelOptions } from '@grpc/grpc-js';

/**
 * The grpc-js options of every server and client of the sidecar: the message size limit both ways, and
 * no channelz — nothing serves it, and its per-call bookkeeping costs a few percent of each call.
 */
export function grpcOptions(maxMessageBytes: number): ChannelOptions {
  return { 'grpc.max_receive_message_length': maxMessageBytes, 'grpc.max_send_message_length': maxMessageBytes, 'grpc.enable_channelz': 0 };
}
