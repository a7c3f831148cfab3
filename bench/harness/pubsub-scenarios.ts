import { component, resourcesDir } from '../../test/support/resources.js';
import { grpcLoad, httpLoad } from './load.js';
import { freePort, privateHome, startApp, startSidecar } from './processes.js';
import { grpcClients, measured, pad, result, stamped, unary, using, type BackingServer, type Env, type Scenario } from './scenario-kit.js';
import { summarize, type Latency } from './stats.js';

type Broker = 'memory' | 'redis' | 'kafka';
const PUBSUB_TYPES: Record<Broker, string> = { memory: 'pubsub.in-memory', redis: 'pubsub.redis', kafka: 'pubsub.kafka' };
const JSON_TYPE = { 'content-type': 'application/json' };
const pubsubMetadata = (broker: Broker, env: Env): Record<string, string> =>
  ({ memory: {}, redis: { redisHost: env.redisAddress }, kafka: { brokers: env.kafkaBrokers, initialOffset: 'newest' } })[broker];
const brokerAddress = (broker: Broker, env: Env) => (broker === 'kafka' ? env.kafkaBrokers : env.redisAddress);
const needs = (broker: Broker): BackingServer[] => (broker === 'memory' ? [] : [broker]);
const pubsubDir = (broker: Broker, env: Env) => resourcesDir({ 'pubsub.yaml': component('pubsub', PUBSUB_TYPES[broker], pubsubMetadata(broker, env)) });

export function publishScenario(broker: Broker): Scenario {
  const s = { name: `publish-${broker}`, group: 'Pub/sub', title: `publish (${PUBSUB_TYPES[broker]})` };
  return {
    ...s,
    needs: needs(broker),
    async run(env) {
      const body = `{"pad":"${pad(env)}"}`;
      const port = await freePort();
      const server = await startApp('baseline-server.mjs', [String(port), 'publish', broker, brokerAddress(broker, env)]);
      const baseline = await using([server], () => httpLoad({ url: `http://127.0.0.1:${port}/publish`, method: 'POST', body }, env.load));
      const sidecar = await startSidecar(['--app-id', 'bench-pub', '--resources-path', pubsubDir(broker, env)], privateHome());
      const target = { url: `${sidecar.url}/v1.0/publish/pubsub/bench-${Date.now()}`, method: 'POST' as const, body, headers: JSON_TYPE };
      const mecha = await using([sidecar], () => measured([{ role: 'sidecar', pid: sidecar.pid }], (onMeasure) => httpLoad(target, env.load, onMeasure)));
      const direct = { memory: 'an HTTP server that accepts the message and drops it', redis: 'an HTTP server doing ioredis XADD', kafka: 'an HTTP server doing a kafkajs producer send' }[broker];
      return result(s, mecha, baseline, direct);
    },
  };
}

interface Counts {
  /** Every message received, warm-up included. */
  all: number;
  /** Messages of the measured window. */
  measured: number;
}
const counts = async (url: string): Promise<Counts> => (await fetch(`${url}/count`)).json() as Promise<Counts>;

/** Publishes single probes until the receiver has seen one (a Kafka consumer group takes seconds to join). */
export async function untilFlowing(publish: () => Promise<unknown>, receiverUrl: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    await publish();
    await new Promise((r) => setTimeout(r, 200));
    if ((await counts(receiverUrl)).all > 0) return;
  }
  throw new Error(`no message reached ${receiverUrl} within 60 s`);
}

/** Waits (bounded) until every accepted publish was delivered or deliveries stop coming, then summarizes. */
export async function delivered(receiverUrl: string, sent: Latency): Promise<Latency> {
  const deadline = Date.now() + 30_000;
  let last = -1;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    const { measured: n } = await counts(receiverUrl);
    if (n >= sent.count) break;
    if (n !== last) [last, quietSince] = [n, Date.now()];
    else if (Date.now() - quietSince > 2000) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const latencies = (await (await fetch(`${receiverUrl}/stats`)).json()) as number[];
  return { ...summarize(latencies, sent.errors), rate: sent.rate, lost: Math.max(0, sent.count - latencies.length) };
}

