// Bundles the CLI into dist/bundle/: mecha.cjs, the whole CLI as one CommonJS file (adapters are
// evaluated on first use), and main.js, the launcher `mecha` runs, which compiles mecha.cjs with a V8
// code cache (scripts/code-cache.mjs records it). Client libraries that only some component types need
// and native modules stay in node_modules and load on first use. Whitespace and syntax are minified
// (less for V8 to parse); names are kept for readable stack traces.
//
// `node scripts/bundle.mjs` always builds; `--if-stale` builds only when a source is newer than the bundle
// (what `npm start` and `npm pack` use, so a built checkout starts without building).
import { chmodSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { recordCodeCache } from './code-cache.mjs';
import { configValidatorsPlugin } from './config-validators.mjs';
import { writeContractMetaValidators } from './contract-meta.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'dist/bundle');
/** Written last by a build: a bundle without it is incomplete. */
const LAST_OUTPUT = join(OUT, 'mecha.v8cache');
const INPUTS = ['src', 'proto', 'scripts/bundle.mjs', 'scripts/code-cache.mjs', 'scripts/contract-meta.mjs', 'scripts/config-validators.mjs', 'package.json', 'package-lock.json'];

// @opentelemetry/api is bundled: prom-client's default metrics require it at every start, and from
// node_modules that is dozens of small files to resolve and compile; the tracing SDK (loaded only with
// tracing on) shares its state through the API's global registry.
const external = ['better-sqlite3', 'ioredis', 'kafkajs', 'pg', 'mqtt', 'amqplib', 'nats', '@opentelemetry/core', '@opentelemetry/resources', '@opentelemetry/sdk-trace', '@opentelemetry/exporter-*', '@peculiar/x509', 'reflect-metadata'];
const common = { bundle: true, platform: 'node', target: 'node20', legalComments: 'none', minifyWhitespace: true, minifySyntax: true, logLevel: 'warning' };

/** The .proto files parsed now, as protobufjs JSON, so the bundle does not parse them at each start. */
async function protoDescriptor(build) {
  const out = join(ROOT, '.cache/proto-descriptor.mjs');
  await build({ ...common, entryPoints: [join(ROOT, 'src/transports/grpc/protos.ts')], outfile: out, format: 'esm', packages: 'external', minifySyntax: false });
  const { parseProtoFiles } = await import(`${pathToFileURL(out).href}?${Date.now()}`);
  rmSync(out, { force: true });
  return JSON.stringify(parseProtoFiles().toJSON());
}

export async function buildBundle() {
  const { build } = await import('esbuild');
  const descriptor = await protoDescriptor(build);
  const validators = await configValidatorsPlugin(build, common, ROOT);
  rmSync(OUT, { recursive: true, force: true });
  await build({
    ...common,
    entryPoints: [join(ROOT, 'src/cli/main.ts')],
    outfile: join(OUT, 'mecha.cjs'),
    format: 'cjs',
    external,
    plugins: [validators],
    // The one use of import.meta (finding the package root) gets this file's URL.
    define: { 'import.meta.url': '__mechaBundleUrl', MECHA_PROTO_DESCRIPTOR: JSON.stringify(descriptor) },
    // Written as the CommonJS wrapper function itself, which the launcher compiles as read: wrapping it at
    // start would make V8 flatten a second 2.7 MB copy of the source, kept until a major GC.
    banner: { js: "(function (exports, require, module, __filename, __dirname) {const __mechaBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    footer: { js: '\n})' },
  });
  // main.js stays main.js (what `mecha` is everywhere) but is CommonJS, which Node starts without its ESM loader.
  writeFileSync(join(OUT, 'package.json'), '{ "type": "commonjs" }\n');
  await build({ ...common, entryPoints: [join(ROOT, 'src/cli/launcher.ts')], outfile: join(OUT, 'main.js'), format: 'cjs' });
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
