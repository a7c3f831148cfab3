/** One HTTP request of the recorded corpus. `body` is UTF-8 text unless `bodyBase64` is set. */
export interface HttpCase {
  id: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  bodyBase64?: string;
}

/** A family: cases generated from one building block's rules, run in order against one sidecar. */
export interface HttpFamily {
  name: string;
  cases: HttpCase[];
}

/** What is compared of an answer: volatile values are already reduced to their shape. */
export interface HttpAnswer {
  status: number;
  errorCode?: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface GrpcCase {
  id: string;
  /** RPC name on dapr.proto.runtime.v1.Dapr, or a full method path for RPCs our protos lack. */
  rpc: string;
  request: Record<string, unknown>;
  metadata?: Record<string, string>;
}

export interface GrpcFamily {
  name: string;
  cases: GrpcCase[];
}

export interface GrpcAnswer {
  /** gRPC status code; 0 for success. */
  code: number;
  /** The shape of the response message, or of the error: message shape and detail types. */
  body: unknown;
}

export interface FixtureFile<C, A> {
  transport: 'http' | 'grpc';
  family: string;
  recordedWith: string;
  results: Array<{ case: C; answer: A }>;
}
