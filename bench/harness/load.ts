import autocannon from 'autocannon';
import { summarize, type Latency } from './stats.js';

export interface LoadOptions {
  rate: number;
  connections: number;
  durationS: number;
  warmupS: number;
}

export interface HttpTarget {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** A fixed body, or one made per request at its send time (e.g. stamped with that time). */
  body?: string | (() => string);
}

/** Called once, right before the measured window starts (after the warm-up). */
export type OnMeasure = () => void;

/** When connection `index` of `connections` sends its `k`-th request: evenly spread, all connections interleaved. */
export function slotMs(o: LoadOptions, index: number, k: number): number {
  const interval = (o.connections * 1000) / o.rate;
  return (index * 1000) / o.rate + k * interval;
}

interface PacedClient {
  _doRequest(...args: unknown[]): void;
  destroyed: boolean;
  reqsMade: number;
  requestIterator: { rebuildRequest(): void };
}

/**
 * autocannon's own `overallRate` resets a per-connection budget once a second and spends it back to back,
 * so each second starts with a burst at full concurrency. Instead each connection sends on an even schedule
 * (`slotMs`), like fortio's `-qps` (the load generator behind daprd's figures): late answers are caught up
 * at once, never skipped. This wraps the client's request method through autocannon's `setupClient` hook.
 */
function pace(o: LoadOptions): (client: unknown) => void {
  let next = 0;
  const t0 = performance.now();
  return (raw) => {
    const client = raw as PacedClient;
    const send = client._doRequest;
    if (typeof send !== 'function' || !client.requestIterator) throw new Error('autocannon client internals changed: cannot pace requests');
    const index = next++;
    let k = 0;
    client._doRequest = function paced(...args: unknown[]) {
      const wait = t0 + slotMs(o, index, k++) - performance.now();
      const go = () => {
        if (client.destroyed) return;
        // The first request's bytes were built with the client; build them again so a stamped body is fresh.
        if (client.reqsMade === 0) client.requestIterator.rebuildRequest();
        send.apply(client, args);
      };
      if (wait <= 0) go();
      else setTimeout(go, wait);
    };
  };
}

function run(target: HttpTarget, o: LoadOptions, durationS: number, record: boolean): Promise<Latency> {
  const samples: number[] = [];
  const body = target.body;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        connections: o.connections,
        duration: durationS,
        setupClient: pace(o) as (client: autocannon.Client) => void,
        requests: [
          {
            method: target.method,
            headers: target.headers,
            ...(typeof body === 'function' ? { setupRequest: (req: autocannon.Request) => ({ ...req, body: body() }) } : body !== undefined ? { body } : {}),
          },
        ],
      },
      (err, result) => {
        if (err) return reject(err);
        const failed = result.errors + result.non2xx + result.timeouts;
        resolve({ ...summarize(samples, failed), rate: Math.round(samples.length / durationS) });
      },
    );
    // autocannon's histogram keeps whole milliseconds; the per-response time is a float.
    if (record) instance.on('response', (_c, status, _bytes, ms) => void (status < 300 && samples.push(ms)));
  });
}

/** A warm-up, then the measured window, at a fixed rate over `connections` keep-alive connections (autocannon). */
export async function httpLoad(target: HttpTarget, o: LoadOptions, onMeasure?: OnMeasure): Promise<Latency> {
  if (o.warmupS > 0) await run(target, o, o.warmupS, false);
  onMeasure?.();
  return run(target, o, o.durationS, true);
}

/**
 * The same discipline for gRPC (autocannon speaks HTTP/1.1 only), our own driver: `calls[i]` is connection
 * i (one HTTP/2 connection each), one call in flight per connection, sent on the even schedule.
 */
export async function grpcLoad(calls: Array<() => Promise<unknown>>, o: LoadOptions, onMeasure?: OnMeasure): Promise<Latency> {
  const once = async (durationS: number, record: boolean): Promise<Latency> => {
    const samples: number[] = [];
    let errors = 0;
    const t0 = performance.now();
    const end = t0 + durationS * 1000;
    await Promise.all(
      calls.map(async (call, index) => {
        for (let k = 0; ; k++) {
          const due = t0 + slotMs(o, index, k);
          if (due >= end) return;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          const t = performance.now();
          try {
            await call();
            if (record) samples.push(performance.now() - t);
          } catch {
            errors++;
          }
        }
      }),
    );
    return { ...summarize(samples, errors), rate: Math.round(samples.length / durationS) };
  };
  if (o.warmupS > 0) await once(o.warmupS, false);
  onMeasure?.();
  return once(o.durationS, true);
}
