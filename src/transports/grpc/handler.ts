import { status, type Metadata, type sendUnaryData, type ServerUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { toGrpcError } from '../../errors/grpc.js';
import { SidecarError } from '../../errors/sidecar-error.js';

export type UnaryHandler = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void;

/** What every RPC shares: the API token check, then decode → core → encode, errors mapped in one place. */
export interface CallGuard {
  apiToken?: string;
  /** Where failures no core caught are logged with their cause (the client only gets ERR_INTERNAL). */
  logger?: Pick<Logger, 'error'>;
}

export function unary<Req, Res>(guard: CallGuard, fn: (req: Req, metadata: Metadata) => Promise<Res>): UnaryHandler {
  return (call, callback) => {
    const denied = checkToken(guard, call.metadata);
    if (denied) return callback(denied);
    fn(call.request as Req, call.metadata).then(
      (res) => callback(null, res),
      (err: unknown) => {
        const e = SidecarError.from(err);
        if (e.isUnexpected) guard.logger?.error({ err: e.cause }, 'unexpected error in a gRPC API call');
        callback(toGrpcError(e) as ServiceError);
      },
    );
  };
}

/** daprd's answer to a missing or wrong `dapr-api-token`: UNAUTHENTICATED, reason "Unauthorized". */
export function checkToken(guard: CallGuard, metadata: Metadata): Partial<ServiceError> | undefined {
  if (guard.apiToken === undefined) return undefined;
  const given = metadata.get('dapr-api-token')[0];
  const ok = typeof given === 'string' && given.length === guard.apiToken.length && timingSafeEqual(Buffer.from(given), Buffer.from(guard.apiToken));
  if (ok) {
    metadata.remove('dapr-api-token');
    return undefined;
  }
  return { code: status.UNAUTHENTICATED, details: 'Unauthorized', message: 'Unauthorized' };
}

/** Reads a proto map field (proto-loader gives plain objects). */
export function mapOf(m: Record<string, string> | null | undefined): Record<string, string> {
  return m ? { ...m } : {};
}
