// Records the reference daprd's answers to the compatibility corpus (test/compat/) into committed
// fixtures. Needs daprd 1.17 (DAPRD=/path/to/daprd, or `daprd` on PATH) and a Redis (MECHA_TEST_REDIS,
// or a redis-server it can start). `npm test` then compares Mecha with these fixtures, without daprd.
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

function findDaprd() {
  if (process.env.DAPRD) return process.env.DAPRD;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, 'daprd'), constants.X_OK);
      return join(dir, 'daprd');
    } catch {
      // not here
    }
  }
  return undefined;
}

const daprd = findDaprd();
if (!daprd) {
  console.error('compat:record needs the reference daprd 1.17: set DAPRD=/path/to/daprd or put daprd on PATH.');
  process.exit(2);
}
try {
  const version = execFileSync(daprd, ['--version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith('1.17')) throw new Error(`daprd ${version} is not 1.17`);
} catch (err) {
  console.error(`compat:record cannot use ${daprd}: ${err.message}`);
  process.exit(2);
}

// The corpus is TypeScript shared with the tests: bundle it (inside dist/, so package paths resolve).
const outfile = 'dist/compat-record/record.mjs';
await build({ entryPoints: ['test/compat/record.ts'], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
const { record } = await import(pathToFileURL(outfile).href);
await record(daprd);
