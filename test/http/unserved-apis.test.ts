import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMecha, type MechaProcess } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';

// daprd 1.17.0's answers (recorded with app-id `orders`, no placement, scheduler or components of
// these kinds) for the APIs Mecha does not serve: Mecha must answer the same.
interface RecordedHttp {
  method: string;
  path: string;
  body?: string;
  status: number;
  errorCode: string;
  message: string;
  details?: unknown[];
}
const recorded = JSON.parse(readFileSync(new URL('../fixtures/daprd-unserved-apis.json', import.meta.url), 'utf8')) as { http: RecordedHttp[] };

let mecha: MechaProcess;

beforeAll(async () => {
  mecha = await startMecha(['--app-id', 'orders', '--resources-path', resourcesDir({ 'c.yaml': component('statestore', 'state.in-memory') })]);
});
afterAll(async () => {
  await mecha?.stop();
});

describe('HTTP APIs of building blocks Mecha does not serve answer as daprd does', () => {
  it.each(recorded.http.map((r) => [`${r.method} ${r.path} ${r.body ?? ''}`, r] as const))('%s', async (_name, r) => {
    const res = await fetch(`${mecha.url}${r.path}`, { method: r.method, body: r.body, headers: r.body ? { 'content-type': 'application/json' } : {} });
    const body = (await res.json()) as { errorCode: string; message: string; details?: unknown[] };
    expect(res.status).toBe(r.status);
    expect(body.errorCode).toBe(r.errorCode);
    // Body-decoding messages quote Go's JSON decoder; everything else is daprd's text, details included.
    if (r.errorCode !== 'ERR_MALFORMED_REQUEST') {
      expect(body.message).toBe(r.message);
      expect(body.details).toEqual(r.details);
    }
  });

  it('leaves neighbouring paths to service invocation, as daprd does', async () => {
    for (const [method, path] of [['GET', '/v1.0/actors/t/i/timers/x'], ['POST', '/v1.0/jobs/j1'], ['POST', '/v1.0-alpha1/crypto/vault/encrypt'], ['GET', '/v1.0-alpha1/subtlecrypto/vault/encrypt']]) {
      const res = await fetch(`${mecha.url}${path}`, { method });
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { errorCode: string }).errorCode).toBe('ERR_DIRECT_INVOKE');
    }
  });
});
