/**
 * The flags of `mecha run`, with daprd's names and defaults so Mecha is a drop-in. One table drives
 * parsing, validation and `--help`.
 */
export interface FlagSpec {
  name: string;
  kind: 'string' | 'int' | 'bool' | 'list';
  default?: string | number | boolean;
  description: string;
  choices?: readonly string[];
  min?: number;
  max?: number;
  aliasOf?: string;
}

const PORT = { min: 0, max: 65535 } as const;

export const RUN_FLAGS: readonly FlagSpec[] = [
  { name: 'app-id', kind: 'string', default: '', description: 'The id of the application, used for service discovery, state key prefixes and pub/sub' },
  { name: 'app-port', kind: 'int', ...PORT, description: 'The port the application listens on (none: no app channel)' },
  { name: 'app-protocol', kind: 'string', default: 'http', choices: ['http', 'https', 'h2c', 'grpc', 'grpcs'], description: 'Protocol the application speaks' },
  { name: 'app-channel-address', kind: 'string', default: '127.0.0.1', description: 'Network address the application listens on' },
  { name: 'app-max-concurrency', kind: 'int', default: -1, min: -1, description: 'Maximum concurrent calls into the app (-1: unlimited)' },
  { name: 'enable-app-health-check', kind: 'bool', default: false, description: 'Probe the app and stop calling it while it is unhealthy' },
  { name: 'app-health-check-path', kind: 'string', default: '/healthz', description: 'Path probed on an HTTP app' },
  { name: 'app-health-probe-interval', kind: 'int', default: 5, min: 1, description: 'Seconds between app health probes' },
  { name: 'app-health-probe-timeout', kind: 'int', default: 500, min: 1, description: 'Milliseconds a probe may take' },
  { name: 'app-health-threshold', kind: 'int', default: 3, min: 1, description: 'Consecutive failed probes that make the app unhealthy' },
  { name: 'dapr-http-port', kind: 'int', default: 3500, ...PORT, description: 'HTTP port of the Dapr API' },
  { name: 'dapr-grpc-port', kind: 'int', default: 50001, ...PORT, description: 'gRPC port of the Dapr API' },
  { name: 'dapr-internal-grpc-port', kind: 'int', ...PORT, description: 'gRPC port for sidecar-to-sidecar calls (default: a free port)' },
  { name: 'dapr-internal-grpc-listen-address', kind: 'string', description: 'Address of the sidecar-to-sidecar listener (default: the first --dapr-listen-addresses)' },
  { name: 'dapr-listen-addresses', kind: 'string', default: '127.0.0.1', description: 'Comma-separated addresses the API servers listen on' },
  { name: 'resources-path', kind: 'list', description: 'Directory of resource YAML files (repeatable); without it, embedded defaults are used' },
  { name: 'components-path', kind: 'list', aliasOf: 'resources-path', description: 'Deprecated alias of --resources-path' },
  { name: 'config', kind: 'list', description: 'Path to a Configuration YAML file (repeatable)' },
  { name: 'log-level', kind: 'string', default: 'info', choices: ['debug', 'info', 'warn', 'error', 'fatal'], description: 'Log level' },
  { name: 'log-as-json', kind: 'bool', default: false, description: 'Write logs as JSON lines' },
  { name: 'dapr-http-max-request-size', kind: 'int', default: 4, min: 1, description: 'Maximum request body size in MB' },
  { name: 'dapr-graceful-shutdown-seconds', kind: 'int', default: 5, min: 0, description: 'Seconds to let in-flight work finish on shutdown' },
  { name: 'enable-api-logging', kind: 'bool', default: false, description: 'Log every API call' },
  { name: 'mode', kind: 'string', default: 'standalone', choices: ['standalone', 'kubernetes'], description: 'Hosting mode: kubernetes makes Kubernetes DNS the default name resolution' },
  { name: 'metrics-port', kind: 'int', default: 9090, ...PORT, description: 'Port of the Prometheus metrics endpoint' },
  { name: 'metrics-listen-address', kind: 'string', default: '0.0.0.0', description: 'Address of the Prometheus metrics endpoint' },
  { name: 'enable-metrics', kind: 'bool', default: true, description: 'Serve metrics' },
];

/** daprd accepts Go-style single-dash long flags (`-app-id`); rewrite them so one parser sees one form. */
export function normaliseDashes(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') return [...out, ...args.slice(i)];
    out.push(/^-[a-z][a-z0-9-]+(=.*)?$/.test(a) ? `-${a}` : a);
  }
  return out;
}

export function helpText(usage: string, flags: readonly FlagSpec[]): string {
  const rows = flags.map((f) => {
    const value = f.kind === 'bool' ? '' : f.kind === 'int' ? ' <n>' : ` <${f.choices ? f.choices.join('|') : 'value'}>`;
    const def = f.default === undefined || f.default === '' ? '' : ` (default ${JSON.stringify(f.default)})`;
    return [`  --${f.name}${value}`, `${f.description}${def}`];
  });
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return `${usage}\n\nFlags:\n${rows.map(([l, r]) => l.padEnd(width) + r).join('\n')}\n`;
}
