// Bundles the CLI into dist/bundle/ (what `mecha` runs): one ESM graph instead of hundreds of files
// halves module loading at startup. Adapters stay lazy chunks; client libraries that only some
// component types need, native modules and pino-pretty stay in node_modules and load on first use.
import { build } from 'esbuild';

const external = ['better-sqlite3', 'pino-pretty', 'ioredis', 'kafkajs', 'pg', 'mqtt', 'amqplib', 'nats'];

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
  logLevel: 'warning',
});
