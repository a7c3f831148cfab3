import { startRedisServer, type RedisServer } from '../../test/support/redis-server.js';
import { component, resourcesDir } from '../../test/support/resources.js';
import { httpLoad, type HttpTarget, type LoadOptions } from './load.js';
import { freePort, privateHome, round1, rssMb, startApp, type Sidecar } from './processes.js';
import { delivered, untilFlowing } from './pubsub-scenarios.js';
import { measured, pad, stamped, using, type BackingServer, type Env } from './scenario-kit.js';

/**
 * The steps run through Mecha and daprd alike (`npm run bench -- --against <daprd>`): each launches the
 * sidecar it is given with the same flags and resources, and returns its figures by name.
 */

export type Launch = (args: string[], home: string) => Promise<Sidecar>;
export type Figures = Record<string, number>;

export interface SideBySideStep {
  name: string;
  title: string;
  needs: BackingServer[];
  /** Launches (startup) or loaded runs per sidecar. */
  rounds(quick: boolean): number;
  once(launch: Launch, env: Env): Promise<Figures>;
}

const JSON_TYPE = { 'content-type': 'application/json' };
const IDLE_AFTER_MS = 1000;
/** The rate of the publish→deliver steps: a steady trickle, where the broker's hand-out delay shows. */
const DELIVER_RATE = 200;
const REDIS_DOWN_MS = 3000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const loadRounds = (quick: boolean) => (quick ? 1 : 2);

/** Spawn → first healthz 204 with an in-memory state store and pub/sub, then RSS once idle. */
const startup: SideBySideStep = {
  name: 'startup',
  title: 'spawn → first healthz 204, in-memory state + pub/sub resources path; idle RSS 1 s after',
  needs: [],
  rounds: (quick) => (quick ? 2 : 10),
  async once(launch) {
    const dir = resourcesDir({ 'state.yaml': component('statestore', 'state.in-memory'), 'pubsub.yaml': component('pubsub', 'pubsub.in-memory') });
    const sidecar = await launch(['--app-id', 'bench-startup', '--resources-path', dir], privateHome());
    return using([sidecar], async () => {
      await sleep(IDLE_AFTER_MS);
      return { readyMs: Math.round(sidecar.readyMs), idleRssMb: round1(rssMb(sidecar.pid)) };
    });
  },
};

type Loaded = Awaited<ReturnType<typeof measured>>;
const loadFigures = ({ latency, usage }: Loaded): Figures => ({
  p50: latency.p50, p90: latency.p90, p99: latency.p99, errors: latency.errors,
  mCpu: usage.mCpu, rssSteadyMb: usage.rssSteadyMb, rssPeakMb: usage.rssPeakMb,
});

/** A fixed-rate HTTP load on one sidecar started with `files` as its resources. */
function oneSidecarLoad(name: string, title: string, files: Record<string, string>, target: (url: string, env: Env) => HttpTarget, seed?: (url: string, env: Env) => Promise<void>): SideBySideStep {
  return {
    name,
    title,
    needs: [],
    rounds: loadRounds,
    async once(launch, env) {
      const sidecar = await launch(['--app-id', 'bench-side', '--resources-path', resourcesDir(files)], privateHome());
      return using([sidecar], async () => {
        await seed?.(sidecar.url, env);
        return loadFigures(await measured([{ role: 'sidecar', pid: sidecar.pid }], (onMeasure) => httpLoad(target(sidecar.url, env), env.load, onMeasure)));
      });
    },
  };
}

const STATE = { 'state.yaml': component('statestore', 'state.in-memory') };
const saveBody = (env: Env) => JSON.stringify([{ key: 'k', value: pad(env) }]);
async function seedState(url: string, env: Env): Promise<void> {
  const res = await fetch(`${url}/v1.0/state/statestore`, { method: 'POST', body: saveBody(env), headers: JSON_TYPE });
  if (res.status !== 204) throw new Error(`seeding the state store answered ${res.status}: ${await res.text()}`);
}

const stateGet = oneSidecarLoad('state-get-memory', 'state get (state.in-memory)', STATE, (url) => ({ url: `${url}/v1.0/state/statestore/k`, method: 'GET' }), seedState);
const stateSave = oneSidecarLoad('state-save-memory', 'state save (state.in-memory)', STATE, (url, env) => ({ url: `${url}/v1.0/state/statestore`, method: 'POST', body: saveBody(env), headers: JSON_TYPE }));
const publish = oneSidecarLoad('publish-memory', 'publish over HTTP (pubsub.in-memory)', { 'pubsub.yaml': component('pubsub', 'pubsub.in-memory') }, (url, env) => ({
  url: `${url}/v1.0/publish/pubsub/bench`, method: 'POST', body: `{"pad":"${pad(env)}"}`, headers: JSON_TYPE,
}));

