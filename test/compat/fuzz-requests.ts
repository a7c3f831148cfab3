import type { HttpCase } from './types.js';

/** A small seeded PRNG (mulberry32): the same seed gives the same requests on every machine. */
export function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)];
  return { next, int, pick, chance: (p: number) => next() < p };
}

type Rng = ReturnType<typeof random>;

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'GET', 'POST', 'PUT'];
const STORES = ['statestore', 'pubsub', 'files', 'secretstore', 'configstore', 'lockstore', 'missing', '', '%20', 'a%2Fb', 'ünï', '..', 'x'.repeat(300)];
const SEGMENTS = ['k', 'key with space', '%41', '%zz', '%', 'a||b', '🔑', '.', '..', 'bulk', 'transaction', 'query', 'subscribe', 'unsubscribe', '', 'x'.repeat(2000)];
const CONTENT_TYPES = ['application/json', 'text/plain', 'application/octet-stream', 'application/cloudevents+json', 'application/json; charset=latin1', 'multipart/form-data', 'x/y/z;;', ';', '', 'application/x-www-form-urlencoded'];
const STRINGS = ['', 'a', 'ключ', '🔑', '\u0000', '\ud800', '"', '\\', '</script>', 'x'.repeat(5000), 'ttlInSeconds', 'first-write', 'strong', 'upsert', 'delete'];
const KEYS = ['key', 'value', 'etag', 'metadata', 'options', 'keys', 'operations', 'operation', 'request', 'data', 'resourceId', 'lockOwner', 'expiryInSeconds', 'entryId', 'event', 'contentType', 'ttlInSeconds', 'filter', 'sort', 'page', 'x'];

/** Templates of every API route (shutdown left out: it would stop the sidecar under test). */
function path(r: Rng): string {
  const s = () => r.pick(STORES);
  const k = () => r.pick(SEGMENTS);
  const templates = [
    () => `/v1.0/state/${s()}`,
    () => `/v1.0/state/${s()}/${k()}`,
    () => `/v1.0/state/${s()}/bulk`,
    () => `/v1.0/state/${s()}/transaction`,
    () => `/v1.0-alpha1/state/${s()}/query`,
    () => `/v1.0/publish/${s()}/${k()}`,
    () => `/v1.0/publish/${s()}/${k()}/${k()}`,
    () => `/v1.0-alpha1/publish/bulk/${s()}/${k()}`,
    () => `/v1.0/bindings/${s()}`,
    () => `/v1.0/invoke/${k()}/method/${k()}`,
    () => `/v1.0/secrets/${s()}/${k()}`,
    () => `/v1.0/secrets/${s()}/bulk`,
    () => `/v1.0/configuration/${s()}`,
    () => `/v1.0/configuration/${s()}/subscribe`,
    () => `/v1.0/configuration/${s()}/${k()}/unsubscribe`,
    () => `/v1.0-alpha1/lock/${s()}`,
    () => `/v1.0-alpha1/unlock/${s()}`,
    () => '/v1.0/metadata',
    () => `/v1.0/metadata/${k()}`,
    () => '/v1.0/healthz',
    () => '/v1.0/healthz/outbound',
    () => `/v1.0/actors/${k()}/${k()}/method/${k()}`,
    () => `/v1.0-beta1/workflows/dapr/${k()}/start`,
    () => `/v1.0-alpha1/jobs/${k()}`,
    () => `/${k()}/${k()}`,
    () => `/v${r.int(3)}.${r.int(2)}/${k()}`,
  ];
  let p = r.pick(templates)();
  if (r.chance(0.1)) p = p.replace(/\//g, () => (r.chance(0.2) ? '//' : '/'));
  if (r.chance(0.3)) {
    const params = Array.from({ length: 1 + r.int(3) }, () => `${r.pick(['metadata.ttlInSeconds', 'metadata.rawPayload', 'consistency', 'concurrency', 'key', 'appid', 'metadata.x', '%zz', ''])}=${percentEncoded(r.pick(STRINGS).slice(0, 50))}`);
    p += `?${params.join('&')}`;
  }
  // What a client must escape (spaces, non-ASCII); bad escapes such as `%zz` stay as they are.
  return p.replace(/[^\x21-\x7e]/gu, percentEncoded);
}

/** Every UTF-8 byte escaped (encodeURIComponent throws on a lone surrogate). */
function percentEncoded(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

/** Random JSON: depth, width and value types all drawn from the seed. */
export function json(r: Rng, depth: number): unknown {
  const roll = r.int(depth <= 0 ? 5 : 8);
  switch (roll) {
    case 0: return null;
    case 1: return r.chance(0.5);
    case 2: return r.pick([0, -1, 1.5, 1e308, -0, 2 ** 53 + 1, 42]);
    case 3:
    case 4: return r.pick(STRINGS);
    case 5: return Array.from({ length: r.int(6) }, () => json(r, depth - 1));
    default: return Object.fromEntries(Array.from({ length: r.int(6) }, () => [r.pick(KEYS), json(r, depth - 1)]));
  }
}

function body(r: Rng): Pick<HttpCase, 'body' | 'bodyBase64'> | undefined {
  switch (r.int(9)) {
    case 0: return undefined;
    case 1: return { body: '' };
    case 2: return { bodyBase64: Buffer.from(Array.from({ length: r.int(300) }, () => r.int(256))).toString('base64') };
    case 3: return { body: JSON.stringify(json(r, 6)).slice(0, r.int(200)) };
    case 4: {
      const depth = r.pick([50, 1000, 11_000]);
      return { body: '['.repeat(depth) + ']'.repeat(depth) };
    }
    case 5: return { body: JSON.stringify(Array.from({ length: 1 + r.int(4) }, () => ({ key: r.pick(STRINGS), value: json(r, 3), ...(r.chance(0.3) ? { etag: json(r, 0) } : {}), ...(r.chance(0.3) ? { metadata: json(r, 1) } : {}) }))) };
    default: return { body: JSON.stringify(json(r, 8)) };
  }
}

/** The i-th request of a seeded run. */
export function fuzzRequest(r: Rng, i: number): HttpCase {
  const headers: Record<string, string> = {};
  if (r.chance(0.7)) headers['content-type'] = r.pick(CONTENT_TYPES);
  if (r.chance(0.1)) headers['content-encoding'] = r.pick(['gzip', 'br', 'identity', 'bogus']);
  if (r.chance(0.1)) headers.traceparent = r.pick(['garbage', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', '']);
  if (r.chance(0.05)) headers['dapr-app-id'] = r.pick(['compat', 'nobody', '', 'a.b']);
  if (r.chance(0.05)) headers['if-match'] = r.pick(STRINGS).slice(0, 40).replace(/[^\x20-\x7e]/g, '');
  if (r.chance(0.05)) headers['x-fuzz'] = 'v'.repeat(r.int(4000));
  const method = r.pick(METHODS);
  const b = method === 'GET' || method === 'HEAD' ? (r.chance(0.1) ? body(r) : undefined) : body(r);
  return { id: `fuzz-${i}`, method, path: path(r), headers, ...b };
}
