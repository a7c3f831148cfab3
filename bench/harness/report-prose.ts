import type { BenchRun } from './run-record.js';

/** The written parts of docs/benchmarks.md; the figures in them come from the run. */

export interface DaprdFigure {
  /** Which daprd test, in a few words. */
  what: string;
  added: { p50: number; p90: number; p99: number };
  mCpu: number;
  rssMb: number;
}

/**
 * daprd 1.17's release performance figures (dapr/dapr tests/perf/report/charts/v1.17.0: 1000 req/s, 16
 * connections, 60 s, fortio; added latency = through daprd minus the test's baseline). The state and
 * publish tests use daprd's in-memory components; for invocation daprd reports the callee's sidecar only.
 */
export const DAPRD: Record<string, DaprdFigure> = {
  'state-get-memory': { what: 'state get over HTTP, in-memory store', added: { p50: 0.28, p90: 0.71, p99: 0.98 }, mCpu: 57, rssMb: 48 },
  'publish-grpc-memory': { what: 'publish over gRPC, in-memory pub/sub, empty payload', added: { p50: 0.53, p90: 0.81, p99: 1.72 }, mCpu: 105, rssMb: 50 },
  'invoke-http': { what: 'HTTP invocation, 1 KB; callee sidecar', added: { p50: 1.06, p90: 1.48, p99: 2.9 }, mCpu: 202, rssMb: 51 },
  'invoke-grpc': { what: 'gRPC invocation, 1 KB; callee sidecar', added: { p50: 1.68, p90: 1.97, p99: 2.83 }, mCpu: 248, rssMb: 50 },
};

/** The cost rows held to a CPU target: at most this fraction more sidecar CPU than with metrics off. */
export const COST_TARGETS: Record<string, number> = { 'state-get-memory-metrics': 0.1, 'invoke-http-metrics': 0.1 };

export function methodSection(run: BenchRun): string {
  const l = run.load;
  return `- **Two runs per scenario at the same fixed rate**: ${l.rate} requests/s over ${l.connections} keep-alive connections,
  ${run.payloadBytes}-byte payloads, ${l.warmupS} s of warm-up (not recorded) then ${l.durationS} s measured — once on the
  **direct** path (the same operation without a sidecar, described under each table) and once **through Mecha**.
  "Added" is the difference of the two distributions at each percentile.
- **HTTP load: autocannon** in the harness process. Each connection sends on an even schedule
  (${(l.connections * 1000 / l.rate).toFixed(1)} ms apart, the connections staggered), the way fortio's \`-qps\` paces the load behind
  daprd's figures: a late answer delays only its own connection, whose next request then leaves at once.
  autocannon's own \`overallRate\` is not used: it spends each second's budget in one burst at full
  concurrency, which measures queueing rather than per-request cost. Every 2xx answer's time comes from
  autocannon's \`response\` event (fractional milliseconds; its own histogram keeps whole ones), so the
  percentiles are exact (nearest rank) over all answers of the window; any other answer counts as failed.
- **gRPC load: our own driver** (\`grpcLoad\` in \`bench/harness/load.ts\`, @grpc/grpc-js), because autocannon speaks
  HTTP/1.1 only: the same schedule, one client per connection on its own HTTP/2 connection, one call in flight
  per connection.
- **Processes**: the load generator runs in the harness; every sidecar, app and direct server is a process of
  its own. Mecha runs from the built bundle (\`mecha run --log-level warn\`) with a resources folder per
  scenario and a private HOME (the two sidecars of an invocation find each other there by app id). Redis
  and Kafka are private servers on loopback ports, started by the harness (\`test/support\`).
- **The direct path is shaped like Mecha's**: an HTTP server doing the operation with the client library the
  adapter uses (a Map, better-sqlite3, ioredis, kafkajs), or the client calling the app itself. "Added" is
  therefore Mecha's path minus one equally shaped direct path: what the sidecar's own processing costs.
- **Publish→deliver** is timed from the send time stamped in the payload (\`performance.timeOrigin +
  performance.now()\`, set by autocannon's \`setupRequest\` as the request leaves) to the subscriber's receipt,
  on the same clock. Only messages of the measured window count; the harness waits until every accepted
  publish is delivered (or 2 s pass without one, at most 30 s) and reports the rest as not delivered.
- **Sidecar CPU** is the process's CPU time (\`/proc/<pid>/stat\` utime + stime) over wall time during the
  measured window, in thousandths of a core (mCPU), with the CPU time per request beside it. **RSS** is
  \`VmRSS\` every 250 ms: the peak, and the median of the second half of the window as the steady value.
  Invocation runs two sidecars: each is shown, and the sum.
- **Metrics and tracing** rows compare Mecha with Mecha: the same sidecars run once with
  \`--enable-metrics=false\` and \`spec.tracing.samplingRate: "0"\` (the baseline), then with metrics on and
  tracing at \`"0"\` or \`"1"\`. Both runs name the same OTLP/HTTP exporter, a loopback sink that counts and
  discards what it gets (\`bench/apps/otlp-sink.mjs\`); the row fails unless it received nothing at \`"0"\`
  and spans at \`"1"\`.
- **Startup** is the time from spawning the process to the first 204 from \`GET /v1.0/healthz\` (polled every
  2 ms), median and best of several launches; idle RSS is read 1 s after ready. A bare Node HTTP server
  answering the same check is measured the same way, as the floor.`;
}

