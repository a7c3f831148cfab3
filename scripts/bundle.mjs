// Bundles the CLI into dist/bundle/: mecha.cjs, the whole CLI as one CommonJS file (adapters are
// evaluated on first use), and main.js, the launcher `mecha` runs, which compiles mecha.cjs with a V8
// code cache (scripts/code-cache.mjs records it). Client libraries that only some component types need
// and native modules stay in node_modules and load on first use. Whitespace and syntax are minified
// (less for V8 to parse); names are kept for readable stack traces.
import { chmodSync, rmSync } from 'node:fs';
import { build } from 'esbuild';
import { recordCodeCache } from './code-cache.mjs';

const external = ['better-sqlite3', 'ioredis', 'kafkajs', 'pg', 'mqtt', 'amqplib', 'nats', '@opentelemetry/*'];
const common = { bundle: true, platform: 'node', target: 'node20', legalComments: 'none', minifyWhitespace: true, minifySyntax: true, logLevel: 'warning' };

rmSync('dist/bundle', { recursive: true, force: true });

await build({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/bundle/mecha.cjs',
  format: 'cjs',
  external,
  // The one use of import.meta (finding the package root) gets this file's URL.
  define: { 'import.meta.url': '__mechaBundleUrl' },
  banner: { js: "const __mechaBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
});
await build({ ...common, entryPoints: ['src/cli/launcher.ts'], outfile: 'dist/bundle/main.js', format: 'esm' });
chmodSync('dist/bundle/main.js', 0o755);

await recordCodeCache('dist/bundle/main.js', 'dist/bundle/mecha.v8cache');
