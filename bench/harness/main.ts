import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ensureKafkaServer } from '../../test/support/kafka-server.js';
import { ensureRedisServer } from '../../test/support/redis-server.js';
import { machine, renderReport, type BenchRun } from './report.js';
import { scenarios, type Env } from './scenarios.js';
import { measureStartup } from './startup.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rate: { type: 'string' },
    connections: { type: 'string', default: '16' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    payload: { type: 'string', default: '1024' },
    only: { type: 'string' },
    out: { type: 'string' },
  },
});

const quick = values.quick ?? false;
const selected = values.only ? scenarios.filter((s) => values.only!.split(',').includes(s.name)) : scenarios;
if (values.only && selected.length === 0) throw new Error(`--only: no such scenario; known: ${scenarios.map((s) => s.name).join(', ')}`);
const load = {
  rate: Number(values.rate ?? (quick ? 200 : 1000)),
  connections: Number(values.connections),
  durationS: Number(values.duration ?? (quick ? 2 : 60)),
  warmupS: Number(values.warmup ?? (quick ? 0.5 : 5)),
};
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

const [redis, kafka] = await Promise.all([ensureRedisServer(), ensureKafkaServer()]);
const env: Env = { load, payloadBytes: Number(values.payload), redisAddress: `${redis.host}:${redis.port}`, kafkaBrokers: kafka.brokers };
const run: BenchRun = { date: new Date().toISOString(), quick, machine: machine(), load, payloadBytes: env.payloadBytes, scenarios: [], failures: [] };
try {
  log(`startup (${quick ? 2 : 10} runs each)`);
  run.startup = await measureStartup(env.redisAddress, env.kafkaBrokers, quick ? 2 : 10);
  for (const s of selected) {
    log(`${s.name}: ${load.rate} req/s, ${load.connections} connections, ${load.durationS} s`);
    try {
      run.scenarios.push(await s.run(env));
    } catch (err) {
      log(`${s.name} failed: ${(err as Error).stack ?? err}`);
      run.failures.push({ name: s.name, error: (err as Error).message });
    }
  }
} finally {
  await Promise.all([redis.stop(), kafka.stop()]);
}

const json = `${JSON.stringify(run, null, 2)}\n`;
if (values.out) writeFileSync(values.out, json);
else if (!quick) {
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/${run.date.replace(/[:.]/g, '-')}.json`, json);
  writeFileSync('bench/results/latest.json', json);
  writeFileSync('docs/benchmarks.md', renderReport(run));
  log('wrote bench/results/latest.json and docs/benchmarks.md');
} else process.stdout.write(json);
process.exit(run.failures.length > 0 ? 1 : 0);
