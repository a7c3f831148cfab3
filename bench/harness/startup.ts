import { component, resourcesDir } from '../../test/support/resources.js';
import { privateHome, round1, rssMb, startBareNode, startSidecar, type Sidecar } from './processes.js';
import type { Machine } from './run-record.js';
import { median } from './stats.js';

export interface StartupFigures {
  runs: number;
  readyMsMedian: number;
  readyMsMin: number;
  /** RSS 1 s after ready, median over the runs. */
  idleRssMb: number;
}

export interface StartupResult {
  date: string;
  /** The commit measured (results of several runs can be merged). */
  commit?: string;
  /** Set when merged with results from another machine: the one this step ran on. */
  machine?: Machine;
  /** A bare Node HTTP server answering the health check: the floor. */
  bareNode: StartupFigures;
  defaults: StartupFigures;
  full: StartupFigures;
}

const IDLE_AFTER_MS = 1000;

async function measure(start: () => Promise<Sidecar>, runs: number): Promise<StartupFigures> {
  const ready: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const process = await start();
    try {
      ready.push(process.readyMs);
      await new Promise((r) => setTimeout(r, IDLE_AFTER_MS));
      rss.push(rssMb(process.pid));
    } finally {
      await process.stop();
    }
  }
  return { runs, readyMsMedian: Math.round(median(ready)), readyMsMin: Math.round(Math.min(...ready)), idleRssMb: round1(median(rss)) };
}

/** Launch → first 204 from /v1.0/healthz and idle RSS: bare Node, the embedded defaults, and a Redis + Kafka set. */
export async function measureStartup(redisAddress: string, kafkaBrokers: string, runs: number): Promise<StartupResult> {
  const date = new Date().toISOString();
  const bareNode = await measure(() => startBareNode(privateHome()), runs);
  const defaults = await measure(() => startSidecar(['--app-id', 'bench-startup'], privateHome()), runs);
  const full = await measure(() => {
    const dir = resourcesDir({
      'state.yaml': component('statestore', 'state.redis', { redisHost: redisAddress }),
      'pubsub.yaml': component('pubsub', 'pubsub.redis', { redisHost: redisAddress }),
      'kafka.yaml': component('kafka', 'pubsub.kafka', { brokers: kafkaBrokers }),
      'lock.yaml': component('lockstore', 'lock.redis', { redisHost: redisAddress }),
      'config.yaml': component('configstore', 'configuration.redis', { redisHost: redisAddress }),
    });
    return startSidecar(['--app-id', 'bench-startup', '--resources-path', dir], privateHome());
  }, runs);
  return { date, bareNode, defaults, full };
}
