import { join } from 'node:path';
import { cachedSetup, progress, requireCommand, run, settle, SDK_CACHE, type Toolchain } from './sdk-toolchains.js';

/**
 * The Python SDK from PyPI. Since 1.19 `dapr.ext.grpc` ships inside the core `dapr` wheel (the `grpc`
 * extra adds its cloudevents dependency); the separate dapr-ext-grpc distribution stopped at 1.18.
 */
export const PYTHON_SDK = 'dapr[grpc]==1.19.0';
const VENV = join(SDK_CACHE, 'python');

let setup: Promise<Toolchain<string>> | undefined;

/** The venv's python with the SDK installed, created once per cache (pip needs the PyPI registry). */
export function pythonSdk(): Promise<Toolchain<string>> {
  setup ??= (async () => {
    const python3 = await requireCommand('python3', 'the Python SDK tests');
    if ('skip' in python3) return python3;
    const python = join(VENV, 'bin', 'python');
    return settle('python', async () => {
      await cachedSetup('python', VENV, PYTHON_SDK, async () => {
        await run(python3.ready, ['-m', 'venv', VENV]);
        progress('python', `pip install ${PYTHON_SDK}`);
        await run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', PYTHON_SDK]);
      });
      return python;
    });
  })();
  return setup;
}
