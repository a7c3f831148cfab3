import { pino, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * The one root logger. JSON lines with `--log-as-json` (for collectors), readable lines otherwise.
 * Secrets are redacted wherever they might be attached to a log record.
 */
export function createRootLogger(opts: { level: LogLevel; json: boolean; appId: string }): Logger {
  const options = {
    level: opts.level,
    base: { app_id: opts.appId || undefined, scope: 'mecha' },
    redact: { paths: ['apiToken', 'token', 'password', '*.password', 'headers["dapr-api-token"]', 'metadata.*Password', 'metadata.*Key'], censor: '[redacted]' },
  };
  if (opts.json) return pino(options);
  // Synchronous so lines keep their order with the app's output.
  return pino(options, pinoPretty({ sync: true, colorize: process.stdout.isTTY, ignore: 'pid,hostname,scope,app_id', translateTime: 'SYS:HH:MM:ss.l' }));
}
