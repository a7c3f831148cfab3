// Bundles the CLI into dist/bundle/ (what `mecha` runs): one ESM graph instead of hundreds of files
// halves module loading at startup. Adapters stay lazy chunks; client libraries that only some
// component types need and native modules stay in node_modules and load on first use. Whitespace and
// syntax are minified (less for V8 to parse at startup); names are kept for readable stack traces.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const external = ['better-sqlite3', 'ioredis', 'kafkajs', 'pg', 'mqtt', 'amqplib', 'nats'];

// Chunk names carry content hashes: start empty so old chunks do not pile up.
rmSync('dist/bundle', { recursive: true, force: true });

await build({
  entryPoints: ['src/cli/main.ts'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  // CommonJS dependencies call require(); ESM output has none unless one is made.
  banner: { js: "import { createRequire as __mechaCreateRequire } from 'node:module'; const require = __mechaCreateRequire(import.meta.url);" },
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
