import { pino, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * The one root logger. JSON lines with `--log-as-json` (for collectors), readable lines otherwise;
 * errors on stderr, the rest on stdout.
 * Secrets are redacted wherever they might be attached to a log record.
 */
export function createRootLogger(opts: { level: LogLevel; json: boolean; appId: string }): Logger {
  const options = {
    level: opts.level,
    base: { app_id: opts.appId || undefined, scope: 'mecha' },
    redact: { paths: ['apiToken', 'token', 'password', '*.password', 'headers["dapr-api-token"]', 'metadata.*Password', 'metadata.*Key'], censor: '[redacted]' },
  };
  // Errors go to stderr and everything else to stdout, so a failed start is seen on the error stream
  // (and `2>` captures it) while the routine lines stay on stdout.
  const stream = (fd: 1 | 2) =>
    opts.json
      ? pino.destination({ dest: fd, sync: true })
      : // Synchronous so lines keep their order with the app's output.
        pinoPretty({ destination: fd, sync: true, colorize: (fd === 1 ? process.stdout : process.stderr).isTTY, ignore: 'pid,hostname,scope,app_id', translateTime: 'SYS:HH:MM:ss.l' });
  return pino(options, pino.multistream([{ level: 'trace', stream: stream(1) }, { level: 'error', stream: stream(2) }], { dedupe: true }));
}
