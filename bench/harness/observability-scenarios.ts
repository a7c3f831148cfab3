import { component, resourcesDir } from '../../test/support/resources.js';
import { httpLoad, type HttpTarget } from './load.js';
import { freePort, privateHome, startApp, startSidecar, type Proc, type Watched } from './processes.js';
import { measured, pad, result, using, type Env, type Scenario } from './scenario-kit.js';

/**
 * What metrics and tracing cost on two hot paths: the same sidecars measured twice, first with metrics off
 * and tracing at "0" (the baseline), then with the arm under test on. Every arm exports to the same
 * loopback OTLP/HTTP sink (bench/apps/otlp-sink.mjs), so only the switch differs between the two runs.
 */
type Path = 'state' | 'invoke';
type SamplingRate = '0' | '1';
const JSON_TYPE = { 'content-type': 'application/json' };

function tracingConfig(sinkPort: number, samplingRate: SamplingRate): string {
  const text = `apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: bench-tracing
spec:
  tracing:
    samplingRate: "${samplingRate}"
    otel:
      endpointAddress: "127.0.0.1:${sinkPort}"
      protocol: http
      isSecure: false
`;
  return `${resourcesDir({ 'config.yaml': text })}/config.yaml`;
}

/** Starts the path's sidecars with `flags`, runs the load over its measured window, stops them. */
async function measureArm(path: Path, env: Env, flags: string[], appPort: number) {
  const home = privateHome();
  if (path === 'state') {
    const dir = resourcesDir({ 'state.yaml': component('statestore', 'state.in-memory') });
    const sidecar = await startSidecar(['--app-id', 'bench-state', '--resources-path', dir, ...flags], home);
    return using([sidecar], async () => {
      const base = `${sidecar.url}/v1.0/state/statestore`;
      const seeded = await fetch(base, { method: 'POST', body: JSON.stringify([{ key: 'k', value: pad(env) }]), headers: JSON_TYPE });
      if (seeded.status !== 204) throw new Error(`seeding the state store answered ${seeded.status}: ${await seeded.text()}`);
      return measured([{ role: 'sidecar', pid: sidecar.pid }], (onMeasure) => httpLoad({ url: `${base}/k`, method: 'GET' }, env.load, onMeasure));
    });
  }
  const callee = await startSidecar(['--app-id', 'bench-callee', '--app-port', String(appPort), ...flags], home);
  const caller = await startSidecar(['--app-id', 'bench-caller', ...flags], home);
  const target: HttpTarget = { url: `${caller.url}/v1.0/invoke/bench-callee/method/echo`, method: 'POST', body: pad(env) };
  const sidecars: Watched[] = [{ role: 'caller', pid: caller.pid }, { role: 'callee', pid: callee.pid }];
  return using([caller, callee], () => measured(sidecars, (onMeasure) => httpLoad(target, env.load, onMeasure)));
}

const exported = async (sinkPort: number) => (await (await fetch(`http://127.0.0.1:${sinkPort}/count`)).json()) as { exports: number; bytes: number };

/** Metrics on and tracing at `samplingRate`, against metrics off and tracing at "0". */
function costScenario(path: Path, samplingRate: SamplingRate): Scenario {
  const s = {
    name: `${path === 'state' ? 'state-get-memory' : 'invoke-http'}-${samplingRate === '1' ? 'tracing' : 'metrics'}`,
    group: 'Metrics and tracing',
    title: `${path === 'state' ? 'get (state.in-memory)' : 'two-hop invocation over HTTP'}: metrics on, tracing at sampling ${samplingRate}`,
  };
  return {
    ...s,
    needs: [],
    async run(env) {
      const [sinkPort, appPort] = [await freePort(), await freePort()];
      const procs: Proc[] = [await startApp('otlp-sink.mjs', [String(sinkPort)])];
      if (path === 'invoke') procs.push(await startApp('echo-app.mjs', [String(appPort)]));
      return using(procs, async () => {
        const off = await measureArm(path, env, ['--config', tracingConfig(sinkPort, '0'), '--enable-metrics=false'], appPort);
        const quiet = await exported(sinkPort);
        const measuredOn = await measureArm(path, env, ['--config', tracingConfig(sinkPort, samplingRate)], appPort);
        const sent = await exported(sinkPort);
        // Proof that each arm did what it says: nothing exported at "0", spans reaching the sink at "1".
        if (quiet.exports > 0 || (samplingRate === '0' && sent.exports > 0)) throw new Error(`tracing at sampling 0 sent ${sent.exports} export requests to the OTLP sink`);
        if (samplingRate === '1' && sent.exports === 0) throw new Error('tracing at sampling 1 sent nothing to the OTLP sink');
        const exportNote = samplingRate === '1' ? `; spans went to a loopback OTLP/HTTP sink that discards them (${sent.exports} export requests, ${(sent.bytes / 2 ** 20).toFixed(1)} MB)` : '';
        return {
          ...result(s, measuredOn, off.latency, `the same sidecars with metrics off and tracing at "0" (${off.usage.mCpu} mCPU at this load)${exportNote}`),
          baselineSidecar: off.usage,
        };
      });
    },
  };
}

export const observabilityScenarios: Scenario[] = [
  costScenario('state', '0'),
  costScenario('state', '1'),
  costScenario('invoke', '0'),
  costScenario('invoke', '1'),
];
