/** Header names are lowercase; values repeat as HTTP headers and gRPC metadata can. */
export type Headers = Record<string, string[]>;

/** A call on its way to an app, whatever carried it here (HTTP API, gRPC, another sidecar). */
export interface InvokeRequest {
  /** The app's path without the leading slash, e.g. `orders/42`. */
  method: string;
  /** The HTTP verb; `NONE` or empty (no HTTP extension) when a gRPC caller named none, which only gRPC apps take. */
  verb: string;
  /** The raw query string, without `?`. */
  query: string;
  headers: Headers;
  /** Streamed body chunks; empty for none. */
  body: AsyncIterable<Buffer>;
  /** The whole body, when it is already in memory (then `body` yields the same bytes): apps get its length. */
  buffered?: Buffer;
}

export interface InvokeResponse {
  status: number;
  headers: Headers;
  body: AsyncIterable<Buffer>;
  /** The whole body, when it is already in memory (then `body` yields the same bytes). */
  buffered?: Buffer;
}

/** The caller's identity: as stamped by its sidecar, or, with mTLS, as its certificate proves it. */
export interface Caller {
  appId: string;
  namespace: string;
  /** Set only when proven by mTLS (the SPIFFE id's trust domain). */
  trustDomain?: string;
}

/** Where a target app-id lives: the internal gRPC addresses (`host:port`) of its sidecars. */
export interface NameResolver {
  resolve(appId: string, namespace: string): Promise<string[]>;
}

/** Carries a call to another sidecar's internal API and returns its answer. */
export interface RemoteInvoker {
  /** `buffered`: the whole body, when it is already in memory (then `req.body` yields the same bytes). */
  invoke(address: string, target: { appId: string; namespace: string }, req: InvokeRequest, buffered?: Buffer): Promise<InvokeResponse>;
}

/** Calls an HTTP(S) URL directly (external targets and HTTPEndpoint resources). */
export interface ExternalInvoker {
  invoke(baseUrl: string, req: InvokeRequest, extraHeaders?: Headers, tls?: { ca?: string; cert?: string; key?: string }): Promise<InvokeResponse>;
}

/** Calls the app next to this sidecar. */
export interface LocalApp {
  invoke(req: InvokeRequest): Promise<InvokeResponse>;
}
