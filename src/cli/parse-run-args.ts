import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { MtlsOptions, SidecarOptions } from '../config/sidecar-options.js';
import type { LogLevel } from '../observability/logger.js';
import { parseByteSize } from '../util/byte-size.js';
import { parseDuration } from '../util/duration.js';
import { findFlag, normaliseArgs, RUN_FLAGS, type FlagSpec } from './flags.js';

/** A bad command line: one line naming the flag, printed without a stack. */
export class UsageError extends Error {}

export interface RunCommand {
  options: SidecarOptions;
  /** The app to launch, from the arguments after `--`. */
  appCommand: string[];
  help: boolean;
  /** `--version` or `--build-info`: print and exit, as daprd does. */
  exitWith?: 'version' | 'build-info';
  /** One line per given flag that is accepted for compatibility but has no effect. */
  warnings: string[];
}

/** gRPC's ceiling for a message; what "no limit" (`--max-body-size -1`) becomes. */
const NO_BODY_LIMIT = 2 ** 31 - 1;

/**
 * `form` is how Mecha was started: `run` (`mecha run`, like `dapr run`) picks free API ports unless they are
 * given; `daprd` (`mecha --app-id x`, standing in for the daprd binary) keeps daprd's 3500 and 50001.
 */
export function parseRunArgs(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string, form: 'run' | 'daprd' = 'run'): RunCommand {
  const args = normaliseArgs(argv);
  const dashdash = args.indexOf('--');
  const { args: flagArgs, forcedFalse } = expandBoolValues(dashdash === -1 ? args : args.slice(0, dashdash));
  const appCommand = dashdash === -1 ? [] : args.slice(dashdash + 1);

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: flagArgs,
      strict: true,
      allowPositionals: false,
      options: Object.fromEntries([
        ...RUN_FLAGS.map((f) => [f.name, { type: f.kind === 'bool' ? 'boolean' : 'string', multiple: f.kind === 'list' }]),
        ['help', { type: 'boolean', short: 'h' }],
      ]),
    });
  } catch (err) {
    throw new UsageError(describeParseError(err as Error));
  }
  const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const given = (name: string) => v[name] !== undefined || forcedFalse.has(name);
  const get = (name: string) => {
    const spec = findFlag(name)!;
    if (forcedFalse.has(name)) return false;
    if (v[name] === undefined && form === 'run' && spec.runDefault) return spec.runDefault.value;
    return convert(spec, v[name]);
  };
  // Every given value is checked, also of flags that only matter with another one (probe settings).
  for (const f of RUN_FLAGS) if (v[f.name] !== undefined && f.kind !== 'list') get(f.name);
  const list = (name: string) => ((v[name] as string[] | undefined) ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const resources = [...list('resources-path'), ...list('components-path')];
  const appPort = get('app-port') as number | undefined;
  const protocol = get('app-protocol') as string;

  const options: SidecarOptions = {
    appId: get('app-id') as string,
    // daprd and the Dapr CLI use 0 for "no app port".
    appPort: appPort === 0 ? undefined : appPort,
    appProtocol: get('app-ssl') && (protocol === 'http' || protocol === 'grpc') ? `${protocol}s` : protocol,
    appChannelAddress: get('app-channel-address') as string,
    appMaxConcurrency: get('app-max-concurrency') as number,
    appHealthCheck: get('enable-app-health-check')
      ? {
          path: get('app-health-check-path') as string,
          intervalMs: (get('app-health-probe-interval') as number) * 1000,
          timeoutMs: get('app-health-probe-timeout') as number,
          threshold: get('app-health-threshold') as number,
        }
      : undefined,
    httpPort: get('dapr-http-port') as number,
    grpcPort: get('dapr-grpc-port') as number,
    internalGrpcPort: get('dapr-internal-grpc-port') as number | undefined,
    internalGrpcListenAddress: get('dapr-internal-grpc-listen-address') as string | undefined,
    listenAddresses: commaList(get('dapr-listen-addresses') as string),
    publicPort: get('dapr-public-port') as number | undefined,
    publicListenAddress: get('dapr-public-listen-address') as string | undefined,
    allowedOrigins: commaList(get('allowed-origins') as string),
    resourcesPaths: resources.map((p) => resolve(cwd, p)),
    configPaths: list('config').map((p) => resolve(cwd, p)),
    logLevel: get('log-level') as LogLevel,
    logAsJson: get('log-as-json') as boolean,
    maxRequestBytes: sizeFlag(given, get, 'max-body-size', 'dapr-http-max-request-size', 1024 * 1024),
    maxHeaderBytes: sizeFlag(given, get, 'read-buffer-size', 'dapr-http-read-buffer-size', 1024),
    gracefulShutdownSeconds: get('dapr-graceful-shutdown-seconds') as number,
    blockShutdownMs: get('dapr-block-shutdown-duration') as number | undefined,
    enableApiLogging: get('enable-api-logging') as boolean,
    disableHotReload: get('disable-hot-reload') as boolean,
    mode: get('mode') as 'standalone' | 'kubernetes',
    metricsPort: get('metrics-port') as number,
    metricsListenAddress: get('metrics-listen-address') as string,
    enableMetrics: get('enable-metrics') as boolean,
    apiToken: env.DAPR_API_TOKEN || undefined,
    appApiToken: env.APP_API_TOKEN || undefined,
    mtls: get('enable-mtls') ? mtlsOptions(given, get, env) : undefined,
    dataDir: resolve(cwd, '.mecha'),
  };
  if (options.listenAddresses.length === 0) throw new UsageError('--dapr-listen-addresses: at least one address is required');
  if (options.allowedOrigins.length === 0) throw new UsageError('--allowed-origins: at least one origin (or *) is required');
  const warnings = RUN_FLAGS.filter((f) => f.noEffect && v[f.name] !== undefined && v[f.name] !== false).map((f) => `--${f.name} has no effect: ${f.noEffect}`);
  const exitWith = get('version') ? 'version' : get('build-info') ? 'build-info' : undefined;
  return { options, appCommand, help: v.help === true, exitWith, warnings };
}

