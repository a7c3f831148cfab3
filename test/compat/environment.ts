import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { component } from '../support/resources.js';

/**
 * The world both sidecars see while the corpus runs: the same components (state, pub/sub, a
 * local-storage binding, a file secret store, Redis configuration and lock stores), the same SQLite
 * name resolution and the same small app behind the app channel.
 */
export const APP_ID = 'compat';
/** Every key the corpus leaves in Redis starts with this, so a run can clear what an earlier one left. */
export const REDIS_KEY_MARK = 'compat-';

export interface CompatWorld {
  dir: string;
  resourcesDir: string;
  configFile: string;
  appPort: number;
  /** Flags for `daprd` and `mecha run` alike (ports come from the caller), without the app. */
  sidecarFlags: string[];
  /** The flags that put the app behind the sidecar. */
  appFlags: string[];
  close(): Promise<void>;
}

export const SECRETS = { 'compat-db': 'secret-value', 'compat-nested': { user: 'u', password: 'p' }, 'compat-number': 42 };
export const CONFIG_ITEMS: Record<string, string> = { 'compat-cfg-a': 'alpha||1', 'compat-cfg-b': 'beta||2', 'compat-cfg-c': 'gamma' };

export async function prepareWorld(redisAddress: string): Promise<CompatWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'mecha-compat-'));
  const resourcesDir = join(dir, 'resources');
  const bindingDir = join(dir, 'files');
  mkdirSync(resourcesDir);
  mkdirSync(bindingDir);
  const secretsFile = join(dir, 'secrets.json');
  writeFileSync(secretsFile, JSON.stringify(SECRETS));
  const redis = { redisHost: redisAddress, redisPassword: '' };
  writeFileSync(join(resourcesDir, 'statestore.yaml'), component('statestore', 'state.in-memory'));
  writeFileSync(join(resourcesDir, 'pubsub.yaml'), component('pubsub', 'pubsub.in-memory'));
  writeFileSync(join(resourcesDir, 'files.yaml'), component('files', 'bindings.localstorage', { rootPath: bindingDir }));
  writeFileSync(join(resourcesDir, 'secrets.yaml'), component('secretstore', 'secretstores.local.file', { secretsFile }));
  writeFileSync(join(resourcesDir, 'configstore.yaml'), component('configstore', 'configuration.redis', redis));
  writeFileSync(join(resourcesDir, 'lockstore.yaml'), component('lockstore', 'lock.redis', redis));
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, `apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: compat
spec:
  nameResolution:
    component: sqlite
    configuration:
      connectionString: ${join(dir, 'names.db')}
`);
  await seedRedis(redisAddress);
  const app = await startApp();
  const appPort = (app.address() as { port: number }).port;
  return {
    dir,
    resourcesDir,
    configFile,
    appPort,
    sidecarFlags: ['--app-id', APP_ID, '--resources-path', resourcesDir, '--config', configFile, '--log-level', 'error'],
    appFlags: ['--app-port', String(appPort)],
    async close() {
      await new Promise((resolve) => app.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Removes what earlier runs left (locks, configuration items) and writes the configuration items. */
async function seedRedis(address: string): Promise<void> {
  const [host, port] = address.split(':');
  const client = new Redis({ host, port: Number(port), lazyConnect: true, maxRetriesPerRequest: 2 });
  await client.connect();
  try {
    let cursor = '0';
    for (let i = 0; i < 1000; i++) {
      const [next, keys] = await client.scan(cursor, 'MATCH', `*${REDIS_KEY_MARK}*`, 'COUNT', 500);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
    for (const [key, value] of Object.entries(CONFIG_ITEMS)) await client.set(key, value);
  } finally {
    client.disconnect();
  }
}

/**
 * The app behind the sidecar: answers what it received (method, path, query, content type, body), a
 * chosen status under /status/<code>, and 404 for Dapr's own callbacks (/dapr/subscribe, /dapr/config).
 */
function startApp(): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://app');
      if (url.pathname.startsWith('/dapr/')) {
        res.statusCode = 404;
        return res.end();
      }
      const status = /^\/status\/(\d{3})/.exec(url.pathname);
      res.statusCode = status ? Number(status[1]) : 200;
      if (url.pathname.startsWith('/text')) {
        res.setHeader('content-type', 'text/plain; charset=utf-8');
        return res.end('plain answer');
      }
      if (url.pathname.startsWith('/empty')) return res.end();
      res.setHeader('content-type', 'application/json');
      const body = Buffer.concat(chunks).toString('utf8');
      res.end(JSON.stringify({ method: req.method, path: url.pathname, query: url.search, contentType: req.headers['content-type'] ?? '', body }));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
