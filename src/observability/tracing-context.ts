import { randomFillSync } from 'node:crypto';

/** A W3C trace context: the span a request belongs to, and whether its trace is sampled. */
export interface TraceContext {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** Reads a `traceparent` header; undefined when absent or invalid (the request then starts a new trace). */
export function parseTraceparent(value: string | undefined): TraceContext | undefined {
  const m = value ? TRACEPARENT.exec(value.trim().toLowerCase()) : null;
  if (!m || m[1] === ZERO_TRACE || m[2] === ZERO_SPAN) return undefined;
  return { traceId: m[1], spanId: m[2], sampled: (parseInt(m[3], 16) & 1) === 1 };
}

export function formatTraceparent(ctx: TraceContext): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${ctx.sampled ? '01' : '00'}`;
}

/**
 * `grpc-trace-bin` (OpenCensus binary format), which gRPC clients may send instead of `traceparent`:
 * version 0, then field 0 the trace id (16 bytes), field 1 the span id (8), field 2 the options (1).
 */
export function parseGrpcTraceBin(bin: Buffer | undefined): TraceContext | undefined {
  if (!bin || bin.length < 29 || bin[0] !== 0 || bin[1] !== 0 || bin[18] !== 1 || bin[27] !== 2) return undefined;
  const traceId = bin.toString('hex', 2, 18);
  const spanId = bin.toString('hex', 19, 27);
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, sampled: (bin[28] & 1) === 1 };
}

export function formatGrpcTraceBin(ctx: TraceContext): Buffer {
  const bin = Buffer.alloc(29);
  bin[1] = 0;
  bin.write(ctx.traceId, 2, 'hex');
  bin[18] = 1;
  bin.write(ctx.spanId, 19, 'hex');
  bin[27] = 2;
  bin[28] = ctx.sampled ? 1 : 0;
  return bin;
}

// Random ids come from a pool refilled 4 KB at a time: one randomBytes call per request is a syscall each.
const pool = Buffer.alloc(4096);
let used = pool.length;

export function randomHex(bytes: number): string {
  if (used + bytes > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += bytes;
  return pool.toString('hex', used - bytes, used);
}
