import { Errors, type ErrorKind } from './codes.js';

/** A google.rpc error detail, kept in the JSON shape daprd writes into HTTP error bodies. */
export type ErrorDetail =
  | { '@type': 'type.googleapis.com/google.rpc.ErrorInfo'; reason: string; domain: 'dapr.io'; metadata: Record<string, string> | null }
  | { '@type': 'type.googleapis.com/google.rpc.ResourceInfo'; resource_type: string; resource_name: string; owner: string; description: string }
  | { '@type': 'type.googleapis.com/google.rpc.BadRequest'; field_violations: Array<{ field: string; description: string }> }
  | { '@type': 'type.googleapis.com/google.rpc.Help'; links: Array<{ description: string; url: string }> };

export interface SidecarErrorOptions {
  cause?: unknown;
  /** ErrorInfo metadata (only sent for kinds that carry a reason). */
  metadata?: Record<string, string>;
  resource?: { type: string; name: string };
  fieldViolation?: { field: string; description: string };
  /** Several violations in one google.rpc.BadRequest (a payload breaking its schema in many places). */
  fieldViolations?: Array<{ field: string; description: string }>;
  help?: { description: string; url: string };
}

/** The error every core function throws; transports map it with errors/http.ts (and, later, errors/grpc.ts). */
export class SidecarError extends Error {
  readonly kind: ErrorKind;
  readonly details: ErrorDetail[];

  constructor(kind: ErrorKind, message: string, options: SidecarErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SidecarError';
    this.kind = kind;
    this.details = buildDetails(kind, options);
  }

  get code(): string {
    return this.kind.code;
  }

  /**
   * Normalises anything thrown into a SidecarError. An error no core caught is a fault of the sidecar,
   * not of the request: it becomes ERR_INTERNAL with a fixed message, its own text kept as the cause
   * for the log (`isUnexpected`), so no runtime message reaches the client.
   */
  static from(err: unknown): SidecarError {
    if (err instanceof SidecarError) return err;
    return new SidecarError(Errors.Internal, 'internal error in the sidecar; the sidecar log has the cause', { cause: err });
  }

  /** True for errors `from` wrapped: the ones worth logging with their cause. */
  get isUnexpected(): boolean {
    return this.kind === Errors.Internal && this.cause !== undefined && !(this.cause instanceof SidecarError);
  }
}

function buildDetails(kind: ErrorKind, o: SidecarErrorOptions): ErrorDetail[] {
  if (!kind.reason) return [];
  // Same order as daprd's builders: violations and help first, then the resource, ErrorInfo last.
  const details: ErrorDetail[] = [];
  const violations = [...(o.fieldViolation ? [o.fieldViolation] : []), ...(o.fieldViolations ?? [])];
  if (violations.length > 0) details.push({ '@type': 'type.googleapis.com/google.rpc.BadRequest', field_violations: violations });
  if (o.help) details.push({ '@type': 'type.googleapis.com/google.rpc.Help', links: [o.help] });
  if (o.resource) {
    details.push({
      '@type': 'type.googleapis.com/google.rpc.ResourceInfo',
      resource_type: o.resource.type,
      resource_name: o.resource.name,
      owner: '',
      description: '',
    });
  }
  details.push({
    '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
    reason: kind.reason,
    domain: 'dapr.io',
    // daprd writes the field even when empty, as null.
    metadata: o.metadata && Object.keys(o.metadata).length > 0 ? o.metadata : null,
  });
  return details;
}
