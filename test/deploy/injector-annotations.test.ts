import { describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../src/cli/parse-run-args.js';
import { review } from '../../src/injector/admission-review.js';
import { applyJsonPatch } from '../support/json-patch.js';
import { freePort, startMecha } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';
import { admission, appPod, decodePatch } from './admission-fixtures.js';

const OPTIONS = { image: 'mecha:test', componentsConfigMap: 'mecha-components' };

/** The review of `pod` and, when allowed with a patch, the patched pod and its sidecar. */
function inject(annotations: Record<string, string>, pod = appPod(annotations)) {
  const { status, review: r } = review(JSON.parse(admission(pod)), OPTIONS);
  expect(status).toBe(200);
  const response = r.response as { allowed: boolean; patch?: string; patchType?: string; warnings?: string[]; status?: { message: string } };
  if (!response.patch) return { response, patched: undefined, sidecar: undefined };
  const patched = applyJsonPatch(pod, decodePatch({ response }));
  return { response, patched, sidecar: patched.spec.containers.find((c: { name: string }) => c.name === 'daprd') };
}

const base = { 'dapr.io/enabled': 'true', 'dapr.io/app-id': 'orders' };

describe("the injector's reading of Dapr's annotations", () => {
  it('passes flags as mecha run parses them: Go-style booleans, sizes, shutdown, metrics, gRPC ports', () => {
    const { sidecar, patched } = inject({
      ...base, 'dapr.io/enabled': 'yes', 'dapr.io/log-as-json': 'off', 'dapr.io/enable-metrics': 'false', 'dapr.io/metrics-port': '9191',
      'dapr.io/max-body-size': '16Mi', 'dapr.io/http-max-request-size': '2', 'dapr.io/graceful-shutdown-seconds': '12',
      'dapr.io/grpc-port': '50011', 'dapr.io/internal-grpc-port': '50012', 'dapr.io/app-protocol': 'HTTP', 'dapr.io/app-ssl': 'true',
      'dapr.io/enable-app-health-check': 'true', 'dapr.io/app-health-check-path': '/ready', 'dapr.io/app-health-probe-interval': '3',
    });
    const { options } = parseRunArgs(sidecar.args.slice(1), {}, '/data');
    expect(options).toMatchObject({
      logAsJson: false, enableMetrics: false, metricsPort: 9191, maxRequestBytes: 16 * 1024 * 1024, gracefulShutdownSeconds: 12,
      grpcPort: 50011, internalGrpcPort: 50012, appProtocol: 'https', appHealthCheck: { path: '/ready', intervalMs: 3000 },
    });
    expect(sidecar.ports.map((p: { containerPort: number }) => p.containerPort)).toEqual([3500, 50011, 50012, 9191]);
    expect(patched.spec.containers[0].env).toContainEqual({ name: 'DAPR_GRPC_PORT', value: '50011' });
    expect(patched.metadata.labels['dapr.io/metrics-enabled']).toBe('false');
  });

  // Each annotation mecha run gets a flag from, with the values Dapr documents (edge values included) and
  // the option each must become once mecha run has parsed the injected container's arguments.
  const FLAG_VALUES: Array<[annotation: string, value: string, option: Record<string, unknown>]> = [
    ['app-port', '8080', { appPort: 8080 }],
    ['app-channel-address', '127.0.0.1', { appChannelAddress: '127.0.0.1' }],
    ['app-protocol', 'h2c', { appProtocol: 'h2c' }],
    ['app-ssl', 'true', { appProtocol: 'https' }],
    ['app-max-concurrency', '-1', { appMaxConcurrency: -1 }],
    ['app-max-concurrency', '1', { appMaxConcurrency: 1 }],
    ['log-level', 'debug', { logLevel: 'debug' }],
    ['log-as-json', 'true', { logAsJson: true }],
    ['enable-api-logging', 'true', { enableApiLogging: true }],
    ['enable-app-health-check', 'true', { appHealthCheck: { path: '/healthz', intervalMs: 5000, timeoutMs: 500, threshold: 3 } }],
    ['app-health-check-path', '/ready', {}],
    ['app-health-probe-interval', '1', {}],
    ['app-health-probe-timeout', '100', {}],
    ['app-health-threshold', '1', {}],
    ['max-body-size', '8Mi', { maxRequestBytes: 8 * 1024 * 1024 }],
    ['http-max-request-size', '2', { maxRequestBytes: 2 * 1024 * 1024 }],
    ['graceful-shutdown-seconds', '0', { gracefulShutdownSeconds: 0 }],
    ['graceful-shutdown-seconds', '-1', { gracefulShutdownSeconds: 5 }],
    ['enable-metrics', 'false', { enableMetrics: false }],
    ['metrics-port', '9191', { metricsPort: 9191 }],
  ];

  it.each(FLAG_VALUES)('passes dapr.io/%s: "%s" to mecha run in a form its parser takes', (annotation, value, option) => {
    const { sidecar } = inject({ ...base, [`dapr.io/${annotation}`]: value });
    expect(sidecar.args[0]).toBe('run');
    expect(parseRunArgs(sidecar.args.slice(1), {}, '/data').options).toMatchObject(option);
  });

  it('starts a sidecar from the arguments the injector generates for all of them at once', async () => {
    const annotations = Object.fromEntries(FLAG_VALUES.filter(([a]) => a !== 'app-port' && a !== 'enable-metrics').map(([a, v]) => [`dapr.io/${a}`, v]));
    const { sidecar } = inject({ ...base, ...annotations });
    // Outside a pod: loopback and free ports (startMecha's) instead of the pod's fixed ones, a local resources folder.
    const fixed = new Set(['--dapr-http-port', '--dapr-grpc-port']);
    const args = (sidecar.args.slice(1) as string[]).filter((a, i, all) => !fixed.has(a) && !fixed.has(all[i - 1]!));
    args[args.indexOf('--resources-path') + 1] = resourcesDir({ 'state.yaml': component('statestore', 'state.in-memory') });
    const local = ['--dapr-internal-grpc-port', String(await freePort()), '--metrics-port', String(await freePort()), '--dapr-listen-addresses', '127.0.0.1'];
    const m = await startMecha([...args, ...local]);
    try {
      const md = (await (await fetch(`${m.url}/v1.0/metadata`)).json()) as { id: string };
      expect(md.id).toBe('orders');
      expect(m.output()).not.toContain('"level":50');
    } finally {
      await m.stop();
    }
  });

  it('leaves the shutdown grace to the sidecar for -1, as Dapr does', () => {
    const { sidecar } = inject({ ...base, 'dapr.io/graceful-shutdown-seconds': '-1' });
    expect(sidecar.args).not.toContain('--dapr-graceful-shutdown-seconds');
  });

  it('reads env lists as Dapr does (commas inside values kept), secrets as secretKeyRefs, API tokens from Secrets', () => {
    const { sidecar } = inject({
      ...base, 'dapr.io/env': 'GOMAXPROCS=2, LIST=a,b,c,EMPTY=', 'dapr.io/env-from-secret': 'PASSWORD=db-secret:password,TOKEN=token-secret',
      'dapr.io/api-token-secret': 'dapr-api', 'dapr.io/app-token-secret': 'app-api',
    });
    expect(sidecar.env.slice(3)).toEqual([
      { name: 'GOMAXPROCS', value: '2' },
      { name: 'LIST', value: 'a,b,c' },
      { name: 'EMPTY', value: '' },
      { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db-secret', key: 'password' } } },
      { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'token-secret', key: 'token-secret' } } },
      { name: 'DAPR_API_TOKEN', valueFrom: { secretKeyRef: { name: 'dapr-api', key: 'token' } } },
      { name: 'APP_API_TOKEN', valueFrom: { secretKeyRef: { name: 'app-api', key: 'token' } } },
    ]);
  });

  it('mounts the volumes named by dapr.io/volume-mounts(-rw) that the pod has, and warns about the others', () => {
    const pod = appPod({ ...base, 'dapr.io/volume-mounts': 'certs:/certs', 'dapr.io/volume-mounts-rw': 'state:/var/state,missing:/x' });
    pod.spec.volumes = [{ name: 'certs', secret: { secretName: 'c' } }, { name: 'state', emptyDir: {} }];
    const { sidecar, patched, response } = inject({}, pod);
    expect(sidecar.volumeMounts.slice(2)).toEqual([{ name: 'certs', mountPath: '/certs', readOnly: true }, { name: 'state', mountPath: '/var/state', readOnly: false }]);
    expect(patched.spec.volumes.map((v: { name: string }) => v.name)).toEqual(['certs', 'state', 'mecha-components', 'mecha-data']);
    expect(response.warnings).toEqual(['mecha injector: volume "missing" named in dapr.io/volume-mounts is not in the pod and was not mounted']);
  });

  it('takes probe timings, resources, the image and a seccomp profile from their annotations', () => {
    const { sidecar } = inject({
      ...base, 'dapr.io/sidecar-liveness-probe-delay-seconds': '30', 'dapr.io/sidecar-readiness-probe-period-seconds': '2',
      'dapr.io/sidecar-cpu-request': '0.1', 'dapr.io/sidecar-image': 'example/mecha:edge', 'dapr.io/sidecar-seccomp-profile-type': 'RuntimeDefault',
    });
    expect(sidecar.livenessProbe.initialDelaySeconds).toBe(30);
    expect(sidecar.readinessProbe.periodSeconds).toBe(2);
    expect(sidecar.resources).toEqual({ requests: { cpu: '0.1' } });
    expect(sidecar.image).toBe('example/mecha:edge');
    expect(sidecar.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
  });

  it('defaults the app-id to the pod name, and warns about Dapr annotations mecha does not act on', () => {
    const pod = appPod({ 'dapr.io/enabled': 'true', 'dapr.io/enable-profiling': 'true', 'dapr.io/placement-host-address': 'p:50005' });
    pod.metadata.name = 'cart';
    const { sidecar, patched, response } = inject({}, pod);
    expect(sidecar.args.slice(sidecar.args.indexOf('--app-id'), sidecar.args.indexOf('--app-id') + 2)).toEqual(['--app-id', 'cart']);
    expect(patched.metadata.labels['dapr.io/app-id']).toBe('cart');
    expect(response.warnings).toEqual([
      'mecha injector: dapr.io/enable-profiling is not supported by mecha and was ignored',
      'mecha injector: dapr.io/placement-host-address is not supported by mecha and was ignored',
    ]);
  });

  it('adds labels and env lists where the pod has none, keeping app env vars already set', () => {
    const pod = appPod(base, [{ name: 'app', image: 'x', env: [{ name: 'DAPR_HTTP_PORT', value: '3600' }, { name: 'OTHER', value: '1' }] }, { name: 'helper', image: 'y' }]);
    delete pod.metadata.labels;
    const { patched } = inject({}, pod);
    expect(patched.spec.containers[0].env.map((e: { name: string; value: string }) => `${e.name}=${e.value}`)).toEqual(['DAPR_HTTP_PORT=3600', 'OTHER=1', 'DAPR_GRPC_PORT=50001', 'APP_PROTOCOL=http']);
    expect(patched.spec.containers[1].env.map((e: { name: string }) => e.name)).toEqual(['DAPR_HTTP_PORT', 'DAPR_GRPC_PORT', 'APP_PROTOCOL']);
    expect(patched.metadata.labels).toEqual({ 'dapr.io/sidecar-injected': 'true', 'dapr.io/app-id': 'orders', 'dapr.io/metrics-enabled': 'true' });
  });

  it.each([
    [{ 'dapr.io/app-id': 'Orders_v2' }, 'invalid app id "Orders_v2"'],
    [{ 'dapr.io/app-id': 'x'.repeat(60) }, 'at most 63 characters'],
    [{ 'dapr.io/app-protocol': 'websocket' }, 'dapr.io/app-protocol: "websocket" is not one of http, https, h2c, grpc, grpcs'],
    [{ 'dapr.io/log-level': 'verbose' }, 'dapr.io/log-level: "verbose" is not one of'],
    [{ 'dapr.io/app-max-concurrency': '-5' }, 'dapr.io/app-max-concurrency: "-5" is not a whole number from -1'],
    [{ 'dapr.io/graceful-shutdown-seconds': '-3' }, 'dapr.io/graceful-shutdown-seconds: "-3" is not a whole number from 0'],
    [{ 'dapr.io/metrics-port': '0' }, 'dapr.io/metrics-port: "0" is not a port'],
    [{ 'dapr.io/max-body-size': '4 MB' }, 'dapr.io/max-body-size: "4 MB" is not a size'],
    [{ 'dapr.io/sidecar-memory-limit': 'lots' }, 'dapr.io/sidecar-memory-limit: "lots" is not a Kubernetes quantity'],
    [{ 'dapr.io/env': 'JUSTTEXT' }, 'dapr.io/env: "JUSTTEXT" is not NAME=value'],
    [{ 'dapr.io/env-from-secret': 'A=s:k:x' }, 'dapr.io/env-from-secret: "A=s:k:x" is not NAME=secret'],
    [{ 'dapr.io/volume-mounts': 'data' }, 'dapr.io/volume-mounts: "data" is not volume:/absolute/path'],
    [{ 'dapr.io/sidecar-readiness-probe-threshold': '0' }, 'dapr.io/sidecar-readiness-probe-threshold: "0" is not a whole number of at least 1'],
  ])('refuses %o, saying why', (annotations, message) => {
    const { response } = inject({ ...base, ...annotations });
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toContain(message);
  });
});
