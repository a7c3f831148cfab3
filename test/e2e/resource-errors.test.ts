import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, MECHA_BIN } from '../support/mecha-process.js';

const dir = mkdtempSync(join(tmpdir(), 'mecha-resource-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `mecha run` on the given resources path, keeping stdout and stderr apart. */
async function start(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const ports = ['--dapr-http-port', String(await freePort()), '--dapr-grpc-port', String(await freePort()), '--metrics-port', String(await freePort())];
  const proc = spawn(process.execPath, [MECHA_BIN, 'run', ...ports, ...args], { cwd: dir });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

describe('resource errors at startup', () => {
  it('go to stderr, a YAML syntax error once with its line, column and source line', async () => {
    mkdirSync(join(dir, 'res'));
    writeFileSync(join(dir, 'res', 'broken.yaml'), 'apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\nspec:\n  type: state.in-memory\n   version: v1\n  metadata: [\n');
    const res = await start(['--resources-path', './res']);
    expect(res.code).toBe(1);
    // stdout keeps the informational lines (the metrics server starts first); no error reaches it.
    expect(res.stdout).not.toMatch(/ERROR|problem|invalid YAML/);
    expect(res.stderr).toMatch(/ERROR: 1 problem in the resources:\n/);
    expect(res.stderr).toContain(
      // Named relative to the working directory, as the resources path was given.
      `  - res/broken.yaml: line 6, column 9: invalid YAML: Nested mappings are not allowed in compact mappings\n        type: state.in-memory\n              ^\n`,
    );
    expect(res.stderr.match(/invalid YAML/g)).toHaveLength(1);
  });

  it('with --log-as-json, are one JSON line on stderr', async () => {
    const res = await start(['--log-as-json', '--resources-path', join(dir, 'missing')]);
    expect(res.code).toBe(1);
    expect(res.stdout).not.toMatch(/"level":"(error|fatal)"|resources path/);
    const lines = res.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'error', msg: expect.stringContaining('resources path cannot be read') });
  });
});
