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
  /** A fixed body, or one made per request (e.g. stamped with the send time). */
  body?: string | (() => string);
}

function run(target: HttpTarget, o: LoadOptions, durationS: number, record: boolean): Promise<Latency> {
  const samples: number[] = [];
  const body = target.body;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        connections: o.connections,
        overallRate: o.rate,
        duration: durationS,
        requests: [
          {
            method: target.method,
            headers: target.headers,
            ...(typeof body === 'function' ? { setupRequest: (req: autocannon.Request) => ({ ...req, body: body() }) } : body !== undefined ? { body } : {}),
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve(summarize(samples, result.errors + result.non2xx + result.timeouts))),
    );
    // autocannon's own histogram keeps whole milliseconds; the per-response time is a float.
    if (record) instance.on('response', (_c, _status, _bytes, ms) => samples.push(ms));
  });
}

/** A warm-up, then the measured window, at a fixed overall rate over keep-alive connections (autocannon). */
export async function httpLoad(target: HttpTarget, o: LoadOptions): Promise<Latency> {
  if (o.warmupS > 0) await run(target, o, o.warmupS, false);
  return run(target, o, o.durationS, true);
}

/**
 * The same open-loop, fixed-rate discipline for gRPC calls (autocannon speaks HTTP/1.1 only): calls are
 * started on schedule whatever the earlier ones do, with at most `connections × 16` in flight.
 */
export async function callLoad(call: () => Promise<unknown>, o: LoadOptions): Promise<Latency> {
  const once = async (durationS: number, record: boolean) => {
    const samples: number[] = [];
    let errors = 0;
    let inFlight = 0;
    let sent = 0;
    const limit = o.connections * 16;
    const start = performance.now();
    const end = start + durationS * 1000;
    const pending = new Set<Promise<void>>();
    while (performance.now() < end) {
      const due = Math.floor(((performance.now() - start) / 1000) * o.rate);
      while (sent < due) {
        sent++;
        if (inFlight >= limit) {
          errors++;
          continue;
        }
        inFlight++;
        const t = performance.now();
        const p: Promise<void> = call().then(
          () => void (record && samples.push(performance.now() - t)),
          () => void errors++,
        ).finally(() => {
          inFlight--;
          pending.delete(p);
        });
        pending.add(p);
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(pending);
    return summarize(samples, errors);
  };
  if (o.warmupS > 0) await once(o.warmupS, false);
  return once(o.durationS, true);
}
