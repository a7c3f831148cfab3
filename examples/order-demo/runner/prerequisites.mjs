// What the demo needs before anything starts: the built mecha CLI, python3 and a Go toolchain (the
// inventory binary is built once into the run folder). Each missing piece stops with one clear line.
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readdir, readFile, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

const BUILD_TIMEOUT_MS = 10 * 60_000;
// A cold Go build cache compiles net/http and its dependencies first: minutes on a busy 2-core machine.
const GO_BUILD_TIMEOUT_MS = 5 * 60_000;
const MAX_SOURCE_FILES = 5_000;

/** The path of the `mecha` binary (package.json `bin.mecha`), building the project first when it is missing or older than `src/`. */
export async function ensureMecha(root, { build }) {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  const bin = join(root, pkg.bin.mecha);
  const built = await stat(bin).then((s) => s.mtimeMs, () => 0);
  if (!build) {
    if (!built) throw new Error(`${bin} does not exist: run \`npm run build\` first (or drop --no-build)`);
    return bin;
  }
  if (built && built >= (await newestMtime(join(root, 'src')))) return bin;
  process.stdout.write(built ? 'sources changed since the last build: npm run build\n' : 'first run: npm run build\n');
  await run('npm', ['run', 'build', '--silent'], { cwd: root, timeoutMs: BUILD_TIMEOUT_MS, what: 'npm run build' });
  if (!(await stat(bin).then(() => true, () => false))) throw new Error(`npm run build did not produce ${bin}`);
  return bin;
}

/** python3 (3.8 or later) for order-processor. */
export async function findPython() {
  const python = await findOnPath('python3');
  if (!python) throw new Error('python3 is required for order-processor and was not found on PATH (install Python 3.8 or later)');
  const check = 'import sys; sys.exit(0 if sys.version_info >= (3, 8) else 1)';
  await run(python, ['-c', check], { timeoutMs: 30_000, what: 'python3 version check' }).catch(() => {
    throw new Error(`${python} is not a working Python 3.8 or later, which order-processor needs`);
  });
  return python;
}

/** Builds inventory (Go, standard library only) to `<outDir>/inventory`; no network, no toolchain downloads. */
export async function buildInventory(sourceDir, outDir) {
  const go = await findOnPath('go', ['/usr/local/go/bin']);
  if (!go) throw new Error('go is required to build inventory and was not found on PATH or in /usr/local/go/bin (install Go 1.22 or later)');
  const out = join(outDir, 'inventory');
  await run(go, ['build', '-o', out, '.'], {
    cwd: sourceDir,
    // GOTOOLCHAIN=local and GOPROXY=off: use the installed Go as it is and never fetch anything.
    env: { ...process.env, GOTOOLCHAIN: 'local', GOPROXY: 'off', GOFLAGS: '' },
    timeoutMs: GO_BUILD_TIMEOUT_MS,
    what: 'go build of inventory',
  });
  return out;
}

export async function findOnPath(name, extraDirs = []) {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...extraDirs].filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  return undefined;
}

/** Runs a command to completion with a time limit; rejects with its output when it fails. */
export function run(command, args, { cwd, env, timeoutMs, what }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let output = '';
    const keep = (chunk) => { output = (output + chunk).slice(-4_000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (err) => reject(new Error(`${what} could not start: ${err.message}`)));
    child.once('exit', (code, signal) => {
      if (code === 0) return resolve(output);
      const how = signal === 'SIGKILL' ? `was stopped after ${timeoutMs / 1000} s` : `failed (${signal ?? `exit ${code}`})`;
      reject(new Error(`${what} ${how}${output.trim() ? `:\n${output.trim()}` : ''}`));
    });
  });
}

/** The newest modification time of the files under `dir` (bounded walk). */
async function newestMtime(dir) {
  let newest = 0;
  let seen = 0;
  const pending = [dir];
  while (pending.length > 0 && seen < MAX_SOURCE_FILES) {
    const current = pending.pop();
    for (const entry of await readdir(current, { withFileTypes: true }).catch(() => [])) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (++seen <= MAX_SOURCE_FILES) newest = Math.max(newest, (await stat(path)).mtimeMs);
    }
  }
  return newest;
}
