// `npm run bench [-- --quick | --only a,b | --duration s | --rate n | --connections n | --payload bytes]`:
// compiles the harness (TypeScript sharing the test servers' helpers) with esbuild and runs it.
import { build } from 'esbuild';
import { pathToFileURL } from 'node:url';

// Two levels under the repository root, as the shared helpers resolve paths relative to themselves.
const out = '.cache/bench-build/main.mjs';
await build({ entryPoints: ['bench/harness/main.ts'], outfile: out, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
await import(pathToFileURL(out).href);
