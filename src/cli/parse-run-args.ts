import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { SidecarOptions } from '../config/sidecar-options.js';
import type { LogLevel } from '../observability/logger.js';
import { normaliseDashes, RUN_FLAGS, type FlagSpec } from './flags.js';

/** A bad command line: one line naming the flag, printed without a stack. */
export class UsageError extends Error {}

export interface RunCommand {
  options: SidecarOptions;
  /** The app to launch, from the arguments after `--`. */
  appCommand: string[];
  help: boolean;
}

export function parseRunArgs(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): RunCommand {
  const args = normaliseDashes(argv);
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
  const get = (name: string) => (forcedFalse.has(name) ? false : convert(RUN_FLAGS.find((f) => f.name === name)!, v[name]));
  const resources = [...((v['resources-path'] as string[]) ?? []), ...((v['components-path'] as string[]) ?? [])];

  const options: SidecarOptions = {
    appId: get('app-id') as string,
    appPort: get('app-port') as number | undefined,
    appProtocol: get('app-protocol') as string,
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
    listenAddresses: (get('dapr-listen-addresses') as string).split(',').map((s) => s.trim().replace(/^\[(.*)\]$/, '$1')).filter(Boolean),
    resourcesPaths: resources.map((p) => resolve(cwd, p)),
    configPaths: ((v.config as string[]) ?? []).map((p) => resolve(cwd, p)),
    logLevel: get('log-level') as LogLevel,
    logAsJson: get('log-as-json') as boolean,
    maxRequestBytes: (get('dapr-http-max-request-size') as number) * 1024 * 1024,
    gracefulShutdownSeconds: get('dapr-graceful-shutdown-seconds') as number,
    enableApiLogging: get('enable-api-logging') as boolean,
    mode: get('mode') as 'standalone' | 'kubernetes',
    metricsPort: get('metrics-port') as number,
    metricsListenAddress: get('metrics-listen-address') as string,
    enableMetrics: get('enable-metrics') as boolean,
    apiToken: env.DAPR_API_TOKEN || undefined,
    appApiToken: env.APP_API_TOKEN || undefined,
    dataDir: resolve(cwd, '.mecha'),
  };
  if (options.listenAddresses.length === 0) throw new UsageError('--dapr-listen-addresses: at least one address is required');
  return { options, appCommand, help: v.help === true };
}

/** Go's flag package accepts `--flag=true|false` for booleans; parseArgs does not. */
function expandBoolValues(input: string[]): { args: string[]; forcedFalse: Set<string> } {
  const bools = new Set(RUN_FLAGS.filter((f) => f.kind === 'bool').map((f) => `--${f.name}`));
  const forcedFalse = new Set<string>();
  const args = input.flatMap((a) => {
    const [name, value] = a.split('=', 2);
    if (value === undefined || !bools.has(name)) return [a];
    if (/^(true|1)$/i.test(value)) return [name];
    if (/^(false|0)$/i.test(value)) {
      forcedFalse.add(name.slice(2));
      return [];
    }
    throw new UsageError(`${name}: expected true or false, got "${value}"`);
  });
  return { args, forcedFalse };
}

function convert(f: FlagSpec, raw: string | boolean | string[] | undefined): string | number | boolean | undefined {
  if (raw === undefined) return f.default;
  if (f.kind === 'bool') return raw as boolean;
  const text = String(raw);
  if (f.kind === 'int') {
    if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`--${f.name}: expected a whole number, got "${text}"`);
    const n = Number(text);
    if ((f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max)) {
      throw new UsageError(`--${f.name}: ${n} is out of range (${f.min ?? '-∞'} to ${f.max ?? '∞'})`);
    }
    return n;
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
