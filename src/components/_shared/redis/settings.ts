import type { MetadataProperty } from '../../../contracts/component.js';
import { parseDuration } from '../../../util/duration.js';

/**
 * Connection metadata every Redis-backed component accepts, with daprd's names (validated and coerced).
 * A type alias rather than an interface, so it stays assignable to `Record<string, unknown>`.
 */
export type RedisMetadata = {
  redisHost: string;
  redisPort?: number;
  redisUsername?: string;
  redisPassword?: string;
  redisDB: number;
  redisType: 'node' | 'cluster';
  enableTLS: boolean;
  insecureSkipTLSVerify: boolean;
  clientCert?: string;
  clientKey?: string;
  failover: boolean;
  sentinelMasterName?: string;
  sentinelUsername?: string;
  sentinelPassword?: string;
  redisMaxRetries: number;
  redisMinRetryInterval: string;
  redisMaxRetryInterval?: string;
  dialTimeout: string;
  readTimeout: string;
  writeTimeout?: string;
  useEntraID: boolean;
};

const POOL_NOTE = 'Accepted for compatibility; the client multiplexes one connection, so it has no effect.';

/** JSON-schema properties for `RedisMetadata`; components spread them and override defaults as needed. */
export const redisMetadataProperties: Record<string, MetadataProperty> = {
  redisHost: { type: 'string', description: '`host:port` of the Redis server (comma-separated sentinels when `failover` is true).' },
  redisPort: { type: 'integer', minimum: 1, description: 'Port, when `redisHost` has none (default 6379).' },
  redisUsername: { type: 'string', description: 'ACL user name (Redis 6+).' },
  redisPassword: { type: 'string', sensitive: true, description: 'Password for the Redis server.' },
  redisDB: { type: 'integer', minimum: 0, default: 0, description: 'Database selected after connecting.' },
  redisType: { type: 'string', enum: ['node', 'cluster'], default: 'node', description: 'Server type; only `node` (standalone) is supported.' },
  enableTLS: { type: 'boolean', default: false, description: 'Connect over TLS.' },
  insecureSkipTLSVerify: { type: 'boolean', default: false, description: 'Skip TLS certificate verification (testing only).' },
  clientCert: { type: 'string', description: 'PEM client certificate for mutual TLS.' },
  clientKey: { type: 'string', sensitive: true, description: 'PEM private key of `clientCert`.' },
  failover: { type: 'boolean', default: false, description: 'Connect through Redis Sentinel; `redisHost` lists the sentinels.' },
  sentinelMasterName: { type: 'string', description: 'Sentinel master name; required when `failover` is true.' },
  sentinelUsername: { type: 'string', description: 'User name for the sentinels.' },
  sentinelPassword: { type: 'string', sensitive: true, description: 'Password for the sentinels.' },
  redisMaxRetries: { type: 'integer', minimum: -1, default: 3, description: 'Retries of a command across reconnects; -1 disables.' },
  redisMinRetryInterval: { type: 'string', format: 'duration', default: '2s', description: 'Minimum reconnect backoff; -1 disables backoff.' },
  redisMaxRetryInterval: { type: 'string', format: 'duration', description: 'Maximum reconnect backoff (default 512ms).' },
  dialTimeout: { type: 'string', format: 'duration', default: '5s', description: 'Timeout for establishing a connection.' },
  readTimeout: { type: 'string', format: 'duration', default: '3s', description: 'Timeout for one command; -1 for none.' },
  writeTimeout: { type: 'string', format: 'duration', description: 'Accepted for compatibility; `readTimeout` bounds the whole command.' },
  poolSize: { type: 'integer', description: POOL_NOTE },
  poolTimeout: { type: 'string', format: 'duration', description: POOL_NOTE },
  maxConnAge: { type: 'string', format: 'duration', description: POOL_NOTE },
  minIdleConns: { type: 'integer', description: POOL_NOTE },
  idleCheckFrequency: { type: 'string', format: 'duration', description: POOL_NOTE },
  idleTimeout: { type: 'string', format: 'duration', description: POOL_NOTE },
  useEntraID: { type: 'boolean', default: false, description: 'Azure Entra ID authentication (not supported).' },
};

export const redisMetadataRequired = ['redisHost'];

/** Legacy names daprd still reads. */
export const redisMetadataAliases: Record<string, string> = { maxRetries: 'redisMaxRetries', useAzureAD: 'useEntraID' };

