import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { progress, requireCommand, run, settle, SDK_CACHE, REPO, withCacheLock, type Toolchain } from './sdk-toolchains.js';

const SOURCE = join(REPO, 'test', 'e2e', 'sdk', 'go');
const CACHE = join(SDK_CACHE, 'go');
const BINARY = join(CACHE, 'sdk-go');

let setup: Promise<Toolchain<string>> | undefined;

/**
 * The Go program of test/e2e/sdk/go (github.com/dapr/go-sdk, the version its go.mod names) built into
 * `.cache/sdk/go`: modules and build cache live there too, so only the first run downloads and compiles
 * the SDK; later builds take a moment.
 */
export function goSdkProgram(): Promise<Toolchain<string>> {
  setup ??= (async () => {
    const go = await requireCommand('go', 'the Go SDK tests');
    if ('skip' in go) return go;
    return settle('go', () =>
      withCacheLock('go', async () => {
        mkdirSync(CACHE, { recursive: true });
        const started = Date.now();
        progress('go', `go build in ${SOURCE} (modules and build cache in ${CACHE}; slow only the first time)`);
        const env = { GOFLAGS: '-mod=mod', GOMODCACHE: join(CACHE, 'mod'), GOCACHE: join(CACHE, 'build'), GOTOOLCHAIN: 'local', CGO_ENABLED: '0' };
        await run(go.ready, ['build', '-o', BINARY, '.'], { cwd: SOURCE, env });
        progress('go', `built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        return BINARY;
      }),
    );
  })();
  return setup;
}
