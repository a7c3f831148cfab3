import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { cpus } from 'node:os';
import type { ConnectionOptions } from 'node:tls';
import type pg from 'pg';

/** The connection fields of daprd's metadata; set ones override the connection string's. */
export type ConnectionMetadata = {
  connectionString?: string;
  host?: string;
  hostaddr?: string;
  port?: string;
  database?: string;
  user?: string;
  password?: string;
  sslRootCert?: string;
  maxConns: number;
};

/**
 * Builds the pg pool settings the way daprd builds its pgx config: a URL or libpq `key=value`
 * connection string, then the discrete metadata fields on top. TLS follows libpq's `sslmode`
 * (disable/allow/prefer: plain, as pg cannot fall back; require: encrypted, unverified unless a CA is
 * given; verify-ca: CA checked; verify-full: CA and host name checked).
 */
export function poolConfig(md: ConnectionMetadata): pg.PoolConfig {
  const cs = md.connectionString?.trim() ?? '';
  const params = /^postgres(ql)?:\/\//.test(cs) ? fromUrl(cs) : fromKeyValues(cs);
  const set = (k: string, v: string | undefined) => v && (params[k] = v);
  set('host', md.host);
  set('hostaddr', md.hostaddr);
  set('port', md.port);
  set('dbname', md.database);
  set('user', md.user);
  set('password', md.password);
  set('sslrootcert', md.sslRootCert);
  const host = params.hostaddr || params.host;
  if (!host) throw new Error('connectionString: no host given (set it in the connection string or the "host" metadata)');
  if (params.port !== undefined && !/^\d+$/.test(params.port)) throw new Error(`connectionString: port "${params.port}" is not a number`);
  const pooled = Number(params.pool_max_conns);
  return {
    host,
    port: params.port ? Number(params.port) : 5432,
    database: params.dbname || params.database || undefined,
    user: params.user || undefined,
    password: params.password || undefined,
    application_name: params.application_name || undefined,
    options: params.options || undefined,
    ssl: tlsOf(params),
    max: md.maxConns > 0 ? md.maxConns : pooled > 0 ? pooled : Math.max(4, cpus().length),
  };
}

function tlsOf(p: Record<string, string>): false | ConnectionOptions {
  const mode = p.sslmode ?? 'prefer';
  if (!['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'].includes(mode)) throw new Error(`connectionString: unknown sslmode "${mode}"`);
  if (mode === 'disable' || mode === 'allow' || mode === 'prefer') return false;
  const read = (file: string | undefined) => (file ? readFileSync(file, 'utf8') : undefined);
  const tls: ConnectionOptions = { ca: read(p.sslrootcert), cert: read(p.sslcert), key: read(p.sslkey) };
  // Connecting to hostaddr, the certificate still names host (pg would otherwise use the address).
  if (p.hostaddr && p.host && isIP(p.host) === 0) tls.servername = p.host;
  if (mode === 'require' && !tls.ca) tls.rejectUnauthorized = false;
  else if (mode !== 'verify-full') tls.checkServerIdentity = () => undefined;
  return tls;
}

function fromUrl(cs: string): Record<string, string> {
  let url: URL;
  try {
    url = new URL(cs);
  } catch {
    throw new Error('connectionString: not a valid postgres:// URL');
  }
  const params: Record<string, string> = {};
  const put = (k: string, v: string) => v && (params[k] = decodeURIComponent(v));
  put('user', url.username);
  put('password', url.password);
  put('host', url.hostname.replace(/^\[(.*)\]$/, '$1'));
  put('port', url.port);
  put('dbname', url.pathname.slice(1));
  for (const [k, v] of url.searchParams) params[k] = v;
  return params;
}

/** libpq's `key=value` form: spaces around `=` allowed, values optionally single-quoted with `\` escapes. */
function fromKeyValues(cs: string): Record<string, string> {
  const params: Record<string, string> = {};
  const re = /\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|([^\s']*))/y;
  let at = 0;
  while (at < cs.length) {
    if (/^\s*$/.test(cs.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(cs);
    if (!m) throw new Error(`connectionString: cannot read the key=value pairs after position ${at}`);
    params[m[1]!] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
    at = re.lastIndex;
  }
  return params;
}
