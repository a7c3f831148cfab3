import type { ChildProcess } from 'node:child_process';
import { ResourceLoadError } from '../config/resource-problem.js';
import { createRootLogger } from '../observability/logger.js';
import type { Sidecar } from '../sidecar.js';
import { VERSION } from '../version.js';
import { appEnvironment, launchApp, stopApp } from './app-process.js';
import { blockShutdown } from './block-shutdown.js';
import { helpText, RUN_FLAGS } from './flags.js';
import { parseRunArgs, UsageError } from './parse-run-args.js';
import { onTermination } from './termination.js';

const USAGE = `mecha ${VERSION}: a Dapr-compatible sidecar

Usage:
  mecha run [flags] [-- <app command> [args...]]   start the sidecar (and the app, if given) on free ports
  mecha [flags]                                    the same as daprd: fixed default ports 3500 and 50001
  mecha components                                 print the reference of the built-in components (Markdown)
  mecha injector [flags]                           the Kubernetes sidecar injector webhook (mecha injector --help)
  mecha sentry [flags]                             a Dapr Sentry-compatible CA for mTLS between sidecars (mecha sentry --help)
  mecha --version                                  print the version
  mecha run --help                                 list every flag with its default`;

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-v' || argv[0] === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(`${USAGE}\n\n${helpText('Flags of mecha run:', RUN_FLAGS).split('\n').slice(2).join('\n')}`);
    return 0;
  }
  if (argv[0] === 'components') {
    const [{ renderComponentReference }, { builtinComponents, builtinNameResolvers }] = await Promise.all([
      import('../registry/component-reference.js'),
      import('../registry/builtin.js'),
    ]);
    process.stdout.write(renderComponentReference([...builtinComponents, ...builtinNameResolvers]));
    return 0;
  }
  if (argv[0] === 'injector') {
    const { injector } = await import('./injector-command.js');
    return injector(argv.slice(1));
  }
  if (argv[0] === 'sentry') {
    const { sentry } = await import('./sentry-command.js');
    return sentry(argv.slice(1));
  }
  if (argv[0] !== 'run' && !argv[0].startsWith('-')) throw new UsageError(`unknown command "${argv[0]}" (see mecha --help)`);
  return argv[0] === 'run' ? run(argv.slice(1), 'run') : run(argv, 'daprd');
}

/** How long a stop signal received during the start waits for the start to finish before exiting at once. */
const START_GRACE_MS = 5_000;

async function run(args: string[], form: 'run' | 'daprd'): Promise<number> {
  const cmd = parseRunArgs(args, process.env, process.cwd(), form);
  if (cmd.help) {
    process.stdout.write(helpText('Usage: mecha run [flags] [-- <app command> [args...]]', RUN_FLAGS));
    return 0;
  }
  if (cmd.exitWith) {
    process.stdout.write(cmd.exitWith === 'version' ? `${VERSION}\n` : `Version: ${VERSION}\nRuntime: mecha (Node.js ${process.version})\n`);
    return 0;
  }
  const o = cmd.options;
  const logger = createRootLogger({ level: o.logLevel, json: o.logAsJson, appId: o.appId });
  for (const warning of cmd.warnings) logger.warn(warning);
  const started = performance.now();
  let app: ChildProcess | undefined;
  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));

  let stopping = false;
  const shutdown = async (code: number, why: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason: why }, 'shutting down');
    if (app) await stopApp(app, o.gracefulShutdownSeconds * 1000, () => logger.warn({ seconds: o.gracefulShutdownSeconds }, 'the app did not exit on SIGTERM within the graceful-shutdown budget; killing it'));
    await sidecar?.stop();
    finish(code);
  };
  const onShutdownRequest = (force: boolean) => {
    if (force) setTimeout(() => process.exit(1), 100).unref();
    else void shutdown(0, 'shutdown API called');
  };

  let sidecar: Sidecar | undefined;
  let startSettled!: () => void;
  const settled = new Promise<void>((resolve) => (startSettled = resolve));
  // Installed before the start: the outbound health check answers 204 while the start still runs, and a
  // signal then must stop the sidecar gracefully once it is up, not kill it with Node's default action.
  onTermination(async (cause, again) => {
    await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, START_GRACE_MS).unref())]);
    if (!sidecar) process.exit(0); // still starting (or its start failed): nothing to stop gracefully yet
    if (o.blockShutdownMs !== undefined && !stopping) {
      logger.info({ ms: o.blockShutdownMs }, `${cause}: blocking shutdown until the app is unhealthy or the block-shutdown duration has passed`);
      logger.info({ why: await blockShutdown(sidecar, o.blockShutdownMs, again) }, 'shutdown block ended');
    }
    await shutdown(0, cause);
  });
  try {
    // Loaded here so `--help` and `--version` answer without loading the runtime.
    const { Sidecar } = await import('../sidecar.js');
    sidecar = await Sidecar.start(o, logger, onShutdownRequest);
  } catch (err) {
    if (err instanceof ResourceLoadError) logger.error(err.message);
    else logger.error((err as Error).message);
    return 1;
  } finally {
    startSettled();
  }
  logger.info({ startupMs: Math.round(performance.now() - started) }, 'sidecar started');
  if (form === 'run') logger.info(`app id "${o.appId}": HTTP API on port ${sidecar.httpPort}, gRPC API on port ${sidecar.grpcPort}`);
  if (o.resourcesPaths.length === 0) {
    const base = `localhost:${sidecar.httpPort}/v1.0/state/statestore`;
    logger.info(`try: curl -X POST ${base} -d '[{"key":"k","value":"hello"}]' && curl ${base}/k`);
  }

  if (cmd.appCommand.length > 0) {
    app = launchApp(cmd.appCommand, appEnvironment(o, { http: sidecar.httpPort, grpc: sidecar.grpcPort }, process.env), (code) => {
      logger.info({ code }, 'app exited');
      app = undefined;
      void shutdown(code, 'app exited');
    });
  }
  return finished;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`mecha: ${err instanceof UsageError ? err.message : (err as Error).stack ?? String(err)}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
