/**
 * The flags of `mecha run`, with daprd's names and defaults so Mecha is a drop-in: every flag daprd 1.17
 * accepts is here, either acted on or accepted with a warning that it has no effect. One table drives
 * parsing, validation, `--help` and the README's flag table (a test keeps them in step).
 */
export interface FlagSpec {
  name: string;
  /** `size`: a Kubernetes quantity in bytes (`4Mi`); `duration`: a Go duration (`5s`); `list`: repeatable and comma-separated. */
  kind: 'string' | 'int' | 'bool' | 'list' | 'size' | 'duration';
  default?: string | number | boolean;
  /** The default of `mecha run` when it differs from daprd's (the daprd form `mecha --app-id x` keeps daprd's). */
  runDefault?: { value: number; help: string };
  description: string;
  choices?: readonly string[];
  min?: number;
  max?: number;
  aliasOf?: string;
  /** Accepted for compatibility only: why it has no effect (printed as a warning when the flag is given). */
  noEffect?: string;
}

const PORT = { min: 0, max: 65535 } as const;

export const RUN_FLAGS: readonly FlagSpec[] = [
  { name: 'app-id', kind: 'string', default: '', description: 'The id of the application, used for service discovery, state key prefixes and pub/sub' },
  { name: 'app-port', kind: 'int', ...PORT, description: 'The port the application listens on (none or 0: no app channel)' },
  { name: 'app-protocol', kind: 'string', default: 'http', choices: ['http', 'https', 'h2c', 'grpc', 'grpcs'], description: 'Protocol the application speaks' },
  { name: 'app-ssl', kind: 'bool', default: false, description: 'Deprecated (dapr run): TLS to the app; turns http into https and grpc into grpcs' },
  { name: 'app-channel-address', kind: 'string', default: '127.0.0.1', description: 'Network address the application listens on' },
  { name: 'app-max-concurrency', kind: 'int', default: -1, min: -1, description: 'Maximum concurrent calls into the app (-1: unlimited)' },
  { name: 'enable-app-health-check', kind: 'bool', default: false, description: 'Probe the app and stop calling it while it is unhealthy' },
  { name: 'app-health-check-path', kind: 'string', default: '/healthz', description: 'Path probed on an HTTP app' },
  { name: 'app-health-probe-interval', kind: 'int', default: 5, min: 1, description: 'Seconds between app health probes' },
  { name: 'app-health-probe-timeout', kind: 'int', default: 500, min: 1, description: 'Milliseconds a probe may take' },
  { name: 'app-health-threshold', kind: 'int', default: 3, min: 1, description: 'Consecutive failed probes that make the app unhealthy' },
  { name: 'dapr-http-port', kind: 'int', default: 3500, runDefault: { value: 0, help: 'a free port; 3500 without "run", as daprd' }, ...PORT, description: 'HTTP port of the Dapr API' },
  { name: 'dapr-grpc-port', kind: 'int', default: 50001, runDefault: { value: 0, help: 'a free port; 50001 without "run", as daprd' }, ...PORT, description: 'gRPC port of the Dapr API' },
  { name: 'dapr-internal-grpc-port', kind: 'int', ...PORT, description: 'gRPC port for sidecar-to-sidecar calls (default: a free port)' },
  { name: 'dapr-internal-grpc-listen-address', kind: 'string', description: 'Address of the sidecar-to-sidecar listener (default: the first --dapr-listen-addresses)' },
  { name: 'dapr-listen-addresses', kind: 'string', default: '127.0.0.1', description: 'Comma-separated addresses the API servers listen on' },
  { name: 'dapr-public-port', kind: 'int', ...PORT, description: 'Extra port serving only the health and metadata endpoints (none: not served)' },
  { name: 'dapr-public-listen-address', kind: 'string', description: 'Address of the --dapr-public-port listener (default: the first --dapr-listen-addresses)' },
  { name: 'allowed-origins', kind: 'string', default: '*', description: 'Comma-separated origins browsers may call the HTTP API from (CORS); * allows any' },
  { name: 'resources-path', kind: 'list', description: 'Directory of resource YAML files (repeatable); without it, embedded defaults are used' },
  { name: 'components-path', kind: 'list', aliasOf: 'resources-path', description: 'Deprecated alias of --resources-path' },
  { name: 'config', kind: 'list', description: 'Path to a Configuration YAML file (repeatable)' },
  { name: 'log-level', kind: 'string', default: 'info', choices: ['debug', 'info', 'warn', 'error', 'fatal'], description: 'Log level' },
  { name: 'log-as-json', kind: 'bool', default: false, description: 'Write logs as JSON lines' },
  { name: 'max-body-size', kind: 'size', default: '4Mi', description: 'Maximum request body of the HTTP and gRPC APIs, as a quantity (4Mi, 16M; -1: no limit)' },
  { name: 'dapr-http-max-request-size', kind: 'int', min: -1, description: 'Deprecated: --max-body-size in MB (used when --max-body-size is not given)' },
  { name: 'read-buffer-size', kind: 'size', default: '4Ki', description: 'Maximum size of the request line and headers of an HTTP API request, as a quantity' },
  { name: 'dapr-http-read-buffer-size', kind: 'int', min: -1, description: 'Deprecated: --read-buffer-size in KB (used when --read-buffer-size is not given)' },
  { name: 'dapr-graceful-shutdown-seconds', kind: 'int', default: 5, min: 0, description: 'Seconds to let in-flight work finish on shutdown' },
  { name: 'dapr-block-shutdown-duration', kind: 'duration', description: 'On SIGTERM, keep serving this long (Go duration, e.g. 10s) or until the app turns unhealthy before shutting down' },
  { name: 'enable-api-logging', kind: 'bool', default: false, description: 'Log every API call' },
  { name: 'disable-hot-reload', kind: 'bool', default: false, description: 'Read the resources paths at startup only, instead of applying file changes while running' },
  { name: 'mode', kind: 'string', default: 'standalone', choices: ['standalone', 'kubernetes'], description: 'Hosting mode: kubernetes makes Kubernetes DNS the default name resolution' },
  { name: 'metrics-port', kind: 'int', default: 9090, runDefault: { value: 0, help: 'a free port; 9090 without "run", as daprd' }, ...PORT, description: 'Port of the Prometheus metrics endpoint' },
  { name: 'metrics-listen-address', kind: 'string', default: '0.0.0.0', description: 'Address of the Prometheus metrics endpoint' },
  { name: 'enable-metrics', kind: 'bool', default: true, description: 'Serve metrics' },
  { name: 'version', kind: 'bool', description: 'Print the version and exit, as daprd does' },
  { name: 'build-info', kind: 'bool', description: 'Print the version and build information and exit' },
  { name: 'enable-mtls', kind: 'bool', default: false, description: 'mTLS between sidecars with a certificate from Sentry (needs --sentry-address and DAPR_TRUST_ANCHORS)' },
  { name: 'sentry-address', kind: 'string', description: 'Address (host:port) of the Sentry CA, e.g. mecha sentry' },
  { name: 'control-plane-trust-domain', kind: 'string', default: 'localhost', description: 'Trust domain of the control plane: Sentry must be spiffe://<it>/ns/<namespace>/dapr-sentry ($DAPR_CONTROLPLANE_TRUST_DOMAIN)' },
  { name: 'control-plane-namespace', kind: 'string', default: 'default', description: 'Namespace of the control plane (Sentry) ($DAPR_CONTROLPLANE_NAMESPACE)' },
  // daprd flags for services Mecha does not have: accepted so daprd command lines run unchanged.
  { name: 'placement-host-address', kind: 'string', noEffect: 'actors are not served, so there is no placement service to join', description: 'Actor placement service addresses' },
  { name: 'scheduler-host-address', kind: 'list', noEffect: 'jobs and workflows are not served, so there is no scheduler to join', description: 'Scheduler service addresses' },
  { name: 'scheduler-job-streams', kind: 'int', min: 0, noEffect: 'there is no scheduler', description: 'Job streams to the scheduler' },
  { name: 'enable-profiling', kind: 'bool', noEffect: 'there is no pprof profiling server', description: 'Serve pprof profiles' },
  { name: 'profile-port', kind: 'int', min: -1, max: 65535, noEffect: 'there is no pprof profiling server', description: 'Port of the profiling server' },
  { name: 'sentry-request-jwt-audiences', kind: 'list', noEffect: 'there is no Sentry certificate authority', description: 'JWT audiences of certificate requests' },
  { name: 'control-plane-address', kind: 'string', noEffect: 'there is no control plane', description: 'Address of a Dapr control plane' },
  { name: 'disable-builtin-k8s-secret-store', kind: 'bool', noEffect: 'there is no built-in Kubernetes secret store to disable', description: 'Disable the built-in Kubernetes secret store' },
  { name: 'disable-init-endpoints', kind: 'list', noEffect: 'the app is always asked for its subscriptions and configuration', description: 'Initialisation calls to the app to skip' },
  { name: 'unix-domain-socket', kind: 'string', noEffect: 'the APIs listen on TCP ports only (see --dapr-http-port, --dapr-grpc-port)', description: 'Directory for Unix domain sockets of the APIs' },
  { name: 'wait', kind: 'bool', noEffect: 'the sidecar starts as usual; poll /v1.0/healthz/outbound to wait for it', description: 'Wait for the outbound readiness of a sidecar' },
];

