import { credentials, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { serviceByName } from '../../src/transports/grpc/protos.js';
import type { LoadOptions, OnMeasure } from './load.js';
import type { Machine } from './run-record.js';
import { sampleUsage, type Proc, type Usage, type Watched } from './processes.js';
import { difference, type Latency, type Percentiles } from './stats.js';

/** What every scenario shares: its result shape, process lifetimes, usage sampling, payloads, gRPC clients. */

/** Backing servers a scenario needs; the harness starts only those. */
export type BackingServer = 'redis' | 'kafka';

export interface Env {
  load: LoadOptions;
  payloadBytes: number;
  /** `host:port`; empty when no selected step needs Redis. */
  redisAddress: string;
  /** `host:port`; empty when no selected step needs Kafka. */
  kafkaBrokers: string;
}

export interface SidecarFigures extends Usage {
  /** How many sidecar processes the figures above sum. */
  processes: number;
  /** Each sidecar on its own (caller, callee …). */
  each: Array<Usage & { role: string }>;
}

export interface ScenarioResult {
  name: string;
  group: string;
  title: string;
  /** When this scenario was measured, and at which commit (results of several runs can be merged). */
  date: string;
  commit?: string;
  /** Set when merged with results from another machine: the one this step ran on. */
  machine?: Machine;
  baseline?: Latency;
  baselineNote?: string;
  mecha: Latency;
  added?: Percentiles;
  sidecar: SidecarFigures;
  /** The cost rows (metrics, tracing): the same sidecars' figures on the baseline run, which is Mecha itself. */
  baselineSidecar?: SidecarFigures;
  /** CPU of the load generator (the harness process) during Mecha's measured window. */
  loadGeneratorMCpu?: number;
}

export interface Scenario {
  name: string;
  group: string;
  title: string;
  needs: BackingServer[];
  run(env: Env): Promise<ScenarioResult>;
}

export type Described = Pick<Scenario, 'name' | 'group' | 'title'>;

export const now = () => performance.timeOrigin + performance.now();
/** Filler making a JSON body about `payloadBytes` long. */
export const pad = (env: Env) => 'x'.repeat(Math.max(0, env.payloadBytes - 40));

/**
 * A JSON body per request, stamped with its send time (`t`, ms since the epoch, same clock in every
 * process) and whether it belongs to the measured window (`m`: warm-up messages are not counted).
 */
export function stamped(env: Env, window: { measuring: boolean }): () => string {
  const p = pad(env);
  return () => `{"t":${now()},"m":${window.measuring ? 1 : 0},"pad":"${p}"}`;
}

export async function using<T>(procs: Proc[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

/** Runs a load, sampling the sidecars' CPU and memory over its measured window (after the warm-up). */
export async function measured(procs: Watched[], run: (onMeasure: OnMeasure) => Promise<Latency>): Promise<Measured> {
  let sampler: ReturnType<typeof sampleUsage> | undefined;
  let own = { cpu: process.cpuUsage(), t: performance.now() };
  const latency = await run(() => {
    sampler = sampleUsage(procs);
    own = { cpu: process.cpuUsage(), t: performance.now() };
  });
  if (!sampler) throw new Error('the load never opened its measured window');
  const { total, each } = sampler.stop();
  const { user, system } = process.cpuUsage(own.cpu);
  const loadGeneratorMCpu = Math.round((user + system) / (performance.now() - own.t)); // µs per ms = thousandths
  return { latency, usage: { ...total, processes: procs.length, each }, loadGeneratorMCpu };
}

interface Measured {
  latency: Latency;
  usage: SidecarFigures;
  /** CPU of the harness process itself (the load generator) over the same window. */
  loadGeneratorMCpu: number;
}

export function result(s: Described, mecha: Measured, baseline?: Latency, baselineNote?: string): ScenarioResult {
  return {
    name: s.name,
    group: s.group,
    title: s.title,
    date: new Date().toISOString(),
    baseline,
    baselineNote,
    mecha: mecha.latency,
    added: baseline ? difference(mecha.latency, baseline) : undefined,
    sidecar: mecha.usage,
    loadGeneratorMCpu: mecha.loadGeneratorMCpu,
  };
}

type Unary = (req: object, md: Metadata, cb: (err: ServiceError | null, res: unknown) => void) => void;
export type GrpcClient = Client & Record<string, Unary>;

/** `count` clients of `service`, each on its own HTTP/2 connection (no shared subchannel). */
export function grpcClients(service: string, port: number, count: number): { clients: GrpcClient[]; close(): void } {
  const Ctor = serviceByName(service);
  const clients = Array.from({ length: count }, () => new Ctor(`127.0.0.1:${port}`, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }) as unknown as GrpcClient);
  return { clients, close: () => clients.forEach((c) => c.close()) };
}

export const unary = (client: GrpcClient, rpc: string, req: object) => () =>
  new Promise((resolve, reject) => client[rpc]!.call(client, req, new Metadata(), (err, res) => (err ? reject(err) : resolve(res))));
