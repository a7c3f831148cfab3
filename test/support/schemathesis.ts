import { join } from 'node:path';
import { cachedSetup, progress, requireCommand, run, settle, SDK_CACHE, type Toolchain } from './sdk-toolchains.js';

/** Schemathesis from PyPI, pinned: it generates requests from the HTTP API's OpenAPI document. */
export const SCHEMATHESIS = 'schemathesis==4.32.5';
const VENV = join(SDK_CACHE, 'schemathesis');

let setup: Promise<Toolchain<string>> | undefined;

/** The venv's `schemathesis` command, created once per cache like the SDK toolchains (pip needs PyPI). */
export function schemathesis(): Promise<Toolchain<string>> {
  setup ??= (async () => {
    const python3 = await requireCommand('python3', 'the OpenAPI fuzz test');
    if ('skip' in python3) return python3;
    return settle('schemathesis', async () => {
      await cachedSetup('schemathesis', VENV, SCHEMATHESIS, async () => {
        await run(python3.ready, ['-m', 'venv', VENV]);
        progress('schemathesis', `pip install ${SCHEMATHESIS}`);
        await run(join(VENV, 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', SCHEMATHESIS]);
      });
      return join(VENV, 'bin', 'schemathesis');
    });
  })();
  return setup;
}
