import { credentials, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { serviceByName } from '../../src/transports/grpc/protos.js';
import type { LoadOptions } from './load.js';
import { sampleUsage, type Proc, type Usage } from './processes.js';
import { difference, type Latency } from './stats.js';

/** What every scenario shares: its result shape, process lifetimes, usage sampling, payloads, gRPC clients. */

export interface Env {
  load: LoadOptions;
  payloadBytes: number;
  redisAddress: string;
  kafkaBrokers: string;
}

export interface ScenarioResult {
  name: string;
  group: string;
  title: string;
  baseline?: Latency;
  baselineNote?: string;
  mecha: Latency;
  added?: ReturnType<typeof difference>;
  sidecar: Usage & { processes: number };
}

export interface Scenario {
  name: string;
  group: string;
  title: string;
  run(env: Env): Promise<ScenarioResult>;
}

export const now = () => performance.timeOrigin + performance.now();
export const pad = (env: Env) => 'x'.repeat(Math.max(0, env.payloadBytes - 40));
export const stamped = (env: Env) => { const p = pad(env); return () => `{"t":${now()},"pad":"${p}"}`; };

export async function using<T>(procs: Proc[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

/** Measures `target` through sidecars `pids`, sampling their CPU and memory over the window. */
export async function measured(pids: number[], run: () => Promise<Latency>): Promise<{ latency: Latency; usage: Usage & { processes: number } }> {
  const sampler = sampleUsage(pids);
  const latency = await run();
  return { latency, usage: { ...sampler.stop(), processes: pids.length } };
}

export function result(s: Omit<Scenario, 'run'>, mecha: { latency: Latency; usage: ScenarioResult['sidecar'] }, baseline?: Latency, baselineNote?: string): ScenarioResult {
  return { name: s.name, group: s.group, title: s.title, baseline, baselineNote, mecha: mecha.latency, added: baseline ? difference(mecha.latency, baseline) : undefined, sidecar: mecha.usage };
}

type Unary = (req: object, md: Metadata, cb: (err: ServiceError | null, res: unknown) => void) => void;
export function grpcClient(service: string, port: number): Client & Record<string, Unary> {
  const Ctor = serviceByName(service);
  return new Ctor(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as Client & Record<string, Unary>;
}
export const unary = (client: Record<string, Unary>, rpc: string, req: object) => () =>
  new Promise((resolve, reject) => client[rpc]!.call(client, req, new Metadata(), (err, res) => (err ? reject(err) : resolve(res))));

