import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** package.json's name: unique on npm, so an unrelated `mecha` package above this one is never taken for it. */
const PACKAGE_NAME = 'mecha-sidecar';

let root: string | undefined;

/**
 * A path inside the installed package (proto/, package.json…). Found by walking up from this module, so
 * it holds for the compiled tree (dist/util/) and the bundle (dist/bundle/) alike.
 */
export function packageFile(...segments: string[]): string {
  root ??= findRoot(dirname(fileURLToPath(import.meta.url)));
  return join(root, ...segments);
}

function findRoot(start: string): string {
  let dir = start;
  for (let i = 0; i < 10; i++) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`cannot find the mecha package root above ${start}`);
}
