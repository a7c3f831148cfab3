/** The pod annotations Dapr's sidecar injector reads, and what they become for the mecha container. */
import { RUN_FLAGS } from '../cli/flags.js';
import {
  AnnotationError,
  checkAppId,
  checkQuantity,
  isTruthy,
  parseEnvList,
  parseVolumeMounts,
  quantityToMegabytes,
  type EnvVar,
  type VolumeMount,
} from './annotation-values.js';

export { AnnotationError };

export interface Pod {
  metadata?: { name?: string; generateName?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { containers?: Container[]; initContainers?: Container[]; volumes?: Array<{ name: string }> };
}

export interface Container {
  name: string;
  env?: EnvVar[];
  [key: string]: unknown;
}

export interface ProbeTiming {
  initialDelaySeconds: number;
  timeoutSeconds: number;
  periodSeconds: number;
  failureThreshold: number;
}

export interface SidecarSettings {
  appId: string;
  appProtocol: string;
  /** Flags for `mecha run` read from annotations, in daprd's names (the fixed ports and paths are added later). */
  args: string[];
  grpcPort: number;
  internalGrpcPort: number;
  metricsPort: number;
  metricsEnabled: boolean;
  env: EnvVar[];
  resources: { limits?: Record<string, string>; requests?: Record<string, string> };
  image?: string;
  /** `dapr.io/config`: a ConfigMap holding the Configuration as `config.yaml`. */
  configMap?: string;
  volumeMounts: VolumeMount[];
  readiness: ProbeTiming;
  liveness: ProbeTiming;
  seccompProfileType?: string;
  /** `dapr.io/…` annotations on the pod that mecha does not act on. */
  ignored: string[];
}

export const ANNOTATION = (name: string) => `dapr.io/${name}`;

/** Annotations passed on as `mecha run` flags, checked against the flag's own kind, range and choices. */
const FLAG_ANNOTATIONS: ReadonlyArray<[annotation: string, flag: string]> = [
  ['app-port', 'app-port'],
  ['app-channel-address', 'app-channel-address'],
  ['log-level', 'log-level'],
  ['log-as-json', 'log-as-json'],
  ['enable-api-logging', 'enable-api-logging'],
  ['app-max-concurrency', 'app-max-concurrency'],
  ['enable-app-health-check', 'enable-app-health-check'],
  ['app-health-check-path', 'app-health-check-path'],
  ['app-health-probe-interval', 'app-health-probe-interval'],
  ['app-health-probe-timeout', 'app-health-probe-timeout'],
  ['app-health-threshold', 'app-health-threshold'],
];

/** Dapr's probe annotations and defaults: readiness on /v1.0/healthz, liveness on /v1.0/healthz/outbound. */
const PROBE_DEFAULTS: Record<'readiness' | 'liveness', ProbeTiming> = {
  readiness: { initialDelaySeconds: 1, timeoutSeconds: 1, periodSeconds: 1, failureThreshold: 5 },
  liveness: { initialDelaySeconds: 180, timeoutSeconds: 3, periodSeconds: 10, failureThreshold: 5 },
};
const PROBE_FIELDS: ReadonlyArray<[suffix: string, field: keyof ProbeTiming, min: number]> = [
  ['delay-seconds', 'initialDelaySeconds', 0],
  ['timeout-seconds', 'timeoutSeconds', 1],
  ['period-seconds', 'periodSeconds', 1],
  ['threshold', 'failureThreshold', 1],
];

const OTHER_ANNOTATIONS = [
  'enabled', 'app-id', 'app-protocol', 'app-ssl', 'config', 'env', 'env-from-secret', 'api-token-secret', 'app-token-secret',
  'sidecar-image', 'sidecar-cpu-limit', 'sidecar-cpu-request', 'sidecar-memory-limit', 'sidecar-memory-request',
  'http-max-request-size', 'max-body-size', 'graceful-shutdown-seconds', 'metrics-port', 'enable-metrics', 'grpc-port',
  'internal-grpc-port', 'volume-mounts', 'volume-mounts-rw', 'sidecar-seccomp-profile-type',
];
const KNOWN = new Set([
  ...FLAG_ANNOTATIONS.map(([a]) => ANNOTATION(a)),
  ...OTHER_ANNOTATIONS.map(ANNOTATION),
  ...(['readiness', 'liveness'] as const).flatMap((p) => PROBE_FIELDS.map(([s]) => ANNOTATION(`sidecar-${p}-probe-${s}`))),
]);

/** `dapr.io/enabled` is truthy, as Dapr reads it. */
export function injectionRequested(pod: Pod): boolean {
  return isTruthy(pod.metadata?.annotations?.[ANNOTATION('enabled')] ?? '');
}

/** Reads the pod's annotations; an unusable value throws an AnnotationError naming the annotation. */
export function readSettings(pod: Pod): SidecarSettings {
  const a = pod.metadata?.annotations ?? {};
  const get = (name: string) => a[ANNOTATION(name)];
  // Dapr's default is the pod's name, which pods made from a template do not have yet at admission.
  const appId = get('app-id') || pod.metadata?.name;
  if (!appId) throw new AnnotationError(`${ANNOTATION('app-id')} is not set and the pod has no name yet (pods of a Deployment, Job… are named after admission): set ${ANNOTATION('app-id')}`);
  checkAppId(appId);

  const ssl = isTruthy(get('app-ssl') ?? '');
  const protocol = flagValue('app-protocol', 'app-protocol', (get('app-protocol') ?? 'http').toLowerCase());
  const appProtocol = ssl && (protocol === 'http' || protocol === 'grpc') ? `${protocol}s` : protocol;
  const args = ['--app-id', appId, '--app-protocol', appProtocol];
  for (const [annotation, flag] of FLAG_ANNOTATIONS) {
    const raw = get(annotation);
    if (raw === undefined) continue;
    const value = flagValue(annotation, flag, raw);
    args.push(...(RUN_FLAGS.find((f) => f.name === flag)!.kind === 'bool' ? [`--${flag}=${value}`] : [`--${flag}`, value]));
  }
  const maxBody = get('max-body-size');
  const maxRequest = maxBody ? String(quantityToMegabytes(ANNOTATION('max-body-size'), maxBody)) : get('http-max-request-size');
  if (maxRequest !== undefined) args.push('--dapr-http-max-request-size', flagValue(maxBody ? 'max-body-size' : 'http-max-request-size', 'dapr-http-max-request-size', maxRequest));
  const grace = get('graceful-shutdown-seconds');
  // -1 is Dapr's "the sidecar's default".
  if (grace !== undefined && grace.trim() !== '-1') args.push('--dapr-graceful-shutdown-seconds', flagValue('graceful-shutdown-seconds', 'dapr-graceful-shutdown-seconds', grace));
  const metricsEnabled = isTruthy(get('enable-metrics') ?? 'true');
  const metricsPort = port(get, 'metrics-port', 9090);
  args.push(`--enable-metrics=${metricsEnabled}`, '--metrics-port', String(metricsPort));

  const configMap = get('config')?.trim() || undefined;
  const env = [
    ...parseEnvList(ANNOTATION('env'), get('env'), false),
    ...parseEnvList(ANNOTATION('env-from-secret'), get('env-from-secret'), true),
    ...tokenEnv('DAPR_API_TOKEN', get('api-token-secret')),
    ...tokenEnv('APP_API_TOKEN', get('app-token-secret')),
  ];
  return {
    appId,
    appProtocol,
    args,
    grpcPort: port(get, 'grpc-port', 50001),
    internalGrpcPort: port(get, 'internal-grpc-port', 50002),
    metricsPort,
    metricsEnabled,
    env,
    resources: readResources(get),
    image: get('sidecar-image')?.trim() || undefined,
    configMap,
    volumeMounts: [...parseVolumeMounts(ANNOTATION('volume-mounts'), get('volume-mounts'), true), ...parseVolumeMounts(ANNOTATION('volume-mounts-rw'), get('volume-mounts-rw'), false)],
    readiness: readProbe(get, 'readiness'),
    liveness: readProbe(get, 'liveness'),
    seccompProfileType: get('sidecar-seccomp-profile-type')?.trim() || undefined,
    ignored: Object.keys(a).filter((k) => k.startsWith('dapr.io/') && !KNOWN.has(k)),
  };
}

/** A value for `mecha run --<flag>`, checked as the flag's parser would check it; errors name the annotation. */
function flagValue(annotation: string, flag: string, raw: string): string {
  const spec = RUN_FLAGS.find((f) => f.name === flag)!;
  const value = raw.trim();
  const fail = (expected: string) => new AnnotationError(`${ANNOTATION(annotation)}: "${raw}" is not ${expected}`);
  if (spec.kind === 'bool') return String(isTruthy(value));
  if (spec.kind === 'int') {
    const n = Number(value);
    const range = `${spec.min ?? '-∞'} to ${spec.max ?? '∞'}`;
    if (!/^-?\d+$/.test(value) || (spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) throw fail(`a whole number from ${range}`);
    return String(n);
  }
  if (spec.choices && !spec.choices.includes(value)) throw fail(`one of ${spec.choices.join(', ')}`);
  if (value === '') throw fail('a value');
  return value;
}

function port(get: (name: string) => string | undefined, annotation: string, fallback: number): number {
  const raw = get(annotation);
  if (raw === undefined) return fallback;
  const n = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || n < 1 || n > 65535) throw new AnnotationError(`${ANNOTATION(annotation)}: "${raw}" is not a port (1 to 65535)`);
  return n;
}

function tokenEnv(name: string, secret: string | undefined): EnvVar[] {
  // As in Dapr: the Secret's key `token`.
  return secret?.trim() ? [{ name, valueFrom: { secretKeyRef: { name: secret.trim(), key: 'token' } } }] : [];
}

function readResources(get: (name: string) => string | undefined): SidecarSettings['resources'] {
  const resources: SidecarSettings['resources'] = {};
  for (const [kind, key, suffix] of [['limits', 'cpu', 'limit'], ['limits', 'memory', 'limit'], ['requests', 'cpu', 'request'], ['requests', 'memory', 'request']] as const) {
    const value = get(`sidecar-${key}-${suffix}`);
    if (value !== undefined) (resources[kind] ??= {})[key] = checkQuantity(ANNOTATION(`sidecar-${key}-${suffix}`), value);
  }
  return resources;
}

function readProbe(get: (name: string) => string | undefined, probe: 'readiness' | 'liveness'): ProbeTiming {
  const timing = { ...PROBE_DEFAULTS[probe] };
  for (const [suffix, field, min] of PROBE_FIELDS) {
    const name = `sidecar-${probe}-probe-${suffix}`;
    const raw = get(name)?.trim();
    if (raw === undefined) continue;
    if (!/^\d+$/.test(raw) || Number(raw) < min) throw new AnnotationError(`${ANNOTATION(name)}: "${raw}" is not a whole number of at least ${min}`);
    timing[field] = Number(raw);
  }
  return timing;
}
