import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { BindingRequest, BindingResponse, OutputBinding } from '../../../contracts/binding.js';
import type { ComponentContext } from '../../../contracts/component.js';

export type LocalStorageMetadata = { rootPath: string };

const SENSITIVE = ['/etc', '/proc', '/sys', '/dev', '/boot', '/bin', '/sbin', '/usr', '/lib', '/root/.ssh'];
const MAX_LIST = 100_000;

/**
 * Files under `rootPath`: create, get, list, delete. Every name is checked before any file is touched:
 * absolute paths, `..` and symlinks leading outside the root are refused.
 */
class LocalStorageBinding implements OutputBinding {
  #root = '';

  async init(md: LocalStorageMetadata): Promise<void> {
    const root = resolve(md.rootPath);
    if (root === '/' || SENSITIVE.some((s) => root === s || root.startsWith(s + sep))) throw new Error(`rootPath: ${root} is a system directory`);
    await mkdir(root, { recursive: true });
    this.#root = await realpath(root);
  }

  operations() {
    return ['create', 'get', 'list', 'delete'];
  }

  async invoke(req: BindingRequest): Promise<BindingResponse> {
    switch (req.operation) {
      case 'create': {
        const name = req.metadata.fileName || randomUUID();
        const file = await this.#inside(name);
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, decodePayload(req.data));
        return { data: Buffer.from(JSON.stringify({ fileName: relative(this.#root, file) })) };
      }
      case 'get':
        return { data: await readFile(await this.#existing(req.metadata.fileName)) };
      case 'delete':
        await rm(await this.#existing(req.metadata.fileName));
        return {};
      default: {
        const dir = req.metadata.fileName ? await this.#existing(req.metadata.fileName) : this.#root;
        return { data: Buffer.from(JSON.stringify(await listFiles(dir, this.#root))) };
      }
    }
  }

  async close(): Promise<void> {}

  /**
   * Resolves a name inside the root: the deepest part of the path that exists is resolved with its
   * symlinks and must stay inside the root; the parts that do not exist yet cannot be links.
   */
  async #inside(name: string | undefined): Promise<string> {
    if (!name) throw new Error('metadata "fileName" is required');
    if (isAbsolute(name) || name.split(/[\\/]/).includes('..')) throw new Error(`fileName "${name}" must be a relative path inside rootPath`);
    const target = join(this.#root, name);
    let existing = target;
    let rest = '';
    for (let depth = 0; existing !== this.#root && depth < 256; depth++) {
      try {
        const real = await realpath(existing);
        if (real !== this.#root && !real.startsWith(this.#root + sep)) throw new Error(`fileName "${name}" leads outside rootPath`);
        return rest ? join(real, rest) : real;
      } catch (err) {
        if ((err as Error).message.includes('leads outside')) throw err;
        rest = rest ? join(basename(existing), rest) : basename(existing);
        existing = dirname(existing);
      }
    }
    return join(this.#root, rest);
  }

  async #existing(name: string | undefined): Promise<string> {
    const file = await this.#inside(name);
    const real = await realpath(file).catch(() => {
      throw new Error(`file not found: ${name}`);
    });
    if (real !== this.#root && !real.startsWith(this.#root + sep)) throw new Error(`fileName "${name}" leads outside rootPath`);
    return real;
  }
}

/** A JSON string payload is unquoted, then base64-decoded when it is valid base64 (daprd's rules). */
function decodePayload(data: Buffer): Buffer {
  let text = data.toString('utf8');
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === 'string') text = v;
    else return data;
  } catch {
    return data;
  }
  return /^[A-Za-z0-9+/]+={0,2}$/.test(text) && text.length % 4 === 0 ? Buffer.from(text, 'base64') : Buffer.from(text);
}

async function listFiles(dir: string, root: string): Promise<string[]> {
  if (!(await stat(dir)).isDirectory()) return [relative(root, dir)];
  const out: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out.push(relative(root, join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name)));
    if (out.length >= MAX_LIST) break;
  }
  return out.sort();
}

export function createLocalStorageBinding(_ctx: ComponentContext): LocalStorageBinding {
  return new LocalStorageBinding();
}