export function findFlag(name: string): FlagSpec | undefined {
  return RUN_FLAGS.find((f) => f.name === name);
}

/**
 * daprd's flag parser (Go's pflag) accepts `-flag` for `--flag`, and gives a non-boolean flag the next
 * argument whatever it looks like (`--app-max-concurrency -1`). Rewrites both into `--flag=value` so one
 * parser sees one form; arguments after `--` (the app's command) are left alone.
 */
export function normaliseArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') return [...out, ...args.slice(i)];
    const flag = /^-[a-z][a-z0-9-]+(=.*)?$/.test(a) ? `-${a}` : a;
    const spec = /^--[a-z][a-z0-9-]*$/.test(flag) ? findFlag(flag.slice(2)) : undefined;
    if (spec && spec.kind !== 'bool' && i + 1 < args.length && args[i + 1] !== '--') out.push(`${flag}=${args[++i]}`);
    else out.push(flag);
  }
  return out;
}

export function helpText(usage: string, flags: readonly FlagSpec[]): string {
  const value = (f: FlagSpec) => (f.kind === 'bool' ? '' : f.kind === 'int' ? ' <n>' : ` <${f.choices ? f.choices.join('|') : f.kind === 'string' || f.kind === 'list' ? 'value' : f.kind}>`);
  const row = (f: FlagSpec) => {
    const def = f.runDefault ? ` (default: ${f.runDefault.help})` : f.default === undefined || f.default === '' ? '' : ` (default ${JSON.stringify(f.default)})`;
    return [`  --${f.name}${value(f)}`, `${f.description}${def}`];
  };
  const rows = flags.filter((f) => !f.noEffect).map(row);
  const ignored = flags.filter((f) => f.noEffect).map((f) => `--${f.name}`);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  const accepted = `Accepted as daprd accepts them, with a warning that they have no effect:\n${wrap(ignored.join(' '), 100, '  ')}`;
  return `${usage}\n\nFlags:\n${rows.map(([l, r]) => l.padEnd(width) + r).join('\n')}\n\n${accepted}\n`;
}

function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent.length + line.length + word.length + 1 > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, indent + line].join('\n');
}