/** Where daprd finds the projected service account token it sends Sentry in Kubernetes. */
const KUBERNETES_SENTRY_TOKEN = '/var/run/secrets/dapr.io/sentrytoken/token';

/** `--enable-mtls`: the trust anchors and a way to a certificate are required, as daprd requires them. */
function mtlsOptions(given: (name: string) => boolean, get: (name: string) => unknown, env: NodeJS.ProcessEnv): MtlsOptions {
  const trustAnchorsPem = env.DAPR_TRUST_ANCHORS ?? '';
  if (!trustAnchorsPem.includes('BEGIN CERTIFICATE')) {
    throw new UsageError('--enable-mtls: DAPR_TRUST_ANCHORS must hold the PEM root certificate(s) of the Sentry CA (its ca.crt)');
  }
  if (!env.DAPR_CERT_CHAIN !== !env.DAPR_CERT_KEY) throw new UsageError('--enable-mtls: DAPR_CERT_CHAIN and DAPR_CERT_KEY go together; one of them is not set');
  const certificate = env.DAPR_CERT_CHAIN && env.DAPR_CERT_KEY ? { chainPem: env.DAPR_CERT_CHAIN, keyPem: env.DAPR_CERT_KEY } : undefined;
  const sentryAddress = (get('sentry-address') as string | undefined) || undefined;
  if (!sentryAddress && !certificate) throw new UsageError('--enable-mtls: --sentry-address is required (or DAPR_CERT_CHAIN and DAPR_CERT_KEY)');
  return {
    trustAnchorsPem,
    sentryAddress,
    controlPlaneTrustDomain: given('control-plane-trust-domain') ? (get('control-plane-trust-domain') as string) : env.DAPR_CONTROLPLANE_TRUST_DOMAIN || 'localhost',
    controlPlaneNamespace: given('control-plane-namespace') ? (get('control-plane-namespace') as string) : env.DAPR_CONTROLPLANE_NAMESPACE || 'default',
    certificate,
    tokenFile: env.DAPR_SENTRY_TOKEN_FILE || (env.KUBERNETES_SERVICE_HOST ? KUBERNETES_SENTRY_TOKEN : undefined),
  };
}

