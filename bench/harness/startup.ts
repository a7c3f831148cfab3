import { component, resourcesDir } from '../../test/support/resources.js';
import { privateHome, round1, rssMb, startSidecar } from './processes.js';

export interface StartupFigures {
  runs: number;
  readyMsMedian: number;
  readyMsMin: number;
  idleRssMb: number;
}

export interface StartupResult {
  defaults: StartupFigures;
  full: StartupFigures;
}

async function measure(args: () => string[], runs: number): Promise<StartupFigures> {
  const ready: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const sidecar = await startSidecar(['--app-id', 'bench-startup', ...args()], privateHome());
    ready.push(sidecar.readyMs);
    await new Promise((r) => setTimeout(r, 1000));
    rss.push(rssMb(sidecar.pid));
    await sidecar.stop();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { runs, readyMsMedian: Math.round(median(ready)), readyMsMin: Math.round(Math.min(...ready)), idleRssMb: round1(median(rss)) };
}

/** Launch → first 204 from /v1.0/healthz and idle RSS, on the embedded defaults and on a Redis + Kafka set. */
export async function measureStartup(redisAddress: string, kafkaBrokers: string, runs: number): Promise<StartupResult> {
  const defaults = await measure(() => [], runs);
  const full = await measure(() => {
    const dir = resourcesDir({
      'state.yaml': component('statestore', 'state.redis', { redisHost: redisAddress }),
      'pubsub.yaml': component('pubsub', 'pubsub.redis', { redisHost: redisAddress }),
      'kafka.yaml': component('kafka', 'pubsub.kafka', { brokers: kafkaBrokers }),
      'lock.yaml': component('lockstore', 'lock.redis', { redisHost: redisAddress }),
      'config.yaml': component('configstore', 'configuration.redis', { redisHost: redisAddress }),
    });
    return ['--resources-path', dir];
  }, runs);
  return { defaults, full };
}
