import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, MECHA_BIN } from './mecha-process.js';

export interface SentryProcess {
  port: number;
  address: string;
  /** ca.crt: what sidecars get as DAPR_TRUST_ANCHORS. */
  trustAnchors: string;
  output(): string;
  stop(): Promise<void>;
}

/** Runs `mecha sentry` on a free loopback port with its credentials in `dir`; resolves once it serves (bounded). */
export async function startSentry(dir: string, extra: string[] = []): Promise<SentryProcess> {
  const port = await freePort();
  const proc = spawn(process.execPath, [MECHA_BIN, 'sentry', '--issuer-credentials', dir, '--port', String(port), '--listen-address', '127.0.0.1', ...extra]);
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const deadline = Date.now() + 15_000;
  while (!out.includes('sentry serving')) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`mecha sentry did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    address: `127.0.0.1:${port}`,
    trustAnchors: await readFile(join(dir, 'ca.crt'), 'utf8'),
    output: () => out,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
