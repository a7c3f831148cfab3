import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/mecha-process.js';

// No Docker engine runs here, so the image is not built. Instead the runtime stage's file layout is
// rebuilt from the Dockerfile's own COPY lines (node_modules linked, not pruned) and the sidecar is
// started from it the way the image starts it, then probed with the image's HEALTHCHECK command.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, '');
const runtime = dockerfile.split(/^FROM /m).at(-1)!;
const instruction = (name: string) => [...runtime.matchAll(new RegExp(`^${name} (.+)$`, 'gm'))].map((m) => m[1]!);
const staging = mkdtempSync(join(tmpdir(), 'mecha-image-'));
const appDir = join(staging, instruction('WORKDIR')[0]!);

afterAll(() => rmSync(staging, { recursive: true, force: true }));

describe('the runtime image layout (from the Dockerfile, without a Docker engine)', () => {
  it('starts the sidecar from the copied files as ENTRYPOINT and CMD do, and passes the HEALTHCHECK', async () => {
    for (const copy of instruction('COPY')) {
      const fromBuild = copy.startsWith('--from=build ');
      const [src, dest] = copy.replace(/^--from=build /, '').split(/\s+/);
      // The build stage works in /src on a copy of the repository, where `npm run build` has run.
      const source = join(ROOT, fromBuild ? posix.relative('/src', src!) : src!);
      // As in Docker: a destination ending in / is a directory the source goes into.
      const target = dest!.endsWith('/') ? join(appDir, dest!, basename(source)) : join(appDir, dest!);
      expect(existsSync(source), source).toBe(true);
      mkdirSync(dirname(target), { recursive: true });
      if (source.endsWith('node_modules')) symlinkSync(source, target, 'dir');
      else cpSync(source, target, { recursive: true });
    }
    const link = /ln -s (\S+) \/usr\/local\/bin\/mecha/.exec(instruction('RUN').join('\n'));
    expect(link, 'the mecha command is linked').not.toBeNull();
    const mechaBin = join(staging, link![1]!);
    // `env -S` (coreutils 8.30+, in the Debian base image) passes the V8 flags on the shebang line to node.
    expect(readFileSync(mechaBin, 'utf8').split('\n', 1)[0]).toMatch(/^#!\/usr\/bin\/env (-S )?node( |$)/);
    expect(JSON.parse(instruction('ENTRYPOINT')[0]!)).toEqual(['mecha']);

    const cmd = JSON.parse(instruction('CMD')[0]!) as string[];
    const [http, grpc, metrics] = [await freePort(), await freePort(), await freePort()];
    const dataDir = mkdtempSync(join(staging, 'data-'));
    // Loopback only here: the image's 0.0.0.0 is overridden by the later flag.
    const args = [...cmd, '--dapr-http-port', String(http), '--dapr-grpc-port', String(grpc), '--metrics-port', String(metrics), '--dapr-listen-addresses', '127.0.0.1'];
    const proc = spawn(mechaBin, args, { cwd: dataDir, env: { ...process.env, NODE_ENV: 'production' } });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (out += d));
    const healthcheck = JSON.parse(/^HEALTHCHECK .*?CMD (\[.*\])$/m.exec(runtime)![1]!) as string[];
    const probe = () =>
      promisify(execFile)(healthcheck[0]!, healthcheck.slice(1), { env: { ...process.env, DAPR_HTTP_PORT: String(http) }, timeout: 10_000 }).then(() => 0, (err: { code?: number }) => err.code ?? -1);
    try {
      const deadline = Date.now() + 20_000;
      let code = await probe();
      while (code !== 0 && Date.now() < deadline && proc.exitCode === null) {
        await new Promise((r) => setTimeout(r, 200));
        code = await probe();
      }
      expect(code, out).toBe(0);
      expect(out).toContain('sidecar started');
    } finally {
      proc.kill('SIGTERM');
      await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once('exit', r)));
    }
    expect(await probe()).toBe(1);
  });

  it('runs as the unprivileged node user, which owns the working directory', () => {
    expect(instruction('USER')).toEqual(['node']);
    const workdir = instruction('WORKDIR').at(-1)!;
    expect(instruction('RUN').join('\n')).toContain(`chown node:node ${workdir}`);
  });
});
