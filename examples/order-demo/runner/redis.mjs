// The broker for the demo: a Redis given with --redis, or a private redis-server on a free loopback
// port with its data in the run folder, stopped with the demo.
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { findOnPath } from './prerequisites.mjs';
import { freePorts } from './sidecars.mjs';

const LOOPBACK = '127.0.0.1';
const READY_TIMEOUT_MS = 15_000;
const ATTEMPTS = 3;

/** `{ address: "host:port", private: boolean, stop() }` */
export async function provideRedis(given, runDir) {
  if (given) {
    const [host, port] = splitAddress(given);
    if (!(await ping(host, port, 2_000))) throw new Error(`--redis ${given}: no Redis answers PING there`);
    return { address: given, private: false, stop: async () => {} };
  }
  const bin = await findOnPath('redis-server', ['/usr/sbin', '/usr/bin', '/usr/local/bin']);
  if (!bin) {
    throw new Error('redis-server was not found: install it (Debian/Ubuntu: apt-get install redis-server) or use a running Redis with --redis host:port');
  }
  const dir = join(runDir, 'redis');
  await mkdir(dir, { recursive: true });
  let lastError;
  // A port found free can be taken by someone else before redis-server binds it: try a few.
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const [port] = await freePorts(1);
      return await startRedis(bin, port, dir);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function startRedis(bin, port, dir) {
  const args = ['--port', String(port), '--bind', LOOPBACK, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk) => { output = (output + chunk).slice(-2_000); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.once('error', (err) => { output += err.message; });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
    if (await ping(LOOPBACK, port, 500)) return { address: `${LOOPBACK}:${port}`, private: true, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`redis-server on port ${port} did not start within ${READY_TIMEOUT_MS / 1000} s: ${output.trim()}`);
}

export function splitAddress(text) {
  const m = /^\[?([^\]\s]+?)\]?:(\d{1,5})$/.exec(text);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new Error(`--redis: expected host:port, got "${text}"`);
  return [m[1], Number(m[2])];
}

/** A raw RESP PING, so the demo needs no Redis client. */
function ping(host, port, timeoutMs) {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    let reply = '';
    const done = (ok) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk;
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