export interface RedisNode {
  host: string;
  port: number;
}

/** Metadata resolved into what a client needs; durations in milliseconds. */
export interface RedisSettings {
  /** The resolved `host:port` list, for messages. */
  address: string;
  nodes: RedisNode[];
  username?: string;
  password?: string;
  db: number;
  tls?: { rejectUnauthorized: boolean; cert?: string; key?: string };
  sentinel?: { masterName: string; username?: string; password?: string };
  /** Times a pending command survives a reconnect; 0 fails it at once. */
  maxRetriesPerRequest: number;
  minRetryMs: number;
  maxRetryMs: number;
  dialTimeoutMs: number;
  /** Undefined: commands never time out. */
  commandTimeoutMs?: number;
}

const DEFAULT_PORT = 6379;

/** Validates the combinations the schema cannot express; throws on what this sidecar does not support. */
export function parseRedisSettings(md: RedisMetadata): RedisSettings {
  if (md.redisType === 'cluster') {
    throw new Error('redisType "cluster" is not supported: only a standalone Redis server (or Sentinel with failover) is supported');
  }
  if (md.useEntraID) throw new Error('useEntraID is not supported: authenticate with redisUsername/redisPassword');
  if (md.failover && !md.sentinelMasterName) throw new Error('sentinelMasterName is required when failover is true');
  const entries = md.redisHost.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (entries.length === 0) throw new Error('redisHost must be host:port');
  if (entries.length > 1 && !md.failover) throw new Error('redisHost lists several hosts, which needs failover (Sentinel); cluster is not supported');
  const nodes = entries.map((e) => resolveNode(e, md.redisPort));
  const minRetry = durationMs(md.redisMinRetryInterval, 2000);
  const maxRetry = durationMs(md.redisMaxRetryInterval, 512);
  const read = durationMs(md.readTimeout, 3000);
  const settings: RedisSettings = {
    address: nodes.map(formatNode).join(','),
    nodes,
    username: md.redisUsername || undefined,
    password: md.redisPassword || undefined,
    db: md.redisDB ?? 0,
    maxRetriesPerRequest: Math.max(0, md.redisMaxRetries ?? 3),
    minRetryMs: Math.max(0, minRetry),
    maxRetryMs: Math.max(0, maxRetry),
    dialTimeoutMs: Math.max(1, durationMs(md.dialTimeout, 5000)),
    commandTimeoutMs: read < 0 ? undefined : read,
  };
  if (md.enableTLS) {
    // Like daprd, a client certificate is only used when both halves are given.
    const mutual = md.clientCert && md.clientKey;
    settings.tls = { rejectUnauthorized: !md.insecureSkipTLSVerify, ...(mutual ? { cert: md.clientCert, key: md.clientKey } : {}) };
  }
  if (md.failover) {
    settings.sentinel = { masterName: md.sentinelMasterName!, username: md.sentinelUsername || undefined, password: md.sentinelPassword || undefined };
  }
  return settings;
}

/** Milliseconds; 0 or unset means the default, negative values (daprd's "-1") are returned as -1. */
function durationMs(text: string | undefined, fallback: number): number {
  const ms = text === undefined ? undefined : parseDuration(text);
  if (ms === undefined || ms === 0) return fallback;
  return ms < 0 ? -1 : ms;
}

/** Accepts `host:port`, `[v6]:port` or a bare host; a port in both places must agree, as daprd requires. */
function resolveNode(entry: string, port: number | undefined): RedisNode {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry) ?? /^([^:]+)(?::(\d+))?$/.exec(entry);
  // More than one colon without brackets is a bare IPv6 address.
  const host = m ? m[1] : entry;
  const own = m?.[2] !== undefined ? Number(m[2]) : undefined;
  if (own !== undefined && port !== undefined && port !== own) {
    throw new Error(`redis host "${entry}" already contains port ${own}, but redisPort is ${port}; remove one of them`);
  }
  const resolved = own ?? port ?? DEFAULT_PORT;
  if (!Number.isInteger(resolved) || resolved < 1 || resolved > 65535) throw new Error(`redis host "${entry}" has an invalid port`);
  return { host, port: resolved };
}

function formatNode(n: RedisNode): string {
  return n.host.includes(':') ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`;
}
