import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expectationPattern, normaliseOutput, parseShell, type DocBlock, type ShellCommand } from './doc-examples.js';
import { freePort, MECHA_BIN } from './mecha-process.js';

const ROOT = join(MECHA_BIN, '../../..');
/** Environment assignments a long-running command may start with (`DAPR_TRUST_ANCHORS="$(cat ca.crt)" mecha run …`). */
const ENV_PREFIX = /^((?:[A-Z_][A-Z0-9_]*=(?:"[^"]*"|\S*)\s+)*)/;
const LONG_RUNNING = /^(?:[A-Z_][A-Z0-9_]*=(?:"[^"]*"|\S*)\s+)*(npm start|(npx )?mecha (run|sentry))\b/;
const READY_MS = 30_000;
const SCRIPT_MS = 60_000;
const PRINTED_MS = 15_000;

/**
 * `npm start` as package.json defines it, as a `mecha` command: its last step is `node <the CLI or a
 * launcher of it> <arguments>`; any build step before it is left out (the test runs on the built CLI).
 */
function npmStart(): string {
  const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const [node, , ...args] = script.split('&&').at(-1)!.trim().split(/\s+/);
  if (node !== 'node') throw new Error(`npm start is "${script}": the docs runner expects it to end in \`node <script> <arguments>\``);
  return ['mecha', ...args].join(' ');
}

/**
 * Runs the blocks of one Markdown file in order, in a scratch working directory that looks like the
 * repository root (`components/` and `examples/` link to the real ones) with its own HOME, so the
 * name-resolution registry and `.mecha/` data of the examples stay apart from everything else. HOME
 * holds a `.curlrc` with `--fail-with-body`: an example whose request gets an error status fails.
 */
export class DocSession {
  readonly cwd = mkdtempSync(join(tmpdir(), 'mecha-docs-'));
  #lastOutput: string | undefined;
  readonly #env: NodeJS.ProcessEnv;

  constructor() {
    for (const dir of ['components', 'examples']) symlinkSync(join(ROOT, dir), join(this.cwd, dir));
    const home = join(this.cwd, '.home');
    mkdirSync(home);
    writeFileSync(join(home, '.curlrc'), '--fail-with-body\n');
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DAPR_|APP_)/.test(k)));
    this.#env = { ...env, HOME: home };
  }

  close(): void {
    rmSync(this.cwd, { recursive: true, force: true });
  }

  async run(block: DocBlock): Promise<void> {
    const previous = this.#lastOutput;
    this.#lastOutput = undefined;
    if (block.marker.output) {
      if (previous === undefined) throw new Error('an output block must follow a shell block that ran');
      expectSame(normaliseOutput(previous), normaliseOutput(block.text), 'the printed output');
      return;
    }
    if (block.marker.file) {
      mkdirSync(dirname(join(this.cwd, block.marker.file)), { recursive: true });
      writeFileSync(join(this.cwd, block.marker.file), `${block.text}\n`);
      const check = SYNTAX_CHECKS[block.lang]?.(block.marker.file);
      if (!check) throw new Error(`no syntax check for a ${block.lang || 'plain'} file`);
      this.#exec(check, 'syntax check');
      return;
    }
    if (block.lang === 'yaml' || block.lang === 'yml') return; // validated by the test itself
    if (!['sh', 'bash', 'shell', 'console'].includes(block.lang)) {
      throw new Error(`a ${block.lang || 'plain'} block the test cannot run: mark it <!-- example: skip=<why> --> or <!-- example: output -->`);
    }
    this.#lastOutput = await this.#runShell(block);
  }

  #exec(command: string[], what: string): void {
    const r = spawnSync(command[0], command.slice(1), { cwd: this.cwd, env: this.#env, encoding: 'utf8', timeout: SCRIPT_MS });
    if (r.status !== 0) throw new Error(`${what} failed (${command.join(' ')}):\n${r.stdout}${r.stderr}`);
  }

  async #runShell(block: DocBlock): Promise<string> {
    const { commands, printed } = parseShell(block.text);
    const foregroundFrom = block.marker.exit !== undefined ? 0 : commands.findIndex((c) => !LONG_RUNNING.test(c.text));
    const background = foregroundFrom === -1 ? commands : commands.slice(0, foregroundFrom);
    const foreground = foregroundFrom === -1 ? [] : commands.slice(foregroundFrom);
    const late = foreground.find((c) => LONG_RUNNING.test(c.text) && block.marker.exit === undefined);
    if (late) throw new Error(`start long-running commands at the top of the block: ${late.text}`);
    if (block.marker.needs === 'npm-start') background.unshift({ text: 'npm start' });

    const started: Sidecar[] = [];
    try {
      for (const c of background) started.push(await this.#startSidecar(c.text));
      const results = await this.#runScript(foreground);
      results.forEach((r, i) => {
        const c = foreground[i];
        const want = block.marker.exit !== undefined && i === foreground.length - 1 ? block.marker.exit : 0;
        if (r.code !== want) throw new Error(`\`${c.text}\` exited with ${r.code} (expected ${want}):\n${r.stdout}${r.stderr}`);
        if (c.expect !== undefined && !expectationPattern(c.expect).test(r.stdout.trim())) {
          throw new Error(`\`${c.text}\` printed ${JSON.stringify(r.stdout.trim())}, the doc shows # → ${c.expect}`);
        }
      });
      if (results.length < foreground.length) throw new Error(`the block stopped after \`${foreground[results.length - 1]?.text}\``);
      for (const line of printed) await waitPrinted(started, line);
      const last = results.at(-1);
      return last ? last.stdout + last.stderr : '';
    } finally {
      await Promise.all(started.map((s) => s.stop()));
    }
  }

  /**
   * Starts a long-running command in the background and waits until its sidecar is healthy (`mecha
   * sentry`: until its port takes connections).
   */
  async #startSidecar(text: string): Promise<Sidecar> {
    const [, assignments] = ENV_PREFIX.exec(text)!;
    const command = await this.#rewrite(text.slice(assignments.length));
    const sentryPort = / sentry\b/.test(command) ? Number(/--port[ =](\d+)/.exec(command)?.[1] ?? 50001) : undefined;
    const httpPort = Number(/--dapr-http-port[ =](\d+)/.exec(command)?.[1] ?? 3500);
    const appPort = /--app-port[ =](\d+)/.exec(command)?.[1];
    for (const port of sentryPort ? [sentryPort] : [httpPort, ...(appPort ? [Number(appPort)] : [])]) {
      if (!(await portFree(port))) throw new Error(`port ${port}, which the example uses, is busy: stop what listens there`);
    }
    const proc = spawn('bash', ['-c', `${assignments}exec ${command}`], { cwd: this.cwd, env: this.#env, detached: true });
    const sidecar = new Sidecar(text, proc);
    const deadline = Date.now() + READY_MS;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`\`${text}\` exited with ${proc.exitCode} before it was ready:\n${sidecar.output}`);
      if (sentryPort !== undefined && !(await portFree(sentryPort))) return sidecar;
      const status = sentryPort === undefined ? await fetch(`http://127.0.0.1:${httpPort}/v1.0/healthz`).then((r) => r.status, () => 0) : 0;
      if (status === 204) return sidecar;
      await new Promise((r) => setTimeout(r, 50));
    }
    await sidecar.stop();
    throw new Error(`\`${text}\` was not healthy within ${READY_MS / 1000} s:\n${sidecar.output}`);
  }

  /**
   * The command the runner executes: `npm start` and `(npx) mecha` become the built CLI, and a
   * `mecha run` that names no gRPC or metrics port gets free ones, so the doc's fixed HTTP ports are
   * the only ones shared with the rest of the machine.
   */
  async #rewrite(text: string): Promise<string> {
    let command = text.replace(/^npm start\b/, npmStart()).replace(/^(npx )?mecha\b/, `node ${MECHA_BIN}`);
    if (/^node \S+ run\b/.test(command)) {
      const extra: string[] = [];
      if (!/--dapr-grpc-port\b/.test(command)) extra.push('--dapr-grpc-port', String(await freePort()));
      if (!/--metrics-port\b/.test(command)) extra.push('--metrics-port', String(await freePort()));
      command = command.replace(/^(node \S+ run)/, `$1 ${extra.join(' ')}`);
    }
    return command;
  }

  /** Runs the foreground commands in one shell (so variables carry over), each one's output apart. */
  async #runScript(commands: ShellCommand[]): Promise<Array<{ code: number; stdout: string; stderr: string }>> {
    if (commands.length === 0) return [];
    const dir = mkdtempSync(join(tmpdir(), 'mecha-docs-script-'));
    try {
      const lines: string[] = [];
      for (const [i, c] of commands.entries()) {
        const out = join(dir, String(i));
        lines.push(`{ ${await this.#rewrite(c.text)}\n} >'${out}.out' 2>'${out}.err'; echo $? >'${out}.rc'; [ "$(cat '${out}.rc')" = 0 ] || exit 0`);
      }
      const proc = spawn('bash', ['-c', lines.join('\n')], { cwd: this.cwd, env: this.#env, stdio: 'ignore', detached: true });
      const timer = setTimeout(() => killGroup(proc, 'SIGKILL'), SCRIPT_MS);
      await new Promise((resolve) => proc.once('exit', resolve));
      clearTimeout(timer);
      const results = [];
      for (let i = 0; i < commands.length; i++) {
        let code: string;
        try {
          code = readFileSync(join(dir, `${i}.rc`), 'utf8').trim();
        } catch {
          break;
        }
        results.push({ code: Number(code), stdout: readFileSync(join(dir, `${i}.out`), 'utf8'), stderr: readFileSync(join(dir, `${i}.err`), 'utf8') });
      }
      return results;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** A long-running command of an example, in its own process group so the app it starts goes with it. */
class Sidecar {
  output = '';
  readonly #exited: Promise<unknown>;

  constructor(
    readonly text: string,
    readonly proc: ChildProcess,
  ) {
    for (const stream of [proc.stdout!, proc.stderr!]) stream.on('data', (d) => (this.output += d));
    this.#exited = new Promise((resolve) => proc.once('exit', resolve));
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGTERM');
    const timer = setTimeout(() => killGroup(this.proc, 'SIGKILL'), 15_000);
    await this.#exited;
    clearTimeout(timer);
    killGroup(this.proc, 'SIGKILL'); // whatever the command left behind
  }
}

function killGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-proc.pid!, signal);
  } catch {
    // already gone
  }
}

