import { execFile, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/mecha-process.js';
import { resourcesDir } from '../support/resources.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs npm to completion (bounded), failing with its output. */
function npm(args: string[], timeout: number): string {
  const r = spawnSync('npm', args, { cwd: ROOT, timeout, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')}: ${r.error?.message ?? `exit ${r.status}`}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting until ${what}`);
}

const answers = (port: number) => fetch(`http://127.0.0.1:${port}/v1.0/healthz`).then(() => true, () => false);

/**
 * Starts `command` (a wrapper that runs mecha with an app, as npm does), waits until the app reports
 * its pid and its sidecar's, SIGTERMs the wrapper and expects both gone and the port closed.
 */
async function wrapperStopsEverything(command: string[], port: number, app: string): Promise<string> {
  const wrapper = spawn(command[0]!, [...command.slice(1), '--dapr-http-port', String(port), '--dapr-grpc-port', String(await freePort()), '--', process.execPath, app], {
    cwd: ROOT,
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  let out = '';
  wrapper.stdout.on('data', (d) => (out += d));
  wrapper.stderr.on('data', (d) => (out += d));
  let pids: number[] = [];
  try {
    await until('the app reports', () => /pids (\d+) (\d+)/.test(out));
    pids = /pids (\d+) (\d+)/.exec(out)!.slice(1).map(Number);
    expect(await answers(port)).toBe(true);
    wrapper.kill('SIGTERM');
    await until('the app and the sidecar are gone and the port is closed', async () => !pids.some(alive) && !(await answers(port)));
    return out;
  } finally {
    // A failed run must not leave the sidecar and the app behind.
    for (const pid of [wrapper.pid!, ...pids].filter(alive)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
  }
}

describe('mecha behind a wrapper, built and installed', () => {
  const cwd = resourcesDir({});
  const app = join(cwd, 'app.mjs');
  writeFileSync(app, "console.log('pids', process.pid, process.ppid); setInterval(() => {}, 1000);");

  it('npm start: SIGTERM to npm stops the sidecar and its app and frees the port, with no build when the bundle is current', async () => {
    const { staleReason } = (await import(join(ROOT, 'scripts/bundle.mjs'))) as { staleReason(): string | undefined };
    expect(staleReason()).toBeUndefined();
    const out = await wrapperStopsEverything(['npm', 'start', '--silent', '--'], await freePort(), app);
    expect(out).not.toContain('building dist/bundle');
    expect(out).toMatch(/shutting down[\s\S]*reason: "(SIGTERM|parent exited)"/);
  }, 40_000);

  it('npx mecha in the clone: SIGTERM to npx stops the sidecar and its app', async () => {
    await wrapperStopsEverything(['npx', '--offline', 'mecha', 'run', '--app-id', 'npxed'], await freePort(), app);
  }, 40_000);

  it('installs from npm pack with npm install -g, and the installed mecha runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mecha-install-'));
    temps.push(dir);
    // The bundle is current (npm test builds it): skip prepack so no rebuild runs under other tests.
    const packed = npm(['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], 60_000);
    const tarball = join(dir, packed.trim().split('\n').pop()!);
    // As the README's install, from the npm cache where it can, but without install scripts: better-sqlite3's
    // would compile its native module (minutes on this machine) when no prebuilt one can be downloaded, so
    // the one this checkout compiled for the same Node is put where the script would have.
    const prefix = join(dir, 'prefix');
    npm(['install', '-g', tarball, '--prefix', prefix, '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], 150_000);
    const binding = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
    mkdirSync(dirname(join(prefix, 'lib/node_modules/mecha-sidecar', binding)), { recursive: true });
    copyFileSync(join(ROOT, binding), join(prefix, 'lib/node_modules/mecha-sidecar', binding));
    const mecha = join(prefix, 'bin/mecha');
    const version = await run(mecha, ['--version'], { cwd: dir });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);

    // On the embedded defaults (SQLite state under .mecha/ in the working directory).
    const port = await freePort();
    const sidecar = spawn(mecha, ['run', '--app-id', 'installed', '--dapr-http-port', String(port)], { cwd: dir });
    let out = '';
    sidecar.stdout.on('data', (d) => (out += d));
    sidecar.stderr.on('data', (d) => (out += d));
    try {
      await until(`the installed sidecar answers (${out})`, () => answers(port));
      expect((await fetch(`http://127.0.0.1:${port}/v1.0/state/statestore`, { method: 'POST', body: '[{"key":"k","value":"v"}]' })).status).toBe(204);
      expect(await (await fetch(`http://127.0.0.1:${port}/v1.0/state/statestore/k`)).text()).toBe('"v"');
    } finally {
      if (sidecar.exitCode === null) {
        const exited = new Promise((r) => sidecar.once('exit', r));
        sidecar.kill('SIGTERM');
        await exited;
      }
    }
  }, 240_000);
});
