#!/usr/bin/env node
// The order demo: checkout (Node.js) publishes orders → order-processor (Python) stores each one and
// reserves it in inventory (Go) by service invocation → inventory writes a receipt through an output
// binding and reports its stock on a cron binding. Three apps, three `mecha run` sidecars, no SDK.
// See examples/README.md.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOptions, USAGE } from './order-demo/runner/options.mjs';
import { buildInventory, ensureMecha, findPython } from './order-demo/runner/prerequisites.mjs';
import { complete, describeMissing, inspectOrders, orderIdsOf, summaryLines } from './order-demo/runner/progress.mjs';
import { provideRedis } from './order-demo/runner/redis.mjs';
import { describeExit, freePorts, say, startSidecar } from './order-demo/runner/sidecars.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEMO = join(ROOT, 'examples', 'order-demo');
const READY_TIMEOUT_MS = 90_000;
const POLL_MS = 500;

let options;
try {
  options = parseOptions(process.argv.slice(2), process.env);
} catch (err) {
  console.error(`order demo: ${err.message}`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}

const sidecars = [];
let redisStarting; // kept as a promise, so a Redis still starting when a signal arrives is stopped too
let runDir;
let failure; // set when a process ends that should not have
let interruptedBy;
const interrupted = new Promise((resolveSignal) => {
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => { interruptedBy ??= signal; resolveSignal(signal); });
});

main().then(
  () => finish(0),
  (err) => {
    console.error(interruptedBy ? `\norder demo: stopped by ${interruptedBy}` : `\norder demo FAILED: ${err.message}`);
    return finish(interruptedBy ? 130 : 1);
  },
);

async function main() {
  runDir = options.output ?? (await mkdtemp(join(tmpdir(), 'mecha-order-demo-')));
  await mkdir(join(runDir, 'bin'), { recursive: true });
  say('demo', `run folder ${runDir}`);

  const mechaBin = await guard(ensureMecha(ROOT, { build: options.build }));
  say('demo', 'building inventory with the installed Go (the first build compiles net/http: up to a minute or two)');
  const [python, inventoryBin] = await guard(Promise.all([findPython(), buildInventory(join(DEMO, 'inventory'), join(runDir, 'bin'))]));
  redisStarting = provideRedis(options.redis, runDir);
  const redis = await guard(redisStarting);
  say('demo', `${redis.private ? 'private redis-server' : 'Redis'} at ${redis.address}, database ${options.redisDb}`);

  const [i1, i2, i3, i4, p1, p2, p3, p4] = await freePorts(8);
  const common = {
    mechaBin,
    resources: join(DEMO, 'resources'),
    config: join(DEMO, 'config.yaml'),
    cwd: runDir,
    verbose: options.verbose,
    env: { ORDER_DEMO_REDIS_HOST: redis.address, ORDER_DEMO_REDIS_DB: String(options.redisDb) },
  };
  let stockReports = 0;
  let lastReport = '';
  const inventory = launch({ ...common, appId: 'inventory', ports: { http: i1, grpc: i2, internal: i3, app: i4 }, command: [inventoryBin],
    onAppLine: (line) => {
      const report = /^stock report #\d+: (.*)$/.exec(line);
      if (report) [stockReports, lastReport] = [stockReports + 1, report[1]];
    } });
  const processor = launch({ ...common, appId: 'order-processor', ports: { http: p1, grpc: p2, internal: p3, app: p4 },
    command: [python, '-u', join(DEMO, 'order-processor', 'app.py')] });
  await guard(Promise.all([inventory.ready(READY_TIMEOUT_MS), processor.ready(READY_TIMEOUT_MS)]));

  const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
  let published = 0;
  // Picked only now: ports picked before the others' start could be taken by then on a busy machine.
  const [c1, c2, c3] = await freePorts(3);
  const checkout = launch({ ...common, appId: 'checkout', ports: { http: c1, grpc: c2, internal: c3 }, command: [process.execPath, join(DEMO, 'checkout', 'checkout.mjs')],
    env: { ...common.env, ORDER_COUNT: String(options.orders), ORDER_RUN_ID: runId },
    onAppLine: (line) => { if (line.startsWith('published ')) published++; } }, { mayExit: true });

  const ids = orderIdsOf(runId, options.orders);
  const receiptsDir = join(runDir, 'receipts');
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  let view;
  let lastProgress = '';
  while (!view || !complete(view, stockReports)) {
    if (failure) throw new Error(failure);
    if (Date.now() > deadline) {
      const where = view ? describeMissing(view, stockReports) : 'the state store never answered';
      throw new Error(`the orders did not all go through within ${options.timeoutMs / 1000} s: ${where}`);
    }
    await guard(new Promise((r) => setTimeout(r, POLL_MS)));
    view = await inspectOrders(processor.url, receiptsDir, ids).catch(() => view);
    const progress = view ? `${view.final}/${ids.length} orders through, ${view.receipts} receipts, ${stockReports} stock reports` : '';
    if (progress && progress !== lastProgress) say('demo', (lastProgress = progress));
  }
  // checkout exits by itself once everything is published; its exit code is part of the result.
  const checkoutExit = await guard(checkout.exited);
  if (checkoutExit.code !== 0) throw new Error(`checkout exited with ${describeExit(checkoutExit)}`);

  console.log('');
  for (const line of summaryLines(view, { seconds: (Date.now() - started) / 1000, published, stockReports, lastReport, receiptsDir, kept: Boolean(options.output) })) console.log(line);
  if (!options.keep) return;

  console.log(`\nStill running (Ctrl-C stops everything). Try:
  curl -X POST localhost:${p1}/v1.0/publish/pubsub/orders -H 'content-type: application/json' -d '{"orderId":"order-manual-1","item":"gizmo","quantity":2}'
  curl localhost:${p1}/v1.0/state/statestore/order-manual-1
  curl -X POST localhost:${p1}/v1.0/invoke/inventory/method/reserve -d '{"orderId":"order-manual-2","item":"widget","quantity":1}'`);
  while (!interruptedBy) {
    if (failure) throw new Error(failure);
    await Promise.race([interrupted, new Promise((r) => setTimeout(r, POLL_MS))]);
  }
}

/** Starts a sidecar and records it; a sidecar that ends while the demo runs is a failure (checkout may end cleanly). */
function launch(opts, { mayExit = false } = {}) {
  const sidecar = startSidecar(opts);
  sidecars.push(sidecar);
  sidecar.exited.then((result) => {
    if (interruptedBy || (mayExit && result.code === 0)) return;
    // Its warnings and errors are already shown; the routine lines before the exit tell the rest.
    for (const line of sidecar.routineLines()) say(`${opts.appId}~`, line);
    failure ??= `${opts.appId} (mecha run) exited with ${describeExit(result)}; see its output above`;
  });
  return sidecar;
}

/** Races a step with Ctrl-C / SIGTERM, so an interrupted demo stops at once. */
function guard(step) {
  return Promise.race([step, interrupted.then((signal) => { throw new Error(`interrupted by ${signal}`); })]);
}

async function finish(code) {
  interruptedBy ??= 'shutdown'; // from here on, exits are expected
  if (sidecars.length || redisStarting) say('demo', 'stopping the sidecars, their apps and Redis');
  await Promise.all(sidecars.map((s) => s.stop()));
  await redisStarting?.then((redis) => redis.stop(), () => {});
  if (runDir && !options.output) await rm(runDir, { recursive: true, force: true });
  else if (runDir) say('demo', `kept ${runDir} (state.db, receipts/)`);
  process.exit(code);
}
