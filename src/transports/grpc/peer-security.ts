import type { ChannelCredentials, ChannelOptions, ServerCredentials, ServerUnaryCall } from '@grpc/grpc-js';
import type { SecureClientSessionOptions } from 'node:http2';
import type { Caller } from '../../core/invocation/types.js';

/** What TLS proved about a call's peer (grpc-js's AuthContext). */
export type PeerAuth = ReturnType<ServerUnaryCall<unknown, unknown>['getAuthContext']>;

/** The sidecar a call is meant for. */
export interface PeerTarget {
  appId: string;
  namespace: string;
}

/**
 * mTLS between sidecars as the internal transport needs it (src/security provides it when --enable-mtls
 * is on): credentials for the internal port, for calls to another sidecar that check it is the app meant,
 * and the caller's verified identity.
 */
export interface PeerSecurity {
  serverCredentials(): ServerCredentials;
  channel(target: PeerTarget): { credentials: ChannelCredentials; options: ChannelOptions };
  /** node:http2 options for a new connection to `target`'s sidecar, with the current certificate. */
  session(target: PeerTarget): SecureClientSessionOptions;
  /** The caller proven by the TLS peer certificate; throws (UNAUTHENTICATED) when it may not call. */
  callerOf(auth: PeerAuth): Caller;
}

/** Who a call from another sidecar is from: with mTLS whom its certificate proves, else whom its sidecar stamped. */
export function callerOf(security: PeerSecurity | undefined, auth: PeerAuth, stamped: (name: string) => string | undefined): Caller {
  return security ? security.callerOf(auth) : { appId: stamped('dapr-caller-app-id') ?? '', namespace: stamped('dapr-caller-namespace') ?? '' };
}