/** Caller sidecar → callee sidecar → echo app over HTTP; RSS and CPU are both sidecars' sums. */
const invokeHttp: SideBySideStep = {
  name: 'invoke-http',
  title: 'two-hop invocation over HTTP (caller + callee sidecars, summed)',
  needs: [],
  rounds: loadRounds,
  async once(launch, env) {
    const appPort = await freePort();
    const app = await startApp('echo-app.mjs', [String(appPort)]);
    const home = privateHome();
    return using([app], async () => {
      const callee = await launch(['--app-id', 'bench-callee', '--app-port', String(appPort)], home);
      const caller = await launch(['--app-id', 'bench-caller'], home).catch(async (err) => {
        await callee.stop();
        throw err;
      });
      const target: HttpTarget = { url: `${caller.url}/v1.0/invoke/bench-callee/method/echo`, method: 'POST', body: pad(env) };
      const sidecars = [{ role: 'caller', pid: caller.pid }, { role: 'callee', pid: callee.pid }];
      const m = await using([caller, callee], () => measured(sidecars, (onMeasure) => httpLoad(target, env.load, onMeasure)));
      return { ...loadFigures(m), calleeRssSteadyMb: m.usage.each.find((e) => e.role === 'callee')!.rssSteadyMb };
    });
  },
};

/**
 * Publish at DELIVER_RATE through the sidecar to a fresh Redis stream and time each event to the subscriber
 * app. `during` runs once the measured window opens (the restart step stops Redis there).
 */
async function deliverOnce(launch: Launch, env: Env, redisAddress: string, during?: (load: LoadOptions) => Promise<void>): Promise<Figures> {
  const load = { ...env.load, rate: DELIVER_RATE };
  const topic = `bench-${Date.now()}`;
  const appPort = await freePort();
  const app = await startApp('subscriber-app.mjs', [String(appPort), topic]);
  const appUrl = `http://127.0.0.1:${appPort}`;
  const dir = resourcesDir({ 'pubsub.yaml': component('pubsub', 'pubsub.redis', { redisHost: redisAddress }) });
  const sidecar = await launch(['--app-id', `bench-sub-${Date.now()}`, '--app-port', String(appPort), '--resources-path', dir], privateHome()).catch(async (err) => {
    await app.stop();
    throw err;
  });
  return using([sidecar, app], async () => {
    const window = { measuring: false };
    const body = stamped(env, window);
    const url = `${sidecar.url}/v1.0/publish/pubsub/${topic}`;
    await untilFlowing(() => fetch(url, { method: 'POST', body: body(), headers: JSON_TYPE }), appUrl);
    let disturbance: Promise<void> | undefined;
    const m = await measured([{ role: 'sidecar', pid: sidecar.pid }], async (onMeasure) => {
      const open = () => ((window.measuring = true), onMeasure(), (disturbance = during?.(load)));
      const sent = await httpLoad({ url, method: 'POST', body, headers: JSON_TYPE }, load, open);
      await disturbance;
      return delivered(appUrl, sent);
    });
    const { latency } = m;
    return { p50: latency.p50, p90: latency.p90, p99: latency.p99, lost: latency.lost ?? 0, publishErrors: latency.errors, mCpu: m.usage.mCpu, rssSteadyMb: m.usage.rssSteadyMb };
  });
}

const deliverRedis: SideBySideStep = {
  name: 'deliver-redis',
  title: `publish→deliver at ${DELIVER_RATE} msg/s (pubsub.redis, Redis Streams)`,
  needs: ['redis'],
  rounds: loadRounds,
  once: (launch, env) => deliverOnce(launch, env, env.redisAddress),
};

/**
 * The same with a Redis of its own, stopped a third into the measured window and started again on the same
 * port REDIS_DOWN_MS later, empty (no persistence): the sidecar must reconnect and make its consumer group again.
 */
const deliverAcrossRestart: SideBySideStep = {
  name: 'deliver-redis-restart',
  title: `publish→deliver at ${DELIVER_RATE} msg/s across a ${REDIS_DOWN_MS / 1000} s Redis restart (pubsub.redis)`,
  needs: [],
  rounds: loadRounds,
  async once(launch, env) {
    const port = await freePort();
    let redis: RedisServer = await startRedisServer(port);
    const restart = async (load: LoadOptions) => {
      await sleep((load.durationS * 1000) / 3);
      await redis.stop();
      await sleep(REDIS_DOWN_MS);
      redis = await startRedisServer(port);
    };
    try {
      return await deliverOnce(launch, env, `127.0.0.1:${port}`, restart);
    } finally {
      await redis.stop();
    }
  },
};

/** Every side-by-side step, in the order they run and are reported. */
export const sideBySideSteps: SideBySideStep[] = [startup, stateGet, stateSave, publish, invokeHttp, deliverRedis, deliverAcrossRestart];
