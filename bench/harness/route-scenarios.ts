import { component, resourcesDir } from '../../test/support/resources.js';
import { httpLoad } from './load.js';
import { freePort, privateHome, startApp, startSidecar } from './processes.js';
import { delivered, untilFlowing } from './pubsub-scenarios.js';
import { measured, result, stamped, using, type Env, type Scenario } from './scenario-kit.js';
import type { Latency } from './stats.js';

const JSON_TYPE = { 'content-type': 'application/json' };

/** A Route of three steps between two topics of pubsub.in-memory; the subscriber app reads the second. */
function routeResources(from: string, to: string): string {
  return resourcesDir({
    'pubsub.yaml': component('pubsub', 'pubsub.in-memory'),
    'route.yaml': `apiVersion: mecha.io/v1alpha1
kind: Route
metadata:
  name: bench
spec:
  from: { pubsub: pubsub, topic: ${from} }
  steps:
    - filter: "event.data.m >= 0"
    - transform: { jsonata: "$merge([$, { 'routed': true }])" }
    - transform: { setAttributes: { subject: bench }, setHeaders: { x-bench: "1" } }
  to: [{ pubsub: pubsub, topic: ${to} }]
`,
  });
}

/** Publishes to `topic` through the sidecar at the load's rate; the subscriber app on `topic`'s destination times each delivery. */
async function publishToDeliver(env: Env, args: string[], publishTopic: string, appTopic: string, measure: boolean) {
  const appPort = await freePort();
  const app = await startApp('subscriber-app.mjs', [String(appPort), appTopic]);
  const appUrl = `http://127.0.0.1:${appPort}`;
  const sidecar = await startSidecar([...args, '--app-port', String(appPort)], privateHome());
  return using([sidecar, app], async () => {
    const window = { measuring: false };
    const body = stamped(env, window);
    const url = `${sidecar.url}/v1.0/publish/pubsub/${publishTopic}`;
    await untilFlowing(() => fetch(url, { method: 'POST', body: body(), headers: JSON_TYPE }), appUrl);
    const run = async (onMeasure: () => void): Promise<Latency> => {
      const open = () => ((window.measuring = true), onMeasure());
      return delivered(appUrl, await httpLoad({ url, method: 'POST', body, headers: JSON_TYPE }, env.load, open));
    };
    return measure ? measured([{ role: 'sidecar', pid: sidecar.pid }], run) : { latency: await run(() => undefined) };
  });
}

/**
 * Publish → route (filter, JSONata transform, attributes) → publish → deliver, in one sidecar; the baseline is
 * publish → deliver on the same sidecar without the route, so "added" is what the route's hop costs.
 */
export const routeScenario: Scenario = {
  name: 'route-3-steps-memory',
  group: 'Routes',
  title: 'publish→route (3 steps)→deliver (pubsub.in-memory)',
  needs: [],
  async run(env) {
    const stamp = Date.now();
    const [into, out] = [`bench-in-${stamp}`, `bench-out-${stamp}`];
    const plain = await publishToDeliver(env, ['--app-id', `bench-plain-${stamp}`, '--resources-path', routeResources(`unused-${stamp}`, `unused-out-${stamp}`)], out, out, false);
    const routed = await publishToDeliver(env, ['--app-id', `bench-route-${stamp}`, '--resources-path', routeResources(into, out)], into, out, true);
    if (!('usage' in routed)) throw new Error('the routed run was not measured');
    return result(this, routed, plain.latency, 'publish→deliver through the same sidecar without the route (the route adds one in-memory publish and its steps)');
  },
};
