import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const MECHA_BIN = fileURLToPath(new URL('../../dist/bundle/main.js', import.meta.url));

/**
 * The node flags on the bundle's `#!/usr/bin/env -S node …` line (V8 heap sizing): `mecha` runs with them,
 * and its code cache is valid only under them, so the tests start it the same way. Empty before a build.
 */
export function mechaNodeFlags(): string[] {
  let first = '';
  try {
    first = readFileSync(MECHA_BIN, 'utf8').split('\n', 1)[0]!;
  } catch {
    return [];
  }
  return /^#!.*?\bnode\b(.*)$/.exec(first)?.[1]!.trim().split(/\s+/).filter(Boolean) ?? [];
}

export interface MechaProcess {
  proc: ChildProcess;
  httpPort: number;
  grpcPort: number;
  url: string;
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A free loopback port: the OS picks one, we release it for the process under test. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Runs the built CLI to completion (for commands that exit by themselves). A `run` gets a free gRPC
 * port unless the arguments name one, so parallel tests never collide on the default.
 */
export async function runMecha(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<{ code: number | null; output: string }> {
  const dashdash = args.indexOf('--');
  const flags = dashdash === -1 ? args : args.slice(0, dashdash);
  const full = args[0] === 'run' && !flags.includes('--dapr-grpc-port') ? ['run', '--dapr-grpc-port', String(await freePort()), ...args.slice(1)] : args;
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [...mechaNodeFlags(), MECHA_BIN, ...full], { cwd: opts.cwd, env: { ...process.env, ...opts.env } });
    let output = '';
    proc.stdout.on('data', (d) => (output += d));
    proc.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs ?? 15_000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Starts `mecha run` on a free port and waits (bounded) until the outbound health endpoint answers 204. */
export async function startMecha(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; readyPath?: string } = {}): Promise<MechaProcess> {
  const httpPort = await freePort();
  const grpcPort = await freePort();
  const proc = spawn(process.execPath, [...mechaNodeFlags(), MECHA_BIN, 'run', '--dapr-http-port', String(httpPort), '--dapr-grpc-port', String(grpcPort), ...args], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${httpPort}`;
  const m: MechaProcess = {
    proc,
    httpPort,
    grpcPort,
    url,
    output: () => out,
    exited,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`mecha exited with ${proc.exitCode} before it was ready:\n${out}`);
    const status = await fetch(url + (opts.readyPath ?? '/v1.0/healthz/outbound')).then((r) => r.status, () => 0);
    if (status === 204) return m;
    await new Promise((r) => setTimeout(r, 25));
  }
  await m.stop('SIGKILL');
  throw new Error(`mecha did not become ready within 15 s:\n${out}`);
}