async function waitPrinted(started: Sidecar[], line: string): Promise<void> {
  const pattern = expectationPattern(line);
  const deadline = Date.now() + PRINTED_MS;
  const seen = () => started.some((s) => normaliseOutput(s.output).split('\n').some((l) => pattern.test(l.trim())));
  while (Date.now() < deadline && !seen()) await new Promise((r) => setTimeout(r, 50));
  if (!seen()) throw new Error(`no long-running command printed "${line}":\n${started.map((s) => `$ ${s.text}\n${s.output}`).join('\n')}`);
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer().once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** Exact, except that `…` in the doc stands for any text (a port picked at run time, say). */
function expectSame(actual: string, expected: string, what: string): void {
  if (!expectationPattern(expected).test(actual)) throw new Error(`${what} differs from the doc.\n--- the doc shows:\n${expected}\n--- printed:\n${actual}`);
}

/** How a code block saved as a file is checked; running it is up to the shell blocks that follow. */
const SYNTAX_CHECKS: Record<string, (file: string) => string[]> = {
  js: (f) => ['node', '--check', f],
  mjs: (f) => ['node', '--check', f],
  javascript: (f) => ['node', '--check', f],
  python: (f) => ['python3', '-m', 'py_compile', f],
  py: (f) => ['python3', '-m', 'py_compile', f],
  go: (f) => ['gofmt', '-l', f],
  yaml: (f) => ['node', '-e', YAML_CHECK, f],
};

/** Parses every document of the file with the project's YAML library; the first error fails the check. */
const YAML_CHECK = `const yaml = require(${JSON.stringify(join(ROOT, 'node_modules', 'yaml'))});
for (const doc of yaml.parseAllDocuments(require('node:fs').readFileSync(process.argv[1], 'utf8'))) if (doc.errors.length) throw doc.errors[0];`;
