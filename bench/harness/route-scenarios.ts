import { parse } from 'yaml';
import { readMechaResources } from '../../src/config/mecha-resources.js';
import { RouteRunner } from '../../src/routes/route-runner.js';
import { parseRoute } from '../../src/routes/route-spec.js';
import { stepDefinitions } from '../../src/routes/steps/index.js';
import { component } from '../../test/support/resources.js';
import { message, startStepHost } from '../../test/support/step-host.js';
import { pad, result, type Env, type Scenario } from './scenario-kit.js';
import { summarize, type Latency } from './stats.js';

const STEPS = `
  - filter: "event.data.m >= 0"
  - transform: { jsonata: "$merge([$, { 'routed': true }])" }
  - transform: { setAttributes: { subject: bench }, setHeaders: { x-bench: "1" } }`;

/** A running route of the given steps publishing to topic `out` of pubsub.in-memory (no subscriber there). */
async function runnerFor(host: Awaited<ReturnType<typeof startStepHost>>, steps: string): Promise<RouteRunner> {
  const doc = parse(`apiVersion: mecha.io/v1alpha1
kind: Route
metadata: { name: bench }
spec:
  from: { pubsub: pubsub, topic: in }
  steps:${steps || ' []'}
  to: [{ pubsub: pubsub, topic: out }]
`) as Record<string, unknown>;
  const [resource] = readMechaResources([{ file: 'bench', index: 1, content: doc }], 'Route', 'bench').resources;
  const { route, problems } = parseRoute(resource!, stepDefinitions);
  if (!route) throw new Error(`bench route: ${JSON.stringify(problems)}`);
  const runner = new RouteRunner(route, host.deps);
  await runner.start();
  return runner;
}

/** Hands messages to the route one after another for `seconds`: per-message latency, messages/s and CPU. */
async function drive(runner: RouteRunner, env: Env, seconds: number, record: boolean): Promise<{ latency: Latency; mCpu: number; cpuUsPerMessage: number }> {
  const data = { m: 1, pad: pad(env) };
  const samples: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  const until = started + seconds * 1000;
  for (let i = 0; i < 10_000_000 && performance.now() < until; i++) {
    const t = performance.now();
    await runner.handle(message(data));
    if (record) samples.push(performance.now() - t);
  }
  const wallS = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  return { latency: { ...summarize(samples), rate: Math.round(samples.length / wallS) }, mCpu: Math.round(cpuMs / wallS), cpuUsPerMessage: Math.round((cpuMs * 1000) / Math.max(1, samples.length)) };
}

/**
 * The route's own cost, in process (no HTTP, no broker between): each message is handed to the route as a
 * pub/sub source hands it and resolves once the sink (an in-memory publish) accepted it, one at a time. The
 * direct path is the same route without steps; the note gives CPU time per message and messages/s per core.
 */
export const routeScenario: Scenario = {
  name: 'route-3-steps',
  group: 'Routes',
  title: 'route of 3 steps (filter, JSONata transform, attributes) → pubsub.in-memory, in process',
  needs: [],
  async run(env) {
    const host = await startStepHost({ 'pubsub.yaml': component('pubsub', 'pubsub.in-memory') });
    try {
      const plain = await runnerFor(host, '');
      const routed = await runnerFor(host, STEPS);
      const { warmupS, durationS } = env.load;
      await drive(plain, env, warmupS, false);
      await drive(routed, env, warmupS, false);
      const baseline = await drive(plain, env, durationS / 2, true);
      const rssBefore = process.memoryUsage().rss;
      const mecha = await drive(routed, env, durationS / 2, true);
      const { mCpu } = mecha;
      const rss = Math.round((Math.max(rssBefore, process.memoryUsage().rss) / 2 ** 20) * 10) / 10;
      const usage = { mCpu, rssPeakMb: rss, rssSteadyMb: rss, processes: 1, each: [{ role: 'harness with the route', mCpu, rssPeakMb: rss, rssSteadyMb: rss }] };
      await Promise.all([plain.stop(), routed.stop()]);
      // The harness is both the load and the route: its CPU is the load generator's too.
      // CPU time per message holds on a busy machine where wall-clock rates do not: one core's worth is 10⁶ µs/s.
      const perCore = (us: number) => Math.round(1e6 / Math.max(1, us));
      const note = `the same route without steps (one in-memory publish per message): ${baseline.cpuUsPerMessage} µs of CPU per message (${perCore(baseline.cpuUsPerMessage)} messages/s per core); with the 3 steps ${mecha.cpuUsPerMessage} µs (${perCore(mecha.cpuUsPerMessage)} messages/s per core)`;
      return result(this, { latency: mecha.latency, usage, loadGeneratorMCpu: mCpu }, baseline.latency, note);
    } finally {
      await host.stop();
    }
  },
};
