import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { freePort, startMecha, type MechaProcess } from '../support/mecha-process.js';

const APP = fileURLToPath(new URL('./pubsub-app.mjs', import.meta.url));

export interface Delivery {
  path: string;
  headers: Record<string, string>;
  body: string;
  at: number;
  /** What the app answered: an HTTP status, or the `status` of its body. */
  answer?: number | string;
}

export interface SubscriberApp {
  port: number;
  received(): Promise<Delivery[]>;
  /** Deliveries on one path, bodies parsed as JSON. */
  events(path: string): Promise<Array<Record<string, any>>>;
  setBehaviors(b: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the subscriber app as its own process (it outlives a sidecar that is killed). */
export async function startSubscriberApp(config: { subscriptions?: unknown[]; behaviors?: Record<string, unknown> } = {}): Promise<SubscriberApp> {
  const port = await freePort();
  const proc: ChildProcess = spawn(process.execPath, [APP], { env: { ...process.env, PUBSUB_APP: JSON.stringify({ port, ...config }) }, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await fetch(`${url}/received`).then((r) => r.ok, () => false)) break;
    await sleep(25);
  }
  const received = async () => (await (await fetch(`${url}/received`)).json()) as Delivery[];
  return {
    port,
    received,
    events: async (path) => (await received()).filter((d) => d.path === path).map((d) => JSON.parse(d.body)),
    setBehaviors: async (b) => void (await fetch(`${url}/behaviors`, { method: 'POST', body: JSON.stringify(b) })),
    stop: async () => {
      if (proc.exitCode !== null) return;
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until `done` holds for its value or the time is up; returns the last value. */
export async function waitFor<T>(probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value) && Date.now() < deadline) {
    await sleep(50);
    value = await probe();
  }
  return value;
}

/** POST /v1.0/publish with optional query metadata; resolves with status and parsed error body. */
export async function publish(baseUrl: string, pubsub: string, topic: string, body: string | Buffer, contentType?: string, query = ''): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}/v1.0/publish/${pubsub}/${topic}${query}`, {
    method: 'POST',
    body,
    headers: contentType ? { 'content-type': contentType } : {},
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/**
 * Subscriber apps with their sidecars on one resources folder, all tracked so `stopAll` cleans up
 * (the app outlives a sidecar that is killed, for the kill tests).
 */
export function subscriberFleet(cwd: string, resources: () => string) {
  const running: Array<{ stop(): Promise<unknown> }> = [];
  const subscriber = async (appId: string, subscriptions: unknown[], behaviors: Record<string, unknown> = {}, app?: SubscriberApp): Promise<{ app: SubscriberApp; mecha: MechaProcess }> => {
    if (!app) {
      app = await startSubscriberApp({ subscriptions, behaviors });
      running.push(app);
    }
    const mecha = await startMecha(['--app-id', appId, '--app-port', String(app.port), '--resources-path', resources()], { cwd, readyPath: '/v1.0/healthz' });
    running.push(mecha);
    return { app, mecha };
  };
  const stopAll = async () => {
    for (const p of running.reverse()) await p.stop();
  };
  return { subscriber, stopAll };
}

/** The `data.seq` of every delivery on `path` the app accepted, in arrival order. */
export const seqsAccepted = (ds: Delivery[], path: string) => ds.filter((d) => d.path === path && d.answer === 200).map((d) => JSON.parse(d.body).data.seq as number);

type Subscriber = ReturnType<typeof subscriberFleet>['subscriber'];

/**
 * The at-least-once check every durable broker gets: `messages` are published to a subscriber whose
 * app takes 30 ms each, its sidecar is SIGKILLed after `killAfter` deliveries and started again on the
 * same app; every message must then arrive. Returns what happened, for annotations and extra checks.
 */
export async function killMidStreamAndRestart(
  subscriber: Subscriber,
  opts: { appId: string; topic: string; messages: number; killAfter: number; arrivalTimeoutMs: number },
): Promise<{ atKill: number; redelivered: number; summary: string }> {
  const subs = [{ pubsubname: 'pubsub', topic: opts.topic, route: '/stream' }];
  const first = await subscriber(opts.appId, subs, { '/stream': { delayMs: 30 } });
  const N = opts.messages;
  for (let seq = 0; seq < N; seq++) await publish(first.mecha.url, 'pubsub', opts.topic, JSON.stringify({ seq }), 'application/json');
  await waitFor(() => first.app.received(), (ds) => ds.length >= opts.killAfter, 30_000);
  first.mecha.proc.kill('SIGKILL');
  await first.mecha.exited;
  const atKill = seqsAccepted(await first.app.received(), '/stream').length;
  const restarted = Date.now();
  const second = await subscriber(opts.appId, subs, {}, first.app);
  const ds = await waitFor(() => second.app.received(), (d) => new Set(seqsAccepted(d, '/stream')).size === N, opts.arrivalTimeoutMs);
  const accepted = seqsAccepted(ds, '/stream');
  expect([...new Set(accepted)].sort((x, y) => x - y)).toEqual([...Array(N).keys()]);
  const arrivedMs = Date.now() - restarted;
  await second.mecha.stop();
  const redelivered = accepted.length - N;
  return { atKill, redelivered, summary: `killed after ${atKill} of ${N} messages; all ${N} arrived ${arrivedMs} ms after the restart; ${redelivered} delivered twice` };
}
