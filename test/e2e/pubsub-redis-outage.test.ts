import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMecha, type MechaProcess } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';
import { ensureDebianCommand, freePort, LOOPBACK, startServerProcess, type ServerProcess } from '../support/server-process.js';

// A private redis-server this test stops and restarts. daprd 1.17.0 (recorded) answers a publish while
// Redis is down in ~90 ms with 500 ERR_PUBSUB_PUBLISH_MESSAGE; Mecha waits at most 50 ms for a reconnect.
let port = 0;
let redis: ServerProcess | undefined;
let mecha: MechaProcess;

async function startRedis(): Promise<ServerProcess> {
  const bin = await ensureDebianCommand('redis-server', 'redis-server');
  return startServerProcess({
    name: 'redis-server',
    bin,
    args: ['--port', String(port), '--bind', LOOPBACK, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', mkdtempSync(join(tmpdir(), 'mecha-redis-outage-'))],
    ready: isListening,
    readyTimeoutMs: 10_000,
  });
}

function isListening(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: LOOPBACK, port }).once('connect', () => (s.destroy(), resolve(true))).once('error', () => resolve(false));
  });
}

const publish = async () => {
  const started = Date.now();
  const res = await fetch(`${mecha.url}/v1.0/publish/rpub/t`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  return { status: res.status, text: await res.text(), ms: Date.now() - started };
};

beforeAll(async () => {
  port = await freePort();
  redis = await startRedis();
  mecha = await startMecha(['--app-id', 'outage', '--resources-path', resourcesDir({ 'p.yaml': component('rpub', 'pubsub.redis', { redisHost: `${LOOPBACK}:${port}` }) })]);
});
afterAll(async () => {
  await mecha?.stop();
  await redis?.stop();
});

describe('redis pub/sub while Redis restarts', () => {
  it('fails a publish fast while Redis is down, and publishes again once it is back', async () => {
    expect((await publish()).status).toBe(204);
    await redis!.stop();
    // Down, and known to be down: a publish racing the close itself rides ioredis' per-command retries.
    await new Promise((r) => setTimeout(r, 500));
    const down = await publish();
    expect(down.status).toBe(500);
    expect(JSON.parse(down.text)).toMatchObject({ errorCode: 'ERR_PUBSUB_PUBLISH_MESSAGE', message: expect.stringContaining('not waiting for the reconnect') });
    expect(down.ms).toBeLessThan(2_500); // ioredis' own retries took up to 2.8 s
    redis = await startRedis();
    let back = down;
    for (let i = 0; i < 50 && back.status !== 204; i++) {
      await new Promise((r) => setTimeout(r, 200));
      back = await publish();
    }
    expect(back.status).toBe(204);
  }, 60_000);
});
