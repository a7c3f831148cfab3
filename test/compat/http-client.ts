import { Agent, request } from 'node:http';
import type { HttpAnswer, HttpCase } from './types.js';
import { shapeOf } from './shape.js';

const TIMEOUT_MS = 15_000;
/** Short text bodies (Go's `404 page not found`, `invalid api token`) are compared as they are. */
const MAX_KEPT_TEXT = 200;

const DROPPED: RawAnswer = { status: 0, headers: {}, body: Buffer.alloc(0) };

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * Sends one request over a keep-alive agent; a dropped connection is an answer of status 0. A request
 * that fails on a reused connection the server had just closed is sent once more on a new one, as
 * Node's documentation advises (`reusedSocket`).
 */
export async function send(agent: Agent, port: number, c: Pick<HttpCase, 'method' | 'path' | 'headers' | 'body' | 'bodyBase64'>): Promise<RawAnswer> {
  const first = await sendOnce(agent, port, c);
  return first.staleSocket ? (await sendOnce(agent, port, c)).answer : first.answer;
}

function sendOnce(agent: Agent, port: number, c: Pick<HttpCase, 'method' | 'path' | 'headers' | 'body' | 'bodyBase64'>): Promise<{ answer: RawAnswer; staleSocket?: boolean }> {
  const body = c.bodyBase64 !== undefined ? Buffer.from(c.bodyBase64, 'base64') : c.body !== undefined ? Buffer.from(c.body, 'utf8') : undefined;
  const headers: Record<string, string> = { ...(c.headers ?? {}) };
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) headers['content-length'] = String(body.length);
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method: c.method, path: c.path, headers, agent, timeout: TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ answer: { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) } }));
      res.on('error', () => resolve({ answer: DROPPED }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ answer: DROPPED, staleSocket: req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE') }));
    req.end(body);
  });
}

function header(raw: RawAnswer, name: string): string | undefined {
  const v = raw.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** The comparable part of an answer: status, error code, the headers that matter, the body's shape. */
export function normaliseHttp(raw: RawAnswer): HttpAnswer {
  const headers: Record<string, string> = {};
  const type = header(raw, 'content-type');
  if (type) headers['content-type'] = type.toLowerCase().replace(/\s+/g, '');
  if (header(raw, 'etag') !== undefined) headers.etag = 'present';
  for (const name of Object.keys(raw.headers).sort()) if (name.startsWith('metadata.')) headers[name] = 'present';
  const answer: HttpAnswer = { status: raw.status, headers, body: bodyShape(raw.body) };
  const errorCode = (parsed(raw.body) as { errorCode?: unknown } | undefined)?.errorCode;
  if (typeof errorCode === 'string') answer.errorCode = errorCode;
  return answer;
}

function parsed(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function bodyShape(body: Buffer): unknown {
  if (body.length === 0) return { empty: true };
  const json = parsed(body);
  if (json !== undefined) return { json: shapeOf(json) };
  const text = body.toString('utf8');
  return text.length <= MAX_KEPT_TEXT ? { text: text.trim() } : { textLength: 'long' };
}
