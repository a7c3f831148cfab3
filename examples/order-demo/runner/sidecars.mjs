// Starts `mecha run` sidecars (each launching its app), prints their output prefixed by app-id, waits
// until they are ready and stops them again.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

const NAME_WIDTH = 16;
const STOP_GRACE_MS = 15_000;
/** Routine log lines kept per sidecar, shown only if it ends unexpectedly. */
const KEPT_LINES = 20;

/** Prints one line under an app's prefix: `inventory       | reserved ...`. */
export function say(name, line) {
  process.stdout.write(`${name.padEnd(NAME_WIDTH)}| ${line}\n`);
}

/**
 * One sidecar with its app. `opts`: mechaBin, appId, ports {http, grpc, internal, app?}, resources,
 * config, cwd, env, command (the app command line), verbose, onAppLine(line).
 */
export function startSidecar(opts) {
  const args = [
    opts.mechaBin, 'run',
    '--app-id', opts.appId,
    '--dapr-http-port', String(opts.ports.http),
    '--dapr-grpc-port', String(opts.ports.grpc),
    '--dapr-internal-grpc-port', String(opts.ports.internal),
    '--resources-path', opts.resources,
    '--config', opts.config,
    // JSON logs, so warnings and errors can be told from routine lines and shown on one line each.
    '--log-as-json',
    ...(opts.ports.app ? ['--app-port', String(opts.ports.app)] : []),
    '--', ...opts.command,
  ];
  const child = spawn(process.execPath, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (err) => resolve({ code: null, signal: null, error: err }));
  });
  const routine = [];
  const keep = (line) => {
    routine.push(line);
    if (routine.length > KEPT_LINES) routine.shift();
  };
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => onLine(opts, line, keep));
  }
  const url = `http://127.0.0.1:${opts.ports.http}`;
  return {
    appId: opts.appId,
    url,
    child,
    exited,
    running: () => child.exitCode === null && child.signalCode === null,
    /** The last routine log lines (below WARN, not shown as they came), oldest first. */
    routineLines: () => [...routine],
    /** Resolves once `/v1.0/healthz` answers 204 (the app's port accepts connections too). */
    async ready(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${opts.appId}: mecha exited (${describeExit(await exited)}) before it was ready`);
        const status = await fetch(`${url}/v1.0/healthz`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.status, () => 0);
        if (status === 204) return;
        await sleep(200);
      }
      throw new Error(`${opts.appId}: not ready within ${timeoutMs / 1000} s (GET ${url}/v1.0/healthz never answered 204)`);
    },
    /** SIGTERM (the sidecar stops its app, then itself), SIGKILL after a grace period. */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** Distinct free loopback ports, held open together so none is handed out twice. */
export async function freePorts(count) {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  })));
  const ports = servers.map((server) => server.address().port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

export function describeExit({ code, signal, error }) {
  if (error) return `could not start: ${error.message}`;
  return signal ? `signal ${signal}` : `code ${code}`;
}

function onLine(opts, line, keep) {
  const app = /^== APP == (.*)$/.exec(line);
  if (app) {
    say(opts.appId, app[1]);
    opts.onAppLine?.(app[1]);
    return;
  }
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    // Not a log entry: a startup problem printed as text (bad resources, bad flags). Always worth showing.
    if (line.trim()) say(`${opts.appId}~`, line);
    return;
  }
  if (opts.verbose || SHOWN_LEVELS.has(entry.level)) say(`${opts.appId}~`, formatEntry(entry));
  else keep(formatEntry(entry));
}

/** `--log-as-json` writes daprd's level names; warnings and worse are shown as they come. */
const SHOWN_LEVELS = new Set(['warning', 'error', 'fatal']);
const ROUTINE_FIELDS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'app_id', 'scope', 'instance', 'ver', 'type']);

function formatEntry(entry) {
  const extra = Object.entries(entry)
    .filter(([key]) => !ROUTINE_FIELDS.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return [String(entry.level).toUpperCase(), entry.msg, ...extra].join(' ');
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
