import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMecha, type MechaProcess } from '../support/mecha-process.js';
import { schemathesis } from '../support/schemathesis.js';
import { REPO, run } from '../support/sdk-toolchains.js';

// Schemathesis generates requests from the sidecar's own OpenAPI document (valid and invalid ones) and
// sends them to a live sidecar: every answer must match the documented statuses, content types and
// schemas, no 5xx may come without a Dapr error code (dapr_checks.py), and the sidecar must still be
// healthy afterwards. Bounded: a fixed seed, 10 examples per operation, one worker, a hard timeout.
const HERE = fileURLToPath(new URL('./openapi/', import.meta.url));
const RUN_TIMEOUT_MS = 5 * 60_000;
const toolchain = await schemathesis();
if ('skip' in toolchain) process.stderr.write(`[schemathesis] skipped: ${toolchain.skip}\n`);

describe.skipIf('skip' in toolchain)('the HTTP API against its OpenAPI document (schemathesis)', () => {
  const bin = 'ready' in toolchain ? toolchain.ready : '';
  let sidecar: MechaProcess;
  let dir: string;

  beforeAll(async () => {
    // Its own folder: the localstorage binding writes under it, schemathesis keeps its cache there.
    dir = mkdtempSync(join(tmpdir(), 'mecha-openapi-fuzz-'));
    const resources = ['in-memory', 'local-env', 'localstorage'].flatMap((c) => ['--resources-path', join(REPO, 'components', c)]);
    sidecar = await startMecha(['--app-id', 'fuzz', ...resources], { cwd: dir });
  });

  afterAll(async () => {
    await sidecar?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers every generated request as documented, with Dapr errors, and stays healthy', { timeout: RUN_TIMEOUT_MS + 60_000 }, async () => {
    const args = [
      '--config-file', join(HERE, 'schemathesis.toml'),
      'run', `${sidecar.url}/v1.0-alpha1/openapi.json`,
      '--url', sidecar.url,
      '--checks', 'dapr_error_on_5xx,status_code_conformance,content_type_conformance,response_schema_conformance',
      // Shutdown would stop the sidecar under test; it has its own tests.
      '--exclude-path', '/v1.0/shutdown',
      '--phases', 'examples,coverage,fuzzing',
      '--max-examples', '10',
      '--seed', '1',
      '--workers', '1',
      '--request-timeout', '10',
      '--continue-on-failure',
      '--no-color',
    ];
    // A failure exits non-zero: `run` rejects with schemathesis's report (each failure with its curl).
    const output = await run(bin, args, { cwd: dir, env: { SCHEMATHESIS_HOOKS: join(HERE, 'dapr_checks.py') }, timeoutMs: RUN_TIMEOUT_MS });
    expect(output).toMatch(/\d+ generated, \d+ passed/);
    expect(sidecar.proc.exitCode).toBeNull();
    expect((await fetch(`${sidecar.url}/v1.0/healthz`)).status).toBe(204);
    expect(sidecar.output()).not.toMatch(/unexpected error in an HTTP API call/);
  });
});
