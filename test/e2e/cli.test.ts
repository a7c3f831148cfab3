import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { freePort, MECHA_BIN, mechaNodeFlags, runMecha, startMecha } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';

describe('mecha CLI', () => {
  it('prints its version and every flag with its default', async () => {
    const version = await runMecha(['--version']);
    expect(version.code).toBe(0);
    expect(version.output.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = await runMecha(['run', '--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--app-id', '--app-port', '--dapr-http-port', '--resources-path', '--dapr-graceful-shutdown-seconds', '--log-as-json']) {
      expect(help.output).toContain(flag);
    }
    expect(help.output).toContain('(default: a free port; 3500 without "run", as daprd)');
    expect(help.output).toContain('(default "4Mi")');
  });

  it('starts from a code cache this Node accepts under the V8 flags `mecha` runs with', () => {
    expect(mechaNodeFlags()).toEqual(expect.arrayContaining(['--max-semi-space-size=1', '--heap-growing-percent=30', '--single-threaded-gc']));
    // V8 takes a code cache only under the flags it was recorded with: check in a Node started with them.
    const loader = join(mkdtempSync(join(tmpdir(), 'mecha-loader-')), 'bundle-loader.mjs');
    buildSync({ entryPoints: [fileURLToPath(new URL('../../src/cli/bundle-loader.ts', import.meta.url))], outfile: loader, bundle: true, platform: 'node', format: 'esm', logLevel: 'warning' });
    const check = `const { compileBundle } = await import(${JSON.stringify(pathToFileURL(loader).href)}); console.log(compileBundle(${JSON.stringify(dirname(MECHA_BIN))}).cacheRejected);`;
    const answer = (flags: string[]) => execFileSync(process.execPath, [...flags, '--input-type=module', '-e', check], { encoding: 'utf8', timeout: 30_000 }).trim();
    expect(answer(mechaNodeFlags())).toBe('false');
    expect(answer([])).toBe('true');
  });

  it('rejects an unknown flag or a bad value with one line naming the flag', async () => {
    const unknown = await runMecha(['run', '--no-such-flag']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.output.trim().split('\n')).toHaveLength(1);
    expect(unknown.output).toContain('--no-such-flag');
    const bad = await runMecha(['run', '--app-port', 'eighty']);
    expect(bad.code).not.toBe(0);
    expect(bad.output).toContain('--app-port');
    const choice = await runMecha(['run', '--app-protocol', 'smtp']);
    expect(choice.output).toContain('--app-protocol');
  });

  it('accepts daprd-style single-dash flags and Go booleans', async () => {
    const m = await startMecha(['-app-id', 'dashy', '--log-as-json=true']);
    const md = (await (await fetch(`${m.url}/v1.0/metadata`)).json()) as { id: string };
    expect(md.id).toBe('dashy');
    expect(m.output()).toMatch(/^\{"level":/m);
    await m.stop();
  });

  it('reports every resource problem at once, naming file, document and field', async () => {
    const dir = resourcesDir({
      'a.yaml': component('one', 'state.nosuch'),
      'b.yaml': `${component('two', 'state.sqlite', { connectionString: 'x.db', disableWAL: 'maybe' })}\n---\n${component('one', 'state.in-memory')}`,
    });
    const res = await runMecha(['run', '--resources-path', dir, '--dapr-http-port', String(await freePort())]);
    expect(res.code).toBe(1);
    expect(res.output).toContain(`${join(dir, 'a.yaml')}: document 1: spec.type: unknown component type "state.nosuch"`);
    expect(res.output).toContain('spec.metadata.disableWAL');
    expect(res.output).toContain('document 2: metadata.name: duplicate component name "one"');
  });

  it('checks envelopes and Configurations with the validators compiled at build time as the sources do', async () => {
    const dir = resourcesDir({
      'c.yaml': 'apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: bad\nspec:\n  version: 1\n  ignoreErrors: maybe\n',
      'config.yaml': 'apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: c\nspec:\n  metrics:\n    rules:\n      - name: dapr_http_server_request_count\n        labels:\n          - name: path\n            regex:\n              x: "([a-"\n',
    });
    const envelope = await runMecha(['run', '--resources-path', dir, '--dapr-http-port', String(await freePort())]);
    expect(envelope.code).toBe(1);
    expect(envelope.output).toContain('spec.type: is required');
    expect(envelope.output).toContain('spec.ignoreErrors: must be boolean');
    expect(envelope.output).not.toContain('spec.version'); // `1` is coerced to "1", as from the sources
    const config = await runMecha(['run', '--config', join(dir, 'config.yaml'), '--dapr-http-port', String(await freePort())], { cwd: resourcesDir({}) });
    expect(config.code).toBe(1);
    expect(config.output).toContain('spec.metrics.rules[0].labels[0].regex.x: must be a valid regular expression');
  });

  it('says so when the port is in use', async () => {
    const port = await freePort();
    const blocker = createServer().listen(port, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    try {
      const res = await runMecha(['run', '--dapr-http-port', String(port)], { cwd: resourcesDir({}) });
      expect(res.code).toBe(1);
      expect(res.output).toContain(`--dapr-http-port ${port}: the port is already in use`);
    } finally {
      blocker.close();
    }
  });

  it('stops a component whose init fails, unless ignoreErrors is set', async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    const failing = resourcesDir({ 'r.yaml': component('r', 'state.redis', { redisHost: dead }) });
    const res = await runMecha(['run', '--resources-path', failing, '--dapr-http-port', String(await freePort())]);
    expect(res.code).toBe(1);
    expect(res.output).toContain('component "r" (state.redis');
    expect(res.output).toContain(dead);

    const tolerant = resourcesDir({ 'r.yaml': component('r', 'state.redis', { redisHost: dead }, '  ignoreErrors: true\n') });
    const m = await startMecha(['--resources-path', tolerant]);
    const missing = await fetch(`${m.url}/v1.0/state/r/k`);
    expect(missing.status).toBe(500);
    expect(((await missing.json()) as { errorCode: string }).errorCode).toBe('ERR_STATE_STORE_NOT_CONFIGURED');
    await m.stop();
  });

  it('requires dapr-api-token on every call but healthz when DAPR_API_TOKEN is set', async () => {
    const m = await startMecha(['--app-id', 'secure'], { cwd: resourcesDir({}), env: { DAPR_API_TOKEN: 's3cret' } });
    try {
      const denied = await fetch(`${m.url}/v1.0/metadata`);
      expect(denied.status).toBe(401);
      expect(await denied.text()).toBe('invalid api token');
      expect((await fetch(`${m.url}/v1.0/metadata`, { headers: { 'dapr-api-token': 's3cret' } })).status).toBe(200);
      expect((await fetch(`${m.url}/v1.0/healthz`)).status).toBe(204);
      expect(m.output()).not.toContain('s3cret');
    } finally {
      await m.stop();
    }
  });

  it('exits 0 on SIGTERM and on POST /v1.0/shutdown', async () => {
    const a = await startMecha([], { cwd: resourcesDir({}) });
    expect(await a.stop('SIGTERM')).toBe(0);
    const b = await startMecha([], { cwd: resourcesDir({}) });
    expect((await fetch(`${b.url}/v1.0/shutdown`, { method: 'POST' })).status).toBe(204);
    expect(await b.exited).toBe(0);
  });

  it('answers 413 beyond --dapr-http-max-request-size', async () => {
    const m = await startMecha(['--dapr-http-max-request-size', '1'], { cwd: resourcesDir({}) });
    const big = JSON.stringify([{ key: 'big', value: 'x'.repeat(1.5 * 1024 * 1024) }]);
    const res = await fetch(`${m.url}/v1.0/state/statestore`, { method: 'POST', body: big });
    expect(res.status).toBe(413);
    await m.stop();
  });

  it('turns healthy only once the app port opens', async () => {
    const appPort = await freePort();
    const m = await startMecha(['--app-id', 'waiter', '--app-port', String(appPort)], { cwd: resourcesDir({}) });
    try {
      expect((await fetch(`${m.url}/v1.0/healthz`)).status).toBe(500);
      const app = createServer().listen(appPort, '127.0.0.1');
      const deadline = Date.now() + 5000;
      let status = 0;
      while (Date.now() < deadline && status !== 204) {
        status = (await fetch(`${m.url}/v1.0/healthz`)).status;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(status).toBe(204);
      app.close();
    } finally {
      await m.stop();
    }
  });

  it('launches the app with the Dapr environment, forwards its output and exits with it', async () => {
    const cwd = resourcesDir({});
    const script = join(cwd, 'app.mjs');
    writeFileSync(
      script,
      `const url = 'http://127.0.0.1:' + process.env.DAPR_HTTP_PORT;
       for (let i = 0; i < 100; i++) { try { if ((await fetch(url + '/v1.0/healthz/outbound')).status === 204) break; } catch {} await new Promise(r => setTimeout(r, 20)); }
       await fetch(url + '/v1.0/state/statestore', { method: 'POST', body: JSON.stringify([{ key: 'from-app', value: process.env.APP_ID }]) });
       console.log('saved as', process.env.APP_ID, 'grpc', process.env.DAPR_GRPC_PORT, 'token', process.env.APP_API_TOKEN);
       process.exit(3);`,
    );
    const grpcPort = await freePort();
    const res = await runMecha(['run', '--app-id', 'launcher', '--dapr-http-port', String(await freePort()), '--dapr-grpc-port', String(grpcPort), '--', process.execPath, script], {
      cwd,
      env: { APP_API_TOKEN: 'apptok' },
    });
    expect(res.output).toContain(`== APP == saved as launcher grpc ${grpcPort} token apptok`);
    expect(res.code).toBe(3);
  });
});