const range = (xs: number[]) => (Math.min(...xs) === Math.max(...xs) ? `${xs[0]}` : `${Math.min(...xs)}–${Math.max(...xs)}`);

export function limitsSection(run: BenchRun): string {
  const floor = run.startup?.bareNode;
  const cores = run.machine.cores;
  const slowest = Math.max(1, Math.round((run.load.durationS * run.load.rate) / 1000));
  const busiest = [...run.scenarios].sort((a, b) => b.sidecar.mCpu - a.sidecar.mCpu)[0];
  const generator = run.scenarios.map((s) => s.loadGeneratorMCpu).filter((n): n is number => n !== undefined);
  const busy = busiest
    ? ` The busiest scenario here, ${busiest.title}, kept ${(busiest.sidecar.mCpu / 1000).toFixed(2)} of the ${cores} cores busy in its sidecars alone${generator.length > 0 ? `, and the load generator itself used ${range(generator)} mCPU` : ''}.`
    : '';
  return `- **${cores} cores for everything.** The load generator, one or two sidecars, the app and the broker share
  ${cores} cores; the direct path runs fewer processes, so part of every "added" figure is waiting for a core,
  not work.${busy} daprd's figures come from a Kubernetes cluster with a core or more per sidecar.
- **One JavaScript thread per sidecar.** Each request costs a slice of the event loop (HTTP parsing, routing,
  JSON, the adapter call); the CPU column shows that slice per request. Tail percentiles grow when a garbage
  collection or a run of arrivals queues requests behind each other: p99.9 of ${run.load.durationS} s at ${run.load.rate} req/s is
  ${slowest === 1 ? 'the single slowest request' : `the ${slowest} slowest requests`}, and mostly measures those pauses.
- **State and publish** add one HTTP parse and encode on the sidecar plus the adapter's own work (daprd's key
  prefixes and ETags, the CloudEvent envelope); the store's own latency is on both paths.
- **Two-hop invocation** crosses two sidecars: HTTP in, name resolution (a cached lookup), the internal gRPC
  call (\`dapr.proto.internals.v1\`, as daprd), HTTP or gRPC out to the app, and the same way back — each hop a
  full parse and serialise, on cores the app and the load generator also use.
- **Publish→deliver** is dominated by how the broker hands messages out: Redis Streams by a blocking read,
  Kafka by the consumer's fetch loop (kafkajs); both paths pay that delay, Mecha's adds its HTTP delivery to
  the app and the wait for its answer.
- **Memory and startup** start from Node itself${floor ? ` (${floor.idleRssMb.toFixed(0)} MB and ${floor.readyMsMedian} ms for a bare HTTP server here)` : ''};
  the rest is loading the code (one esbuild bundle, compiled with the V8 code cache the build records;
  client libraries load only for the component types declared), connecting to the declared servers, and
  V8's heap growing under load.
- **Quick mode** (\`npm run bench -- --quick\`, run in CI) measures a few hundred requests per scenario: it proves
  that every scenario runs, nothing more.`;
}
