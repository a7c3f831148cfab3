import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { RedisSettings } from './settings.js';

/** Floor for reconnect delays, so a disabled backoff (`-1`) cannot spin while the server is down. */
const MIN_RECONNECT_MS = 10;
/** Bound on the PING that proves the connection when commands have no timeout of their own. */
const DEFAULT_VERIFY_MS = 5000;

/**
 * Opens a client, connects eagerly and proves the server answers PING. Before that first success no
 * reconnect is attempted, so a failed init ends promptly; afterwards the client reconnects with
 * capped exponential backoff for as long as it lives.
 */
export async function connectRedis(settings: RedisSettings, logger: Logger): Promise<Redis> {
  let established = false;
  let reported = false;
  const retryStrategy = (times: number): number | null => {
    if (!established) return null;
    const delay = Math.min(settings.minRetryMs * 2 ** Math.min(times - 1, 16), settings.maxRetryMs);
    return Math.max(MIN_RECONNECT_MS, delay);
  };

  const common: RedisOptions = {
    lazyConnect: true,
    connectTimeout: settings.dialTimeoutMs,
    commandTimeout: settings.commandTimeoutMs,
    maxRetriesPerRequest: settings.maxRetriesPerRequest,
    retryStrategy,
    db: settings.db,
    username: settings.username,
    password: settings.password,
    tls: settings.tls,
  };
  const client = settings.sentinel
    ? new Redis({
        ...common,
        sentinels: settings.nodes,
        name: settings.sentinel.masterName,
        sentinelUsername: settings.sentinel.username,
        sentinelPassword: settings.sentinel.password,
        sentinelRetryStrategy: retryStrategy,
        enableTLSForSentinelMode: settings.tls !== undefined,
        sentinelTLS: settings.tls,
      })
    : new Redis({ ...common, host: settings.nodes[0].host, port: settings.nodes[0].port });

  // Without an error listener ioredis prints every error; log once per outage instead.
  const outage = (error?: string) => {
    if (!established || reported) return;
    reported = true;
    logger.warn({ address: settings.address, error }, 'redis connection lost; reconnecting');
  };
  client.on('error', (err: Error) => outage(redact(err.message, settings)));
  client.on('reconnecting', () => outage());
  client.on('ready', () => {
    if (reported) logger.info({ address: settings.address }, 'redis connection restored');
    reported = false;
  });

  try {
    await client.connect();
    await withTimeout(client.ping(), settings.commandTimeoutMs ?? DEFAULT_VERIFY_MS);
  } catch (err) {
    client.disconnect();
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`error connecting to redis at ${settings.address}: ${redact(reason, settings)}`);
  }
  established = true;
  return client;
}

/**
 * How long a publish waits for a reconnecting client before failing. daprd's own retries fail within
 * ~100 ms; a publish that waits longer holds its caller's connection, and a caller with a fixed pool of
 * connections then falls behind and catches up in a burst once Redis is back.
 */
export const RECONNECT_WAIT_MS = 50;

/** One pending wait for each client's next `ready`, shared by every caller waiting on it. */
const nextReady = new WeakMap<Redis, Promise<true>>();

/**
 * Whether the client is connected, or connects within `ms`. Concurrent callers share one `ready` listener,
 * so a burst of publishes or readers waiting through an outage adds none.
 */
export async function readyIn(client: Redis, ms: number): Promise<boolean> {
  if (client.status === 'ready') return true;
  let ready = nextReady.get(client);
  if (!ready) {
    ready = new Promise<true>((resolve) => client.once('ready', () => (nextReady.delete(client), resolve(true))));
    nextReady.set(client, ready);
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(resolve, ms, false)));
  return Promise.race([ready, late]).finally(() => clearTimeout(timer));
}

/**
 * Resolves once the client is connected, waiting at most `ms` for a reconnect in progress; else throws.
 * ioredis would otherwise queue the command through up to `redisMaxRetries` reconnect attempts (seconds),
 * where daprd answers at once; a resiliency policy's timeout and retries still apply around the call.
 */
export async function readyWithin(client: Redis, address: string, ms = RECONNECT_WAIT_MS): Promise<void> {
  if (await readyIn(client, ms)) return;
  throw new Error(`redis at ${address} is unreachable (${client.status}); not waiting for the reconnect`);
}

/** Closes a client, falling back to a hard disconnect when QUIT cannot be delivered. */
export async function closeRedis(client: Redis): Promise<void> {
  try {
    await withTimeout(client.quit(), 2000);
  } catch {
    client.disconnect();
  }
}

/** Defence in depth: server errors do not echo secrets, but never let one reach a message. */
function redact(text: string, settings: RedisSettings): string {
  let out = text;
  for (const secret of [settings.password, settings.sentinel?.password]) {
    if (secret) out = out.split(secret).join('***');
  }
  return out;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms}ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
