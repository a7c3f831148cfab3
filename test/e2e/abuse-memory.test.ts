import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startMecha, type MechaProcess } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';

// Memory stays bounded under abuse: 2,000 idle connections, then slow clients each sending most of a
// 4 MB body and stalling. Without the sidecar-wide body budget (64 MiB) the sidecar would hold every
// stalled body (120 × 3 MiB ≈ 360 MiB); with it, bodies past the budget are refused with 503 at once.
// Asserts on memory and on answering, never on latency (the machine is shared).
const IDLE = 2_000;
const SLOW = 120;
const DECLARED = 4_000_000;
const SENT = 3 * 1024 * 1024;
/** The documented bound (docs/compatibility.md): the body budget plus room for 2,000 sockets and V8's own growth. */
const GROWTH_BOUND_MB = 64 + 96;

let mecha: MechaProcess;
let metricsPort: number;
const sockets: Socket[] = [];

beforeAll(async () => {
  metricsPort = await freePort();
  const resources = resourcesDir({ 'c.yaml': component('statestore', 'state.in-memory') });
  mecha = await startMecha(['--app-id', 'abuse', '--resources-path', resources, '--metrics-port', String(metricsPort)]);
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await mecha?.stop();
});

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(/(\d+)/.exec(line)![1]) / 1024;
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s)).once('error', reject);
    s.on('error', () => undefined);
    sockets.push(s);
  });
}

/** A slow client: headers declaring a 4 MB body, 3 MiB of it, then nothing. Resolves with its status line, or '' when still waiting. */
function slowClient(port: number, waitMs: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    sockets.push(s);
    let text = '';
    const done = () => {
      clearTimeout(timer);
      resolve(text.split('\r\n', 1)[0]!);
    };
    const timer = setTimeout(done, waitMs);
    s.on('error', () => undefined);
    s.on('data', (d) => (text += d));
    s.on('close', done);
    s.write(`POST /v1.0/state/statestore HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${DECLARED}\r\n\r\n`);
    s.write(Buffer.alloc(SENT, 0x20));
  });
}

async function eventually(probe: () => Promise<boolean>, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

describe('memory under abuse', () => {
  it('stays bounded with 2,000 idle connections and a flood of stalled large bodies, and still answers', { timeout: 60_000 }, async () => {
    const pid = mecha.proc.pid!;
    const baseline = rssMb(pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 100);
    try {
      for (let i = 0; i < IDLE; i += 100) await Promise.all(Array.from({ length: 100 }, () => open(mecha.httpPort)));
      const statuses = await Promise.all(Array.from({ length: SLOW }, () => slowClient(mecha.httpPort, 8_000)));
      peak = Math.max(peak, rssMb(pid));

      // Some bodies fit the budget (their clients still wait); the rest were refused with 503 without being read.
      const refused = statuses.filter((s) => s.startsWith('HTTP/1.1 503')).length;
      expect(refused).toBeGreaterThan(SLOW / 2);
      expect(statuses.every((s) => s === '' || s.startsWith('HTTP/1.1 503'))).toBe(true);
      expect(peak - baseline).toBeLessThan(GROWTH_BOUND_MB);

      expect(await eventually(async () => (await fetch(`${mecha.url}/v1.0/healthz`)).status === 204, 20_000)).toBe(true);
      const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text());
      // At least the refusals seen (a client still waiting when the test stopped waiting may have been refused since).
      expect(Number(/^mecha_http_server_bodies_shed_total\{[^}]*\} (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(refused);
    } finally {
      clearInterval(sampler);
    }
  });

  it('answers a refused body in Dapr’s shape, with Retry-After, and closes the connection', async () => {
    // The stalled bodies above still hold the budget until their clients go; one more is refused.
    const res = await new Promise<string>((resolve) => {
      const s = connect(mecha.httpPort, '127.0.0.1');
      let text = '';
      s.on('data', (d) => (text += d)).on('close', () => resolve(text)).on('error', () => resolve(text));
      s.write(`PUT /v1.0/metadata/x HTTP/1.1\r\nHost: x\r\nContent-Length: ${DECLARED}\r\n\r\n`);
    });
    const [head, body] = res.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 503 /);
    expect(head.toLowerCase()).toContain('retry-after: 1');
    expect(head.toLowerCase()).toContain('connection: close');
    expect(JSON.parse(body!)).toMatchObject({ errorCode: 'ERR_BODY_READ', message: expect.stringContaining('retry later') });
  });
});
