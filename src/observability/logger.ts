import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';

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
  // pino-pretty only loads for humans; synchronous so lines keep their order with the app's output.
  const pretty = createRequire(import.meta.url)('pino-pretty') as (o: Record<string, unknown>) => NodeJS.WritableStream;
  return pino(options, pretty({ sync: true, colorize: process.stdout.isTTY, ignore: 'pid,hostname,scope,app_id', translateTime: 'SYS:HH:MM:ss.l' }));
}
