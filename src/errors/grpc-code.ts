/** gRPC status codes (numeric values of the wire protocol), named as grpc-js names them. */
export const GrpcCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;
export type GrpcCode = (typeof GrpcCode)[keyof typeof GrpcCode];

/** Go's names of the codes (grpc-go's codes.Code.String()), as daprd prints them. */
const GO_NAMES = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated'];

/**
 * A gRPC error as daprd's messages quote one (`rpc error: code = PermissionDenied desc = …`, grpc-go's
 * status text); undefined for what is not a gRPC status error (grpc-js's own text is `7 PERMISSION_DENIED: …`).
 */
export function goStatusText(err: unknown): string | undefined {
  const { code, details } = (err ?? {}) as { code?: unknown; details?: unknown };
  if (typeof code !== 'number' || typeof details !== 'string' || !GO_NAMES[code]) return undefined;
  return `rpc error: code = ${GO_NAMES[code]} desc = ${details}`;
}
