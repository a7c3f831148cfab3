import { spawn } from 'node:child_process';
import { freePorts } from '../support/server-process.js';
import { startMecha } from '../support/mecha-process.js';
import type { CompatWorld } from './environment.js';

export interface Sidecar {
  http: number;
  grpc: number;
  stop(): Promise<unknown>;
}

const READY_TIMEOUT_MS = 30_000;

/** Mecha from the built CLI, ready once `/v1.0/healthz` (which waits for the app) answers 204. */
export async function startMechaSidecar(world: CompatWorld, opts: { app: boolean } = { app: true }): Promise<Sidecar> {
  const [metrics] = await freePorts(1);
  const flags = [...world.sidecarFlags, ...(opts.app ? world.appFlags : []), '--metrics-port', String(metrics)];
  const m = await startMecha(flags, { cwd: world.dir, readyPath: '/v1.0/healthz' });
  return { http: m.httpPort, grpc: m.grpcPort, stop: () => m.stop() };
}

/** The reference daprd, every listener on loopback, no placement or scheduler. */
export async function startDaprd(binary: string, world: CompatWorld): Promise<Sidecar> {
  const [http, grpc, internal, metrics] = await freePorts(4);
  const args = [
    ...world.sidecarFlags,
    ...world.appFlags,
    '--dapr-http-port', String(http),
    '--dapr-grpc-port', String(grpc),
    '--dapr-internal-grpc-port', String(internal),
    '--metrics-port', String(metrics),
    '--dapr-listen-addresses', '127.0.0.1',
    '--dapr-internal-grpc-listen-address', '127.0.0.1',
    '--metrics-listen-address', '127.0.0.1',
    '--placement-host-address', '',
    '--scheduler-host-address', '',
  ];
  const proc = spawn(binary, args, { cwd: world.dir, env: { ...process.env, DAPR_HOST_IP: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-8000));
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`daprd exited with ${proc.exitCode}:\n${output}`);
    const status = await fetch(`http://127.0.0.1:${http}/v1.0/healthz`).then((r) => r.status, () => 0);
    if (status === 204) return { http, grpc, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`daprd did not become ready within ${READY_TIMEOUT_MS} ms:\n${output}`);
}
