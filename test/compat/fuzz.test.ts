import { Agent } from 'node:http';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { prepareWorld, type CompatWorld } from './environment.js';
import { fuzzRequest, random } from './fuzz-requests.js';
import { send, type RawAnswer } from './http-client.js';
import { startMechaSidecar, type Sidecar } from './sidecars.js';
import type { HttpCase } from './types.js';

// Seeded random requests against one sidecar (no app behind it, so every answer is the sidecar's own):
// nothing may come back as a 5xx without a Dapr error code, every error body is Dapr-shaped, and the
// sidecar is still healthy afterwards. MECHA_FUZZ_SEED reproduces a run.
const SEED = Number(process.env.MECHA_FUZZ_SEED ?? 20_261_203);
const REQUESTS = 10_000;
const CONCURRENCY = 16;
const MAX_REPORTED = 20;

let world: CompatWorld;
let sidecar: Sidecar;

beforeAll(async () => {
  world = await prepareWorld(inject('redisAddress'));
  sidecar = await startMechaSidecar(world, { app: false });
});

afterAll(async () => {
  await sidecar?.stop();
  await world?.close();
});

/** What is wrong with an answer, if anything. */
function problem(c: HttpCase, res: RawAnswer): string | undefined {
  if (res.status === 0) return 'no answer (connection dropped or timed out)';
  if (res.status < 400 || c.method === 'HEAD') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body.toString('utf8'));
  } catch {
    return `${res.status} with a body that is not JSON: ${res.body.toString('utf8').slice(0, 120)}`;
  }
  const body = parsed as { errorCode?: unknown; message?: unknown; ok?: unknown };
  // daprd's own exception: a failed configuration unsubscribe answers {ok:false?, message}.
  if (/\/unsubscribe(\?|$)/.test(c.path) && typeof body.message === 'string') return undefined;
  if (typeof body.errorCode !== 'string' || body.errorCode === '') return `${res.status} without a Dapr errorCode: ${JSON.stringify(parsed).slice(0, 120)}`;
  if (typeof body.message !== 'string') return `${res.status} ${body.errorCode} without a message`;
  return undefined;
}

it(`answers ${REQUESTS} seeded random requests with Dapr-shaped errors and stays healthy (seed ${SEED})`, async () => {
  const rng = random(SEED);
  const cases = Array.from({ length: REQUESTS }, (_, i) => fuzzRequest(rng, i));
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const problems: string[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++];
      const res = await send(agent, sidecar.http, c);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const p = problem(c, res);
      if (p && problems.length < MAX_REPORTED) problems.push(`${c.id} ${c.method} ${c.path.slice(0, 100)} → ${p}`);
    }
  };
  const started = Date.now();
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    agent.destroy();
  }
  const summary = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
  console.log(`fuzz: ${REQUESTS} requests in ${Date.now() - started} ms (seed ${SEED}): ${summary}`);
  expect(problems).toEqual([]);
  expect((await fetch(`http://127.0.0.1:${sidecar.http}/v1.0/healthz`)).status).toBe(204);
  const saved = await fetch(`http://127.0.0.1:${sidecar.http}/v1.0/state/statestore`, { method: 'POST', body: JSON.stringify([{ key: 'after-fuzz', value: 1 }]) });
  expect(saved.status).toBe(204);
  expect(await (await fetch(`http://127.0.0.1:${sidecar.http}/v1.0/state/statestore/after-fuzz`)).json()).toBe(1);
}, 120_000);
