// Added latency of a two-hop service invocation (caller sidecar → callee sidecar → app), and of a sidecar
// calling its own app, over calling the app directly, with sequential keep-alive requests. Usage: node bench/invocation-overhead.mjs [requests]
// (build first: npm run build). For the full load benchmark see the benchmarks docs when present.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const N = Number(process.argv[2] ?? 1000);
const bin = fileURLToPath(new URL('../dist/bundle/main.js', import.meta.url));
const app = fileURLToPath(new URL('../test/support/echo-app.mjs', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'mecha-bench-home-'));
const freePort = () => new Promise((r) => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => r(port)); }); });

async function sidecar(appId, extra) {
  const [http, grpc] = [await freePort(), await freePort()];
  const p = spawn(process.execPath, [bin, 'run', '--app-id', appId, '--dapr-http-port', String(http), '--dapr-grpc-port', String(grpc), '--log-level', 'warn', ...extra], { cwd: home, env: { ...process.env, HOME: home }, stdio: 'ignore' });
  for (let i = 0; i < 300; i++) {
    if (await fetch(`http://127.0.0.1:${http}/v1.0/healthz`).then((r) => r.status === 204, () => false)) return { p, url: `http://127.0.0.1:${http}` };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${appId} did not start`);
}

async function measure(url) {
  for (let i = 0; i < 100; i++) await (await fetch(url)).arrayBuffer(); // warm up
  const t = [];
  for (let i = 0; i < N; i++) {
    const s = performance.now();
    await (await fetch(url)).arrayBuffer();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  const q = (p) => t[Math.min(t.length - 1, Math.floor(p * t.length))];
  return { p50: q(0.5), p90: q(0.9), p99: q(0.99) };
}

const appPort = await freePort();
const callee = await sidecar('bench-callee', ['--app-port', String(appPort), '--', process.execPath, app]);
const caller = await sidecar('bench-caller', []);
const direct = await measure(`http://127.0.0.1:${appPort}/ping`);
const twoHop = await measure(`${caller.url}/v1.0/invoke/bench-callee/method/ping`);
const oneHop = await measure(`${callee.url}/v1.0/invoke/bench-callee/method/ping`);
const fmt = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v * 1000) / 1000]));
const added = (m) => fmt({ p50: m.p50 - direct.p50, p90: m.p90 - direct.p90, p99: m.p99 - direct.p99 });
console.log(JSON.stringify({ requests: N, directMs: fmt(direct), twoHopMs: fmt(twoHop), twoHopAddedMs: added(twoHop), ownAppAddedMs: added(oneHop) }, null, 2));
for (const s of [caller, callee]) s.p.kill('SIGTERM');
