// Records the V8 code cache the launcher compiles the CLI bundle with: starts the built sidecar (free
// loopback ports, a throwaway directory and HOME), serves a few requests so the request path is compiled
// too, stops it with SIGTERM, and the launcher writes the cache as the process exits. Any failure fails
// the build: a missing cache would only show as a slower start.
//
// The sidecar gets a resources folder holding the embedded defaults' components plus an in-memory state
// store: a start with --resources-path then finds YAML reading, envelope and metadata validation (ajv)
// and the in-memory adapters compiled too, not only what the embedded defaults run.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const TIMEOUT_MS = 30_000;

const component = (name, type, metadata = {}) =>
  `apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\nspec:\n  type: ${type}\n  version: v1\n  metadata:\n${
    Object.entries(metadata).map(([k, v]) => `    - name: ${k}\n      value: ${JSON.stringify(v)}\n`).join('') || '    []\n'}`;

/** The embedded defaults (src/runtime/default-resources.ts) as YAML, and `memstore` (state.in-memory). */
function warmUpResources(home) {
  const dir = join(home, 'resources');
  mkdirSync(dir);
  const files = {
    'statestore.yaml': component('statestore', 'state.sqlite', { connectionString: join(home, 'state.db'), cleanupInterval: '1h' }),
    'pubsub.yaml': component('pubsub', 'pubsub.in-memory'),
    'lockstore.yaml': component('lockstore', 'lock.in-memory'),
    'configstore.yaml': component('configstore', 'configuration.in-memory'),
    'memstore.yaml': component('memstore', 'state.in-memory'),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The node flags of the launcher's `#!/usr/bin/env -S node …` line: V8 accepts a code cache only under the flags it was made with. */
export function launcherNodeFlags(launcher) {
  const first = readFileSync(launcher, 'utf8').split('\n', 1)[0];
  return /^#!.*?\bnode\b(.*)$/.exec(first)?.[1].trim().split(/\s+/).filter(Boolean) ?? [];
}

export async function recordCodeCache(launcher, cacheFile) {
  const out = resolve(cacheFile);
  const home = mkdtempSync(join(tmpdir(), 'mecha-warmup-'));
  const child = spawn(
    process.execPath,
    [...launcherNodeFlags(launcher), resolve(launcher), 'run', '--app-id', 'mecha-warmup', '--dapr-http-port', '0', '--dapr-grpc-port', '0', '--log-as-json', '--resources-path', warmUpResources(home)],
    { cwd: home, env: { ...process.env, HOME: home, MECHA_WRITE_CODE_CACHE: out }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise((done) => child.once('exit', (code, signal) => done(code ?? signal)));
  const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  try {
    const port = await listeningPort(child, exited);
    await warmUp(`http://127.0.0.1:${port}`);
    child.kill('SIGTERM');
    const code = await exited;
    if (code !== 0) throw new Error(`the warm-up sidecar exited with ${code}`);
    if (!existsSync(out) || statSync(out).size === 0) throw new Error(`no code cache was written to ${out}`);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`recording the code cache failed: ${err.message}\n${stderr}`);
  } finally {
    clearTimeout(timer);
    rmSync(home, { recursive: true, force: true });
  }
}

/** The HTTP port from the sidecar's "API listening" log line. */
async function listeningPort(child, exited) {
  const lines = createInterface({ input: child.stdout });
  const found = (async () => {
    for await (const line of lines) {
      const entry = line.startsWith('{') ? JSON.parse(line) : undefined;
      if (entry?.msg === 'API listening') return entry.httpPort;
    }
    throw new Error('the warm-up sidecar closed its output before listening');
  })();
  const port = await Promise.race([found, exited.then((code) => Promise.reject(new Error(`the warm-up sidecar exited with ${code}`)))]);
  lines.on('line', () => {}); // keep draining stdout until exit
  return port;
}

async function warmUp(base) {
  const call = async (path, init) => {
    const res = await fetch(base + path, { ...init, signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${path} answered ${res.status}: ${await res.text()}`);
  };
  const json = (body) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await call('/v1.0/healthz');
  await call('/v1.0/state/statestore', json([{ key: 'warmup', value: { ok: true } }]));
  await call('/v1.0/state/statestore/warmup');
  await call('/v1.0/state/memstore', json([{ key: 'warmup', value: { ok: true } }]));
  await call('/v1.0/state/memstore/warmup');
  await call('/v1.0/publish/pubsub/warmup', json({ ok: true }));
  await call('/v1.0/metadata');
}