/** A comma-separated flag value; IPv6 brackets dropped (`[::1]`). */
function commaList(text: string): string[] {
  return text.split(',').map((s) => s.trim().replace(/^\[(.*)\]$/, '$1')).filter(Boolean);
}

/** A byte size from its quantity flag, else from its deprecated whole-unit flag, else the quantity's default; negative: no limit. */
function sizeFlag(given: (name: string) => boolean, get: (name: string) => unknown, quantity: string, legacy: string, legacyUnit: number): number {
  const fromLegacy = !given(quantity) && given(legacy);
  const bytes = fromLegacy ? (get(legacy) as number) * legacyUnit : (get(quantity) as number);
  if (bytes === 0) throw new UsageError(`--${fromLegacy ? legacy : quantity}: 0 leaves no room for any request`);
  return bytes < 0 ? NO_BODY_LIMIT : bytes;
}

/** Go's flag package accepts `--flag=true|false` for booleans; parseArgs does not. */
function expandBoolValues(input: string[]): { args: string[]; forcedFalse: Set<string> } {
  const bools = new Set(RUN_FLAGS.filter((f) => f.kind === 'bool').map((f) => `--${f.name}`));
  const forcedFalse = new Set<string>();
  const args = input.flatMap((a) => {
    const [name, value] = a.split('=', 2);
    if (value === undefined || !bools.has(name)) return [a];
    if (/^(true|1|t)$/i.test(value)) return [name];
    if (/^(false|0|f)$/i.test(value)) {
      forcedFalse.add(name.slice(2));
      return [];
    }
    throw new UsageError(`${name}: expected true or false, got "${value}"`);
  });
  return { args, forcedFalse };
}

function convert(f: FlagSpec, raw: string | boolean | string[] | undefined): string | number | boolean | undefined {
  if (raw === undefined) {
    if (f.kind === 'size' && typeof f.default === 'string') return parseByteSize(f.default);
    return f.default;
  }
  if (f.kind === 'bool') return raw as boolean;
  const text = String(raw).trim();
  if (f.kind === 'int') {
    if (!/^-?\d+$/.test(text)) throw new UsageError(`--${f.name}: expected a whole number, got "${text}"`);
    const n = Number(text);
    if ((f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max)) {
      throw new UsageError(`--${f.name}: ${n} is out of range (${f.min ?? '-∞'} to ${f.max ?? '∞'})`);
    }
    return n;
  }
  if (f.kind === 'size') {
    const bytes = parseByteSize(text);
    if (bytes === undefined || bytes === 0) throw new UsageError(`--${f.name}: expected a size such as 4Mi, 512Ki or 1048576, got "${text}"`);
    return bytes;
  }
  if (f.kind === 'duration') {
    const ms = parseDuration(text);
    if (ms === undefined || ms < 0 || (text !== '0' && !/[a-zµ]$/.test(text))) throw new UsageError(`--${f.name}: expected a duration such as 10s or 1m30s, got "${text}"`);
    return ms;
  }
  if (f.choices && !f.choices.includes(text)) throw new UsageError(`--${f.name}: expected one of ${f.choices.join(', ')}, got "${text}"`);
  return text;
}

function describeParseError(err: Error): string {
  const unknown = /Unknown option '([^']+)'/.exec(err.message);
  if (unknown) return `unknown flag ${unknown[1]} (see mecha run --help)`;
  const missing = /Option '(?:-\w, )?([^ ']+)[^']*' argument missing/.exec(err.message);
  if (missing) return `${missing[1]}: a value is required`;
  return err.message.split('\n')[0];
}
