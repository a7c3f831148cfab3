import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { progress, requireCommand, run, settle, SDK_CACHE, REPO, withCacheLock, type Toolchain } from './sdk-toolchains.js';

const SOURCE = join(REPO, 'test', 'e2e', 'sdk', 'go');
const CACHE = join(SDK_CACHE, 'go');
const BINARY = join(CACHE, 'sdk-go');
const ENV = { GOFLAGS: '-mod=mod', GOMODCACHE: join(CACHE, 'mod'), GOCACHE: join(CACHE, 'build'), GOTOOLCHAIN: 'local', CGO_ENABLED: '0' };

let setup: Promise<Toolchain<string>> | undefined;

/**
 * The Go program of test/e2e/sdk/go (github.com/dapr/go-sdk, the version its go.mod names) built into
 * `.cache/sdk/go`, where modules and build cache live too: only the first run downloads and compiles
 * the SDK. A module download that fails is a reason to skip; a build that fails is a test failure.
 */
export function goSdkProgram(): Promise<Toolchain<string>> {
  setup ??= (async () => {
    const go = await requireCommand('go', 'the Go SDK tests');
    if ('skip' in go) return go;
    return withCacheLock('go', async () => {
      mkdirSync(CACHE, { recursive: true });
      const started = Date.now();
      progress('go', `go mod download, go build in ${SOURCE} (modules and build cache in ${CACHE}; slow only the first time)`);
      const modules = await settle('go', () => run(go.ready, ['mod', 'download'], { cwd: SOURCE, env: ENV }));
      if ('skip' in modules) return modules;
      await run(go.ready, ['build', '-o', BINARY, '.'], { cwd: SOURCE, env: ENV });
      progress('go', `built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return { ready: BINARY };
    });
  })();
  return setup;
}
