// Bundles the CLI into dist/bundle/: mecha.cjs, the whole CLI as one CommonJS file (adapters are
// evaluated on first use), and main.js, the launcher `mecha` runs, which compiles mecha.cjs with a V8
// code cache (scripts/code-cache.mjs records it). Client libraries that only some component types need
// and native modules stay in node_modules and load on first use. Whitespace and syntax are minified
// (less for V8 to parse); names are kept for readable stack traces.
//
// `node scripts/bundle.mjs` always builds; `--if-stale` builds only when a source is newer than the bundle
// (what `npm start` and `npm pack` use, so a built checkout starts without building).
import { chmodSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { recordCodeCache } from './code-cache.mjs';
import { writeContractMetaValidators } from './contract-meta.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'dist/bundle');
/** Written last by a build: a bundle without it is incomplete. */
const LAST_OUTPUT = join(OUT, 'mecha.v8cache');
const INPUTS = ['src', 'scripts/bundle.mjs', 'scripts/code-cache.mjs', 'scripts/contract-meta.mjs', 'package.json', 'package-lock.json'];

const external = ['better-sqlite3', 'ioredis', 'kafkajs', 'pg', 'mqtt', 'amqplib', 'nats', '@opentelemetry/*', '@peculiar/x509', 'reflect-metadata'];
const common = { bundle: true, platform: 'node', target: 'node20', legalComments: 'none', minifyWhitespace: true, minifySyntax: true, logLevel: 'warning' };

export async function buildBundle() {
  const { build } = await import('esbuild');
  rmSync(OUT, { recursive: true, force: true });
  await build({
    ...common,
    entryPoints: [join(ROOT, 'src/cli/main.ts')],
    outfile: join(OUT, 'mecha.cjs'),
    format: 'cjs',
    external,
    // The one use of import.meta (finding the package root) gets this file's URL.
    define: { 'import.meta.url': '__mechaBundleUrl' },
    banner: { js: "const __mechaBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
  await build({ ...common, entryPoints: [join(ROOT, 'src/cli/launcher.ts')], outfile: join(OUT, 'main.js'), format: 'esm' });
  chmodSync(join(OUT, 'main.js'), 0o755);
  writeContractMetaValidators(join(OUT, 'contract-meta'));
  await recordCodeCache(join(OUT, 'main.js'), LAST_OUTPUT);
}

/** Why the bundle must be built (no bundle, or the newest source newer than it), or undefined when it is current. */
export function staleReason() {
  let built;
  try {
    built = statSync(LAST_OUTPUT).mtimeMs;
  } catch {
    return 'no bundle yet';
  }
  const newer = INPUTS.map((p) => newestFile(join(ROOT, p))).find((f) => f && f.mtimeMs > built);
  return newer ? `${relative(ROOT, newer.path)} changed` : undefined;
}

/** The most recently modified file under `path` (or `path` itself); undefined when it does not exist. */
function newestFile(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return undefined;
  }
  if (!stat.isDirectory()) return { path, mtimeMs: stat.mtimeMs };
  let newest;
  for (const entry of readdirSync(path)) {
    const f = newestFile(join(path, entry));
    if (f && (!newest || f.mtimeMs > newest.mtimeMs)) newest = f;
  }
  return newest;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const reason = process.argv.includes('--if-stale') ? staleReason() : 'asked to';
  if (reason) {
    if (process.argv.includes('--if-stale')) process.stderr.write(`mecha: building dist/bundle (${reason})\n`);
    await buildBundle();
  }
}
