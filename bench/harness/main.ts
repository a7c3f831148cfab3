import { runSideBySide, sideBySideNames } from './against.js';
import { sideBySideSteps } from './against-steps.js';
import { resolveDaprd } from './daprd.js';
import { ensureKafkaServer, type KafkaServer } from '../../test/support/kafka-server.js';
import { ensureRedisServer, type RedisServer } from '../../test/support/redis-server.js';
import { parseOptions, USAGE } from './options.js';
import { FORMAT, machine, mechaBuild, type BenchRun } from './run-record.js';
import { rewriteReport, saveResults } from './results.js';
import { scenarios, type Env } from './scenarios.js';
import { measureStartup } from './startup.js';
import { measureWorkflows } from './workflow-bench.js';
import { measureContracts } from './contract-validation.js';

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

/** Every step, in the order of the results and the report. */
const order = ['startup', 'contracts', 'workflows', ...scenarios.map((s) => s.name)];

function parseOrExit() {
  try {
    return parseOptions(process.argv.slice(2), order, sideBySideNames);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return process.exit(2);
  }
}
const options = parseOrExit();
if (options.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (options.reportOnly) {
  log(rewriteReport(order));
  process.exit(0);
}
const { load, quick } = options;
const run: BenchRun = { format: FORMAT, date: new Date().toISOString(), quick, machine: machine(), mecha: mechaBuild(), load, payloadBytes: options.payloadBytes, scenarios: [], failures: [] };

if (options.against !== undefined) {
  let daprd;
  try {
    daprd = resolveDaprd(options.against);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const redis = sideBySideSteps.some((s) => options.steps.includes(s.name) && s.needs.includes('redis')) ? await ensureRedisServer() : undefined;
  try {
    const env: Env = { load, payloadBytes: options.payloadBytes, redisAddress: redis ? `${redis.host}:${redis.port}` : '', kafkaBrokers: '' };
    run.against = await runSideBySide({ daprd, env, quick, only: options.steps, commit: run.mecha.commit, log });
  } finally {
    await redis?.stop();
  }
  for (const line of saveResults(run, { out: options.out, order })) log(line);
  process.exit(run.against.failures.length > 0 ? 1 : 0);
}
const selected = scenarios.filter((s) => options.steps.includes(s.name));
const withStartup = options.steps.includes('startup');
const needs = new Set([...selected.flatMap((s) => s.needs), ...(withStartup ? (['redis', 'kafka'] as const) : [])]);

let redis: RedisServer | undefined;
let kafka: KafkaServer | undefined;
try {
  log(`starting ${[...needs].join(' and ') || 'no backing servers'}`);
  [redis, kafka] = await Promise.all([needs.has('redis') ? ensureRedisServer() : undefined, needs.has('kafka') ? ensureKafkaServer() : undefined]);
  const env: Env = { load, payloadBytes: options.payloadBytes, redisAddress: redis ? `${redis.host}:${redis.port}` : '', kafkaBrokers: kafka?.brokers ?? '' };
  if (withStartup) {
    const runs = quick ? 2 : 10;
    log(`startup (${runs} runs each)`);
    try {
      run.startup = { ...(await measureStartup(env.redisAddress, env.kafkaBrokers, runs)), commit: run.mecha.commit };
    } catch (err) {
      log(`startup failed: ${(err as Error).stack ?? err}`);
      run.failures.push({ name: 'startup', error: (err as Error).message });
    }
  }
  if (options.steps.includes('contracts')) {
    log('contracts (in-process)');
    try {
      run.contracts = { ...(await measureContracts(quick ? 2_000 : 200_000)), commit: run.mecha.commit };
    } catch (err) {
      log(`contracts failed: ${(err as Error).stack ?? err}`);
      run.failures.push({ name: 'contracts', error: (err as Error).message });
    }
  }
  if (options.steps.includes('workflows')) {
    log(`workflows (${quick ? 'a tenth of the instances' : 'full size'})`);
    try {
      run.workflows = { ...(await measureWorkflows(quick)), commit: run.mecha.commit };
    } catch (err) {
      log(`workflows failed: ${(err as Error).stack ?? err}`);
      run.failures.push({ name: 'workflows', error: (err as Error).message });
    }
  }
  for (const s of selected) {
    log(`${s.name}: ${load.rate} req/s, ${load.connections} connections, ${load.warmupS} s warm-up + ${load.durationS} s`);
    try {
      run.scenarios.push({ ...(await s.run(env)), commit: run.mecha.commit });
    } catch (err) {
      log(`${s.name} failed: ${(err as Error).stack ?? err}`);
      run.failures.push({ name: s.name, error: (err as Error).message });
    }
  }
} finally {
  await Promise.all([redis?.stop(), kafka?.stop()]);
}

for (const line of saveResults(run, { out: options.out, order })) log(line);
process.exit(run.failures.length > 0 ? 1 : 0);