/** Publish→deliver: from the send time stamped in the payload to the subscriber's receipt. */
export function deliverScenario(broker: Broker): Scenario {
  const s = { name: `deliver-${broker}`, group: 'Pub/sub', title: `publish→deliver (${PUBSUB_TYPES[broker]})` };
  return {
    ...s,
    needs: needs(broker),
    async run(env) {
      let baseline: Latency | undefined;
      if (broker !== 'memory') {
        const port = await freePort();
        const server = await startApp('baseline-server.mjs', [String(port), 'publish', broker, brokerAddress(broker, env), 'deliver']);
        baseline = await using([server], async () => {
          const url = `http://127.0.0.1:${port}`;
          const window = { measuring: false };
          const body = stamped(env, window);
          await untilFlowing(() => fetch(`${url}/publish`, { method: 'POST', body: body() }), url);
          const sent = await httpLoad({ url: `${url}/publish`, method: 'POST', body }, env.load, () => void (window.measuring = true));
          return delivered(url, sent);
        });
      }
      const topic = `bench-${Date.now()}`; // a fresh topic: a new Redis consumer group reads a stream from its start
      const appPort = await freePort();
      const app = await startApp('subscriber-app.mjs', [String(appPort), topic]);
      const appUrl = `http://127.0.0.1:${appPort}`;
      const args = ['--app-id', `bench-sub-${Date.now()}`, '--app-port', String(appPort), '--resources-path', pubsubDir(broker, env)];
      const sidecar = await startSidecar(args, privateHome());
      const mecha = await using([sidecar, app], async () => {
        const window = { measuring: false };
        const body = stamped(env, window);
        const url = `${sidecar.url}/v1.0/publish/pubsub/${topic}`;
        await untilFlowing(() => fetch(url, { method: 'POST', body: body(), headers: JSON_TYPE }), appUrl);
        return measured([{ role: 'sidecar', pid: sidecar.pid }], async (onMeasure) => {
          const open = () => ((window.measuring = true), onMeasure());
          return delivered(appUrl, await httpLoad({ url, method: 'POST', body, headers: JSON_TYPE }, env.load, open));
        });
      });
      const direct = { memory: 'none: in-memory delivery exists only inside the sidecar', redis: 'ioredis XADD → XREADGROUP consumer in one process', kafka: 'kafkajs producer → consumer in one process' }[broker];
      return result(s, mecha, baseline, direct);
    },
  };
}

/** daprd's own publish figure is over gRPC with pubsub.in-memory: the same here. */
export const publishGrpc: Scenario = {
  name: 'publish-grpc-memory',
  group: 'Pub/sub',
  title: 'publish over gRPC (pubsub.in-memory)',
  needs: [],
  async run(env) {
    const data = Buffer.from(`{"pad":"${pad(env)}"}`);
    const appPort = await freePort();
    const app = await startApp('grpc-echo-app.mjs', [String(appPort)]);
    const baseline = await using([app], async () => {
      const direct = grpcClients('dapr.proto.runtime.v1.AppCallback', appPort, env.load.connections);
      const req = { method: 'publish', data: { type_url: '', value: data } };
      try {
        return await grpcLoad(direct.clients.map((c) => unary(c, 'OnInvoke', req)), env.load);
      } finally {
        direct.close();
      }
    });
    const dir = resourcesDir({ 'pubsub.yaml': component('pubsub', 'pubsub.in-memory') });
    const sidecar = await startSidecar(['--app-id', 'bench-grpc-pub', '--resources-path', dir], privateHome());
    const mecha = await using([sidecar], async () => {
      const dapr = grpcClients('dapr.proto.runtime.v1.Dapr', sidecar.grpcPort, env.load.connections);
      const req = { pubsub_name: 'pubsub', topic: 'bench', data, data_content_type: 'application/json' };
      try {
        return await measured([{ role: 'sidecar', pid: sidecar.pid }], (onMeasure) => grpcLoad(dapr.clients.map((c) => unary(c, 'PublishEvent', req)), env.load, onMeasure));
      } finally {
        dapr.close();
      }
    });
    return result(this, mecha, baseline, 'one gRPC call to a minimal gRPC server');
  },
};
