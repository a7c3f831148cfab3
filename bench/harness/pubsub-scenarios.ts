import { component, resourcesDir } from '../../test/support/resources.js';
import { callLoad, httpLoad } from './load.js';
import { freePort, privateHome, startApp, startSidecar } from './processes.js';
import { grpcClient, measured, pad, result, stamped, unary, using, type Env, type Scenario } from './scenario-kit.js';
import { summarize, type Latency } from './stats.js';

type Broker = 'memory' | 'redis' | 'kafka';
const PUBSUB_TYPES: Record<Broker, string> = { memory: 'pubsub.in-memory', redis: 'pubsub.redis', kafka: 'pubsub.kafka' };
const pubsubMetadata = (broker: Broker, env: Env): Record<string, string> =>
  ({ memory: {}, redis: { redisHost: env.redisAddress }, kafka: { brokers: env.kafkaBrokers, initialOffset: 'newest' } })[broker];
const brokerAddress = (broker: Broker, env: Env) => (broker === 'kafka' ? env.kafkaBrokers : env.redisAddress);

export function publishScenario(broker: Broker): Scenario {
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
export function deliverScenario(broker: Broker): Scenario {
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

export const publishGrpc: Scenario = {
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

