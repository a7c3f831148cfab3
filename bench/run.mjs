// `npm run bench [-- --quick | --only a,b | --duration s | --rate n | --connections n | --payload bytes | --help]`:
// compiles the harness (TypeScript sharing the test servers' helpers) with esbuild and runs it.
import { rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

// Two levels under the repository root, as the shared helpers resolve paths relative to themselves; one
// file per process, so a run in CI and one by hand never load each other's half-written bundle.
const out = `.cache/bench-build/main-${process.pid}.mjs`;
process.on('exit', () => rmSync(out, { force: true }));
await build({ entryPoints: ['bench/harness/main.ts'], outfile: out, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
await import(pathToFileURL(out).href);
