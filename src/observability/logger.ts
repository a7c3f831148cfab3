import { hostname } from 'node:os';
import { pino, type Logger, type LoggerOptions } from 'pino';
import pinoPretty from 'pino-pretty';
import { VERSION } from '../version.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

const REDACT = { paths: ['apiToken', 'token', 'password', '*.password', 'headers["dapr-api-token"]', 'metadata.*Password', 'metadata.*Key'], censor: '[redacted]' };

/** daprd's root scope, on every line whose logger has no `scope` of its own. */
export const ROOT_SCOPE = 'dapr.runtime';

/**
 * The one root logger. JSON lines with `--log-as-json` (for collectors), readable lines otherwise;
 * errors on stderr, the rest on stdout.
 * Secrets are redacted wherever they might be attached to a log record.
 */
export function createRootLogger(opts: { level: LogLevel; json: boolean; appId: string }): Logger {
  const options: LoggerOptions = opts.json ? jsonOptions(opts) : { level: opts.level, base: { app_id: opts.appId || undefined }, redact: REDACT };
  // Errors go to stderr and everything else to stdout, so a failed start is seen on the error stream
  // (and `2>` captures it) while the routine lines stay on stdout.
  const stream = (fd: 1 | 2) =>
    opts.json
      ? pino.destination({ dest: fd, sync: true })
      : // Synchronous so lines keep their order with the app's output.
        pinoPretty({ destination: fd, sync: true, colorize: (fd === 1 ? process.stdout : process.stderr).isTTY, ignore: 'pid,hostname,scope,app_id', translateTime: 'SYS:HH:MM:ss.l' });
  return pino(options, pino.multistream([{ level: 'trace', stream: stream(1) }, { level: 'error', stream: stream(2) }], { dedupe: true }));
}

/**
 * daprd's JSON line: `time` (RFC 3339), `level` (`warning`, not `warn`), `msg`, `scope`, `type: "log"`,
 * `app_id`, `instance` (the host name) and `ver`, then the line's own fields.
 */
function jsonOptions(opts: { level: LogLevel; appId: string }): LoggerOptions {
  // Loggers that carry a scope of their own; the others log under the root scope.
  const scoped = new WeakSet<Logger>();
  return {
    level: opts.level,
    base: { app_id: opts.appId, instance: hostname(), ver: VERSION },
    redact: REDACT,
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    formatters: {
      level: (label) => ({ level: label === 'warn' ? 'warning' : label }),
      log: (obj) => withComponentType(obj),
    },
    onChild: (child) => {
      if ('scope' in child.bindings()) scoped.add(child);
    },
    mixin: (_obj, _level, logger) => (scoped.has(logger as Logger) ? { type: 'log' } : { type: 'log', scope: ROOT_SCOPE }),
  };
}

/**
 * `type` is daprd's line type (`"log"`); a component's type given in the same field joins its name
 * as daprd writes it: `statestore (state.redis)`.
 */
function withComponentType(o: Record<string, unknown>): Record<string, unknown> {
  if (o.type === undefined || o.type === 'log') return o;
  const { type, ...rest } = o;
  return { ...rest, ...(typeof rest.component === 'string' ? { component: `${rest.component} (${String(type)})` } : { componentType: type }), type: 'log' };
}
