import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMecha, type MechaProcess } from './mecha-process.js';
import { component, resourcesDir } from './resources.js';

/** What the SDK tests find in the sidecar: one component of each building block, and their contents. */
export const SDK_SECRETS = { 'db-password': 's3cret', 'api-key': 'k-123' };
export const SDK_CONFIG = { greeting: { value: 'hello', version: '7' } };
export const SDK_COMPONENTS = ['configstore', 'files', 'lockstore', 'pubsub', 'secretstore', 'statestore', 'ticks'];

interface SdkResources {
  dir: string;
  remove(): void;
}

/**
 * `mecha run` for an SDK test: `flags`, the resources below and the app after `--`, from a working folder
 * and HOME of its own (the name-resolution registry is per user). `stop` also removes every folder.
 */
export async function startSdkSidecar(
  flags: string[],
  app: string[] = [],
  o: { bulkRoute?: string; env?: NodeJS.ProcessEnv; readyPath?: string } = {},
): Promise<MechaProcess> {
  const home = mkdtempSync(join(tmpdir(), 'mecha-home-'));
  const resources = sdkResources(o.bulkRoute);
  const remove = () => {
    resources.remove();
    rmSync(home, { recursive: true, force: true });
  };
  try {
    const args = [...flags, '--resources-path', resources.dir, ...(app.length > 0 ? ['--', ...app] : [])];
    const sidecar = await startMecha(args, { cwd: home, env: { HOME: home, ...o.env }, readyPath: o.readyPath });
    const stop = async (signal?: NodeJS.Signals) => {
      const code = await sidecar.stop(signal);
      remove();
      return code;
    };
    return { ...sidecar, stop };
  } catch (err) {
    remove();
    throw err;
  }
}

/**
 * A resources folder for an SDK test: state, pub/sub, bindings (localstorage `files` out, cron `ticks`
 * in), secrets, configuration and lock; with `bulkRoute`, a declarative bulk subscription of topic
 * `bulk-orders` to that route (for an SDK whose app cannot ask for bulk delivery itself).
 */
function sdkResources(bulkRoute?: string): SdkResources {
  const files = mkdtempSync(join(tmpdir(), 'mecha-sdk-files-'));
  const secrets = mkdtempSync(join(tmpdir(), 'mecha-sdk-secrets-'));
  const secretsFile = join(secrets, 'secrets.json');
  writeFileSync(secretsFile, JSON.stringify(SDK_SECRETS));
  const dir = resourcesDir({
    'statestore.yaml': component('statestore', 'state.in-memory'),
    'pubsub.yaml': component('pubsub', 'pubsub.in-memory'),
    'files.yaml': component('files', 'bindings.localstorage', { rootPath: files }),
    'ticks.yaml': component('ticks', 'bindings.cron', { schedule: '@every 1s' }),
    'secretstore.yaml': component('secretstore', 'secretstores.local.file', { secretsFile }),
    'configstore.yaml': component('configstore', 'configuration.in-memory', { items: JSON.stringify(SDK_CONFIG) }),
    'lockstore.yaml': component('lockstore', 'lock.in-memory'),
    ...(bulkRoute && { 'bulk-subscription.yaml': bulkSubscription(bulkRoute) }),
  });
  return {
    dir,
    remove() {
      for (const p of [dir, files, secrets]) rmSync(p, { recursive: true, force: true });
    },
  };
}

function bulkSubscription(route: string): string {
  return `apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata:
  name: bulk-orders
spec:
  pubsubname: pubsub
  topic: bulk-orders
  routes:
    default: ${JSON.stringify(route)}
  bulkSubscribe:
    enabled: true
    maxMessagesCount: 10
    maxAwaitDurationMs: 200
`;
}

/** Polls `read` (bounded) until `done` holds; returns the last value either way, for the assertion to show. */
export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    value = await read();
  }
  return value;
}
