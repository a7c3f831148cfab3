import { credentials, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { join } from 'node:path';
import { serviceByName } from '../../src/transports/grpc/protos.js';
import { component, resourcesDir } from '../../test/support/resources.js';
import { callLoad, httpLoad, type HttpTarget, type LoadOptions } from './load.js';
import { freePort, privateHome, sampleUsage, startApp, startSidecar, type Proc, type Usage } from './processes.js';
import { difference, summarize, type Latency } from './stats.js';

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

const now = () => performance.timeOrigin + performance.now();
const pad = (env: Env) => 'x'.repeat(Math.max(0, env.payloadBytes - 40));
const stamped = (env: Env) => { const p = pad(env); return () => `{"t":${now()},"pad":"${p}"}`; };

async function using<T>(procs: Proc[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

/** Measures `target` through sidecars `pids`, sampling their CPU and memory over the window. */
async function measured(pids: number[], run: () => Promise<Latency>): Promise<{ latency: Latency; usage: Usage & { processes: number } }> {
  const sampler = sampleUsage(pids);
  const latency = await run();
  return { latency, usage: { ...sampler.stop(), processes: pids.length } };
}

function result(s: Omit<Scenario, 'run'>, mecha: { latency: Latency; usage: ScenarioResult['sidecar'] }, baseline?: Latency, baselineNote?: string): ScenarioResult {
  return { name: s.name, group: s.group, title: s.title, baseline, baselineNote, mecha: mecha.latency, added: baseline ? difference(mecha.latency, baseline) : undefined, sidecar: mecha.usage };
}

type Store = 'memory' | 'sqlite' | 'redis';
const STATE_TYPES: Record<Store, string> = { memory: 'state.in-memory', sqlite: 'state.sqlite', redis: 'state.redis' };

function stateScenario(op: 'get' | 'save', store: Store): Scenario {
  const s = { name: `state-${op}-${store}`, group: 'State', title: `${op} (${STATE_TYPES[store]})` };
  return {
    ...s,
    async run(env) {
      const home = privateHome();
      const value = pad(env);
      const saveBody = JSON.stringify([{ key: 'k', value }]);
      const addr = store === 'sqlite' ? join(home, 'baseline.db') : env.redisAddress;
      const port = await freePort();
      const direct = await startApp('baseline-server.mjs', [String(port), 'state', store, addr]);
      const baseline = await using([direct], async () => {
        const base = `http://127.0.0.1:${port}`;
        await fetch(`${base}/save`, { method: 'POST', body: saveBody });
        return httpLoad(op === 'get' ? { url: `${base}/get/k`, method: 'GET' } : { url: `${base}/save`, method: 'POST', body: saveBody }, env.load);
      });
      const md: Record<Store, Record<string, string>> = { memory: {}, sqlite: { connectionString: join(home, 'state.db') }, redis: { redisHost: env.redisAddress } };
      const dir = resourcesDir({ 'state.yaml': component('statestore', STATE_TYPES[store], md[store]) });
      const sidecar = await startSidecar(['--app-id', 'bench-state', '--resources-path', dir], home);
      const mecha = await using([sidecar], async () => {
        const base = `${sidecar.url}/v1.0/state/statestore`;
        const json = { 'content-type': 'application/json' };
        await fetch(base, { method: 'POST', body: saveBody, headers: json });
        const target: HttpTarget = op === 'get' ? { url: `${base}/k`, method: 'GET' } : { url: base, method: 'POST', body: saveBody, headers: json };
        return measured([sidecar.pid], () => httpLoad(target, env.load));
      });
      return result(s, mecha, baseline);
    },
  };
}

type Broker = 'memory' | 'redis' | 'kafka';
const PUBSUB_TYPES: Record<Broker, string> = { memory: 'pubsub.in-memory', redis: 'pubsub.redis', kafka: 'pubsub.kafka' };
const pubsubMetadata = (broker: Broker, env: Env): Record<string, string> =>
  ({ memory: {}, redis: { redisHost: env.redisAddress }, kafka: { brokers: env.kafkaBrokers, initialOffset: 'newest' } })[broker];
const brokerAddress = (broker: Broker, env: Env) => (broker === 'kafka' ? env.kafkaBrokers : env.redisAddress);

function publishScenario(broker: Broker): Scenario {
  const s = { name: `publish-${broker}`, group: 'Pub/sub', title: `publish (${PUBSUB_TYPES[broker]})` };
  return {
    ...s,
    async run(env) {
      const body = `{"pad":"${pad(env)}"}`;
      const port = await freePort();
      const direct = await startApp('baseline-server.mjs', [String(port), 'publish', broker, brokerAddress(broker, env)]);
      const baseline = await using([direct], () => httpLoad({ url: `http://127.0.0.1:${port}/publish`, method: 'POST', body }, env.load));
      const home = privateHome();
      const dir = resourcesDir({ 'pubsub.yaml': component('pubsub', PUBSUB_TYPES[broker], pubsubMetadata(broker, env)) });
      const sidecar = await startSidecar(['--app-id', 'bench-pub', '--resources-path', dir], home);
      const mecha = await using([sidecar], () =>
        measured([sidecar.pid], () => httpLoad({ url: `${sidecar.url}/v1.0/publish/pubsub/bench`, method: 'POST', body, headers: { 'content-type': 'application/json' } }, env.load)),
      );
      return result(s, mecha, baseline, broker === 'memory' ? 'nothing to talk to: the direct path only answers the request' : undefined);
    },
  };
}

/** Publish→deliver: latency from the stamp in the payload to the subscriber's receipt. */
function deliverScenario(broker: Broker): Scenario {
  const s = { name: `deliver-${broker}`, group: 'Pub/sub', title: `publish→deliver (${PUBSUB_TYPES[broker]})` };
  const settle = () => new Promise((r) => setTimeout(r, 2000));
  return {
    ...s,
    async run(env) {
      let baseline: Latency | undefined;
      if (broker !== 'memory') {
        const port = await freePort();
        const direct = await startApp('baseline-server.mjs', [String(port), 'publish', broker, brokerAddress(broker, env), 'deliver']);
        baseline = await using([direct], async () => {
          const url = `http://127.0.0.1:${port}`;
          await httpLoad({ url: `${url}/publish`, method: 'POST', body: stamped(env) }, env.load);
          await settle();
          return summarize((await (await fetch(`${url}/stats`)).json()) as number[]);
        });
      }
      const appPort = await freePort();
      const app = await startApp('subscriber-app.mjs', [String(appPort)]);
      const home = privateHome();
      const dir = resourcesDir({ 'pubsub.yaml': component('pubsub', PUBSUB_TYPES[broker], pubsubMetadata(broker, env)) });
      const sidecar = await startSidecar(['--app-id', `bench-sub-${Date.now()}`, '--app-port', String(appPort), '--resources-path', dir], home);
      const mecha = await using([sidecar, app], async () => {
        await new Promise((r) => setTimeout(r, broker === 'kafka' ? 4000 : 500)); // consumer group joined
        const m = await measured([sidecar.pid], async () => {
          await httpLoad({ url: `${sidecar.url}/v1.0/publish/pubsub/bench`, method: 'POST', body: stamped(env), headers: { 'content-type': 'application/json' } }, env.load);
          await settle();
          return summarize((await (await fetch(`http://127.0.0.1:${appPort}/stats`)).json()) as number[]);
        });
        return m;
      });
      return result(s, mecha, baseline, broker === 'memory' ? 'in-memory delivery exists only inside the sidecar; no direct equivalent' : undefined);
    },
  };
}

const invokeHttp: Scenario = {
  name: 'invoke-http',
  group: 'Service invocation',
  title: 'two-hop invocation over HTTP (caller sidecar → callee sidecar → app)',
  async run(env) {
    const body = pad(env);
    const appPort = await freePort();
    const app = await startApp('echo-app.mjs', [String(appPort)]);
    return using([app], async () => {
      const baseline = await httpLoad({ url: `http://127.0.0.1:${appPort}/echo`, method: 'POST', body }, env.load);
      const home = privateHome();
      const callee = await startSidecar(['--app-id', 'bench-callee', '--app-port', String(appPort)], home);
      const caller = await startSidecar(['--app-id', 'bench-caller'], home);
      const mecha = await using([caller, callee], () =>
        measured([caller.pid, callee.pid], () => httpLoad({ url: `${caller.url}/v1.0/invoke/bench-callee/method/echo`, method: 'POST', body }, env.load)),
      );
      return result(this, mecha, baseline);
    });
  },
};

type Unary = (req: object, md: Metadata, cb: (err: ServiceError | null, res: unknown) => void) => void;
function grpcClient(service: string, port: number): Client & Record<string, Unary> {
  const Ctor = serviceByName(service);
  return new Ctor(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as Client & Record<string, Unary>;
}
const unary = (client: Record<string, Unary>, rpc: string, req: object) => () =>
  new Promise((resolve, reject) => client[rpc]!.call(client, req, new Metadata(), (err, res) => (err ? reject(err) : resolve(res))));

const invokeGrpc: Scenario = {
  name: 'invoke-grpc',
  group: 'Service invocation',
  title: 'two-hop invocation over gRPC (InvokeService → callee sidecar → gRPC app)',
  async run(env) {
    const data = Buffer.from(pad(env));
    const appPort = await freePort();
    const app = await startApp('grpc-echo-app.mjs', [String(appPort)]);
    return using([app], async () => {
      const direct = grpcClient('dapr.proto.runtime.v1.AppCallback', appPort);
      const baseline = await callLoad(unary(direct, 'OnInvoke', { method: 'echo', data: { type_url: '', value: data }, content_type: 'text/plain' }), env.load);
      direct.close();
      const home = privateHome();
      const callee = await startSidecar(['--app-id', 'bench-callee', '--app-port', String(appPort), '--app-protocol', 'grpc'], home);
      const caller = await startSidecar(['--app-id', 'bench-caller'], home);
      const mecha = await using([caller, callee], async () => {
        const dapr = grpcClient('dapr.proto.runtime.v1.Dapr', caller.grpcPort);
        const req = { id: 'bench-callee', message: { method: 'echo', data: { type_url: '', value: data }, content_type: 'text/plain', http_extension: { verb: 'POST', querystring: '' } } };
        try {
          return await measured([caller.pid, callee.pid], () => callLoad(unary(dapr, 'InvokeService', req), env.load));
        } finally {
          dapr.close();
        }
      });
      return result(this, mecha, baseline);
    });
  },
};

const publishGrpc: Scenario = {
  name: 'publish-grpc-memory',
  group: 'Pub/sub',
  title: 'publish over gRPC (pubsub.in-memory)',
  async run(env) {
    const data = Buffer.from(`{"pad":"${pad(env)}"}`);
    const appPort = await freePort();
    const app = await startApp('grpc-echo-app.mjs', [String(appPort)]);
    const baseline = await using([app], async () => {
      const direct = grpcClient('dapr.proto.runtime.v1.AppCallback', appPort);
      try {
        return await callLoad(unary(direct, 'OnInvoke', { method: 'publish', data: { type_url: '', value: data } }), env.load);
      } finally {
        direct.close();
      }
    });
    const dir = resourcesDir({ 'pubsub.yaml': component('pubsub', 'pubsub.in-memory') });
    const sidecar = await startSidecar(['--app-id', 'bench-grpc-pub', '--resources-path', dir], privateHome());
    const mecha = await using([sidecar], async () => {
      const dapr = grpcClient('dapr.proto.runtime.v1.Dapr', sidecar.grpcPort);
      try {
        return await measured([sidecar.pid], () => callLoad(unary(dapr, 'PublishEvent', { pubsub_name: 'pubsub', topic: 'bench', data, data_content_type: 'application/json' }), env.load));
      } finally {
        dapr.close();
      }
    });
    return result(this, mecha, baseline, 'one gRPC round trip to a minimal gRPC server');
  },
};

const outputBinding: Scenario = {
  name: 'binding-http',
  group: 'Bindings',
  title: 'output binding (bindings.http → app)',
  async run(env) {
    const data = pad(env);
    const appPort = await freePort();
    const app = await startApp('echo-app.mjs', [String(appPort)]);
    return using([app], async () => {
      const baseline = await httpLoad({ url: `http://127.0.0.1:${appPort}/orders`, method: 'POST', body: data }, env.load);
      const dir = resourcesDir({ 'binding.yaml': component('echo', 'bindings.http', { url: `http://127.0.0.1:${appPort}/orders` }) });
      const sidecar = await startSidecar(['--app-id', 'bench-binding', '--resources-path', dir], privateHome());
      const body = JSON.stringify({ operation: 'post', data });
      const mecha = await using([sidecar], () =>
        measured([sidecar.pid], () => httpLoad({ url: `${sidecar.url}/v1.0/bindings/echo`, method: 'POST', body, headers: { 'content-type': 'application/json' } }, env.load)),
      );
      return result(this, mecha, baseline);
    });
  },
};

export const scenarios: Scenario[] = [
  ...(['memory', 'sqlite', 'redis'] as const).flatMap((store) => [stateScenario('get', store), stateScenario('save', store)]),
  ...(['memory', 'redis', 'kafka'] as const).map(publishScenario),
  publishGrpc,
  ...(['memory', 'redis', 'kafka'] as const).map(deliverScenario),
  invokeHttp,
  invokeGrpc,
  outputBinding,
];
