/** The pod annotations Dapr's sidecar injector reads, and what they become for the mecha container. */

export interface Pod {
  metadata?: { name?: string; generateName?: string; namespace?: string; annotations?: Record<string, string> };
  spec?: { containers?: Container[]; volumes?: unknown[] };
}

export interface Container {
  name: string;
  env?: Array<{ name: string; value?: string; valueFrom?: unknown }>;
  [key: string]: unknown;
}

export interface SidecarSettings {
  appId: string;
  /** Flags for `mecha run`, in daprd's names. */
  args: string[];
  env: Array<{ name: string; value: string }>;
  resources: { limits?: Record<string, string>; requests?: Record<string, string> };
  image?: string;
  /** `dapr.io/config`: a ConfigMap holding the Configuration as `config.yaml`. */
  configMap?: string;
  metricsPort: number;
}

export const ANNOTATION = (name: string) => `dapr.io/${name}`;

/** Annotations passed through as `mecha run` flags: annotation name → flag, and how the value is checked. */
const FLAG_ANNOTATIONS: ReadonlyArray<[string, string, 'port' | 'int' | 'bool' | 'string' | 'level' | 'protocol']> = [
  ['app-port', '--app-port', 'port'],
  ['app-protocol', '--app-protocol', 'protocol'],
  ['app-channel-address', '--app-channel-address', 'string'],
  ['log-level', '--log-level', 'level'],
  ['log-as-json', '--log-as-json', 'bool'],
  ['enable-api-logging', '--enable-api-logging', 'bool'],
  ['app-max-concurrency', '--app-max-concurrency', 'int'],
  ['http-max-request-size', '--dapr-http-max-request-size', 'int'],
  ['graceful-shutdown-seconds', '--dapr-graceful-shutdown-seconds', 'int'],
  ['enable-app-health-check', '--enable-app-health-check', 'bool'],
  ['app-health-check-path', '--app-health-check-path', 'string'],
  ['app-health-probe-interval', '--app-health-probe-interval', 'int'],
  ['app-health-probe-timeout', '--app-health-probe-timeout', 'int'],
  ['app-health-threshold', '--app-health-threshold', 'int'],
];

const VALID: Record<string, (v: string) => boolean> = {
  port: (v) => /^\d+$/.test(v) && Number(v) > 0 && Number(v) < 65536,
  int: (v) => /^-?\d+$/.test(v),
  bool: (v) => /^(true|false)$/i.test(v),
  string: (v) => v.trim() !== '',
  level: (v) => ['debug', 'info', 'warn', 'error', 'fatal'].includes(v),
  protocol: (v) => ['http', 'grpc', 'https', 'grpcs', 'h2c'].includes(v),
};

export class AnnotationError extends Error {}

/** `dapr.io/enabled` is "true" (daprd accepts the usual truthy spellings). */
export function injectionRequested(pod: Pod): boolean {
  return /^(true|1|yes|on|y)$/i.test(pod.metadata?.annotations?.[ANNOTATION('enabled')] ?? '');
}

/** Reads the pod's annotations; an invalid value throws an AnnotationError naming the annotation. */
export function readSettings(pod: Pod): SidecarSettings {
  const a = pod.metadata?.annotations ?? {};
  const appId = a[ANNOTATION('app-id')] || pod.metadata?.name || pod.metadata?.generateName?.replace(/-$/, '');
  if (!appId) throw new AnnotationError(`${ANNOTATION('app-id')} is not set and the pod has no name to default to`);
  const args = ['--app-id', appId];
  for (const [name, flag, kind] of FLAG_ANNOTATIONS) {
    const value = a[ANNOTATION(name)];
    if (value === undefined) continue;
    if (!VALID[kind]!(value)) throw new AnnotationError(`${ANNOTATION(name)}: "${value}" is not a valid ${kind === 'level' ? 'log level (debug, info, warn, error)' : kind}`);
    args.push(flag, kind === 'bool' ? value.toLowerCase() : value);
  }
  const metricsPort = a[ANNOTATION('metrics-port')] ?? '9090';
  if (!VALID.port!(metricsPort)) throw new AnnotationError(`${ANNOTATION('metrics-port')}: "${metricsPort}" is not a valid port`);
  args.push('--metrics-port', metricsPort);
  const configMap = a[ANNOTATION('config')];
  if (configMap) args.push('--config', '/mecha/config/config.yaml');
  const resources: SidecarSettings['resources'] = {};
  for (const [kind, key] of [['limits', 'cpu'], ['limits', 'memory'], ['requests', 'cpu'], ['requests', 'memory']] as const) {
    const value = a[ANNOTATION(`sidecar-${key}-${kind === 'limits' ? 'limit' : 'request'}`)];
    if (value === undefined) continue;
    if (!/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.test(value)) throw new AnnotationError(`${ANNOTATION(`sidecar-${key}-${kind === 'limits' ? 'limit' : 'request'}`)}: "${value}" is not a Kubernetes quantity`);
    (resources[kind] ??= {})[key] = value;
  }
  return { appId, args, env: parseEnv(a[ANNOTATION('env')]), resources, image: a[ANNOTATION('sidecar-image')], configMap, metricsPort: Number(metricsPort) };
}

/** `dapr.io/env`: "KEY=value,KEY2=value2". */
function parseEnv(text: string | undefined): Array<{ name: string; value: string }> {
  if (!text) return [];
  return text
    .split(',')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf('=');
      const name = at > 0 ? pair.slice(0, at).trim() : '';
      if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) throw new AnnotationError(`${ANNOTATION('env')}: "${pair}" is not KEY=value`);
      return { name, value: pair.slice(at + 1) };
    });
}
