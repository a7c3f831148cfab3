// Time from launching `mecha run` to the first 204 from /v1.0/healthz, and idle RSS, over several runs.
// Usage: node bench/startup.mjs [runs] [-- extra mecha flags]   (build first: npm run build)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const sep = args.indexOf('--');
const runs = Number(args[0] && args[0] !== '--' ? args[0] : 10);
const extra = sep === -1 ? [] : args.slice(sep + 1);
const bin = new URL('../dist/bundle/main.js', import.meta.url).pathname;

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

const times = [];
const rss = [];
for (let i = 0; i < runs; i++) {
  const port = await freePort();
  const grpcPort = await freePort();
  const cwd = mkdtempSync(join(tmpdir(), 'mecha-bench-'));
  const started = performance.now();
  const child = spawn(process.execPath, [bin, 'run', '--dapr-http-port', String(port), '--dapr-grpc-port', String(grpcPort), '--log-level', 'warn', ...extra], { cwd, stdio: 'ignore' });
  const deadline = Date.now() + 15_000;
  let ready = false;
  while (!ready && Date.now() < deadline) {
    ready = await fetch(`http://127.0.0.1:${port}/v1.0/healthz`).then((r) => r.status === 204, () => false);
    if (!ready) await new Promise((r) => setTimeout(r, 5));
  }
  if (!ready) throw new Error('sidecar did not become ready within 15 s');
  times.push(performance.now() - started);
  await new Promise((r) => setTimeout(r, 1000));
  rss.push(rssKb(child.pid) / 1024);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}
const sorted = [...times].sort((a, b) => a - b);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(JSON.stringify({
  runs,
  flags: extra,
  launchToHealthzMs: { min: Math.round(sorted[0]), median: Math.round(median(times)), max: Math.round(sorted.at(-1)) },
  idleRssMb: { median: Math.round(median(rss) * 10) / 10 },
}, null, 2));
