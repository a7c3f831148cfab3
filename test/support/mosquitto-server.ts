import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianCommand, freePort, LOOPBACK, parseLoopback, startServerProcess, withPortRetries } from './server-process.js';

export interface MqttBroker {
  url: string;
  stop(): Promise<void>;
}

/**
 * An MQTT broker for the tests: `MECHA_TEST_MQTT` (loopback `host:port`) when it answers, else a private
 * Mosquitto on a free loopback port (installed with apt-get when missing), anonymous, in memory.
 */
export async function ensureMosquitto(): Promise<MqttBroker> {
  const external = process.env.MECHA_TEST_MQTT;
  if (external) {
    const { host, port } = parseLoopback('MECHA_TEST_MQTT', external);
    if (await answersConnect(host, port)) return { url: `tcp://${host}:${port}`, stop: async () => {} };
    process.stderr.write(`MECHA_TEST_MQTT=${external} does not answer; starting a private mosquitto\n`);
  }
  const bin = await ensureDebianCommand('mosquitto', 'mosquitto');
  return withPortRetries(async () => {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'mecha-mosquitto-'));
    const config = join(dir, 'mosquitto.conf');
    await writeFile(config, [`listener ${port} ${LOOPBACK}`, 'allow_anonymous true', 'persistence false', 'max_queued_messages 100000', 'log_dest stderr', 'log_type error', ''].join('\n'));
    const server = await startServerProcess({
      name: 'mosquitto',
      bin,
      args: ['-c', config],
      ready: () => answersConnect(LOOPBACK, port),
      readyTimeoutMs: 10_000,
      cleanup: () => rm(dir, { recursive: true, force: true }),
    });
    return { url: `tcp://${LOOPBACK}:${port}`, stop: server.stop };
  });
}

/** A raw MQTT 3.1.1 CONNECT answered by CONNACK 0x00, so this helper needs no client library. */
function answersConnect(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  const clientId = Buffer.from('mecha-probe');
  const variable = Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x0a]);
  const payload = Buffer.concat([Buffer.from([0x00, clientId.length]), clientId]);
  const connect = Buffer.concat([Buffer.from([0x10, variable.length + payload.length]), variable, payload]);
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write(connect));
    socket.once('data', (b) => done(b[0] === 0x20 && b[3] === 0x00));
  });
}
