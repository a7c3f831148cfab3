import type { Headers } from '../../core/invocation/types.js';

/** proto-loader's view of dapr.proto.internals.v1 messages (keepCase, enums as names, absent messages null). */
export interface ProtoInvokeRequest {
  ver?: string;
  metadata: Record<string, { values: string[] }>;
  message: {
    method: string;
    data: { type_url: string; value: Buffer } | null;
    content_type: string;
    http_extension: { verb: string; querystring: string } | null;
  } | null;
}

export interface ProtoInvokeResponse {
  status: { code: number; message: string } | null;
  headers: Record<string, { values: string[] }>;
  message: { data: { type_url: string; value: Buffer } | null; content_type: string } | null;
}

export interface ProtoPayload {
  data: Buffer;
  seq: string | number;
}

export function toListMap(headers: Headers): Record<string, { values: string[] }> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, { values: v }]));
}

/** RFC 9110's token: what an HTTP header name may be. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function fromListMap(m: Record<string, { values: string[] }> | null | undefined): Headers {
  const out: Headers = {};
  // daprd forwards an InvokeService call's gRPC metadata, pseudo-headers (`:authority`) included, and a peer
  // may send any name: only names an HTTP header can have go on to the app.
  for (const [k, v] of Object.entries(m ?? {})) if (v?.values?.length && HEADER_NAME.test(k)) out[k.toLowerCase()] = [...v.values];
  return out;
}

/** Pulls payload chunks off a stream of messages, checking that `seq` counts up from 0 as the protocol says. */
export async function* payloadChunks<T extends { payload: ProtoPayload | null }>(first: T, rest: AsyncIterable<T>): AsyncIterable<Buffer> {
  let expected = 0;
  const take = (m: T): Buffer | undefined => {
    if (!m.payload) return undefined;
    const seq = Number(m.payload.seq);
    if (seq !== expected) throw new Error(`invalid sequence number received: ${seq} (expected: ${expected})`);
    expected++;
    return m.payload.data;
  };
  const head = take(first);
  if (head?.length) yield head;
  for await (const m of rest) {
    const chunk = take(m);
    if (chunk?.length) yield chunk;
  }
}
