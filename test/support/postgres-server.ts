import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureDebianCommand, freePort, LOOPBACK, startServerProcess, withPortRetries } from './server-process.js';

export interface PostgresServer {
  /** A connection string for the `postgres` database as the `postgres` user. */
  url: string;
  stop(): Promise<void>;
}

const run = promisify(execFile);
const BIN_DIRS = ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin'];

/**
 * A PostgreSQL for the tests: `MECHA_TEST_POSTGRES` (a connection string to a loopback server) when set,
 * else a private cluster (initdb into a temp folder, installed with apt-get when missing) on a free
 * loopback port, trust authentication, fsync off. PostgreSQL refuses to run as root, so as root the
 * cluster belongs to the `postgres` system user (created when the package did not create it).
 */
export async function ensurePostgres(): Promise<PostgresServer> {
  const external = process.env.MECHA_TEST_POSTGRES;
  if (external) {
    const host = new URL(external).hostname;
    if (!['localhost', '127.0.0.1', '::1', '[::1]'].includes(host)) throw new Error(`MECHA_TEST_POSTGRES must point at loopback, got ${host}`);
    return { url: external, stop: async () => {} };
  }
  const initdb = await ensureDebianCommand('initdb', 'postgresql', BIN_DIRS);
  const postgres = initdb.replace(/initdb$/, 'postgres');
  const asPostgres = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  return withPortRetries(async () => {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'mecha-postgres-'));
    await chmod(dir, 0o700);
    if (asPostgres.length > 0) {
      const { uid, gid } = await postgresUser();
      await chown(dir, uid, gid);
    }
    const data = join(dir, 'data');
    // An ICU en-US default collation, as production databases usually have ("apple" < "Banana"), so
    // the tests show the adapter does not depend on the database's collation.
    const init = [initdb, '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C.UTF-8', '--locale-provider=icu', '--icu-locale=en-US'];
    const [cmd, ...rest] = [...asPostgres, ...init];
    await run(cmd!, rest, { timeout: 60_000 });
    const args = [postgres, '-D', data, '-p', String(port), '-k', dir, '-c', `listen_addresses=${LOOPBACK}`, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
    const server = await startServerProcess({
      name: 'postgres',
      bin: asPostgres.length > 0 ? asPostgres[0]! : postgres,
      args: asPostgres.length > 0 ? [...asPostgres.slice(1), ...args] : args.slice(1),
      ready: () => acceptsStartup(LOOPBACK, port),
      readyTimeoutMs: 30_000,
      cleanup: () => rm(dir, { recursive: true, force: true }),
    });
    return { url: `postgres://postgres@${LOOPBACK}:${port}/postgres`, stop: server.stop };
  });
}

/** The `postgres` system user's ids, creating the user when it does not exist. */
async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const ids = async () => ({ uid: Number((await run('id', ['-u', 'postgres'])).stdout.trim()), gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()) });
  try {
    return await ids();
  } catch {
    await run('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { timeout: 30_000 });
    return ids();
  }
}

/** An SSLRequest answered with 'N' or 'S' means the postmaster is accepting connections. */
function acceptsStartup(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])));
    socket.once('data', (b) => done(b[0] === 0x4e || b[0] === 0x53));
  });
}
