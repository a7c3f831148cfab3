import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import type { ResourceProblem } from '../config/resource-problem.js';

type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A place in a document: its URI (a file URL, or the resource file's with a query for inline parts) and a JSON pointer. */
export interface Location {
  uri: string;
  pointer: string;
}

const MAX_DOCUMENTS = 200;
const MAX_REF_HOPS = 32;

/**
 * The documents of the contracts (inline parts and the files they name or `$ref`), by URI, read
 * synchronously so the kind's `load` can report every problem. Relative references resolve against the
 * document holding them; every reference is checked to point at something.
 */
export class ContractDocuments {
  readonly docs = new Map<string, unknown>();
  readonly problems: ResourceProblem[] = [];
  /** Where each document's problems are reported: its own file, or the resource's document and field. */
  readonly #origin = new Map<string, { file: string; document?: number; field: string }>();

  /** An inline part of a resource (`spec.asyncapi` given as a mapping). */
  addInline(resourceFile: string, document: number, field: string, contract: string, content: unknown): string {
    const uri = `${pathToFileURL(resourceFile).href}?contract=${encodeURIComponent(contract)}&part=${encodeURIComponent(field)}`;
    this.docs.set(uri, content);
    this.#origin.set(uri, { file: resourceFile, document, field });
    this.#walkRefs(uri);
    return uri;
  }

  /** A part given as `{ file: path }`, relative to the resource file. Undefined when it cannot be read. */
  addFile(resourceFile: string, document: number, field: string, path: string): string | undefined {
    const uri = new URL(path, pathToFileURL(resourceFile)).href;
    if (!this.#read(uri, { file: resourceFile, document, field })) return undefined;
    return uri;
  }

  /** Reports a problem inside a document at a JSON pointer, naming the document's own file. */
  problem(at: Location, message: string): void {
    const o = this.#origin.get(at.uri);
    if (!o) return void this.problems.push({ file: at.uri, message: `${at.pointer || '/'}: ${message}` });
    if (o.document === undefined) this.problems.push({ file: o.file, field: at.pointer || '/', message });
    else this.problems.push({ file: o.file, document: o.document, field: `${o.field}${at.pointer}`, message });
  }

  /** The value at a location, undefined when there is none. */
  get(at: Location): unknown {
    let value = this.docs.get(at.uri);
    for (const seg of splitPointer(at.pointer)) {
      if (Array.isArray(value)) value = value[Number(seg)];
      else if (isObj(value)) value = value[seg];
      else return undefined;
    }
    return value;
  }

  /** Follows `$ref`s (a message, a parameter…) to the object they name; its own location comes back with it. */
  deref(at: Location): { value: unknown; at: Location } {
    let here = at;
    let value = this.get(here);
    for (let hops = 0; isObj(value) && typeof value.$ref === 'string' && hops < MAX_REF_HOPS; hops++) {
      here = refLocation(value.$ref, here.uri);
      value = this.get(here);
    }
    return { value, at: here };
  }

  #read(uri: string, from: { file: string; document?: number; field: string }): boolean {
    if (this.docs.has(uri)) return true;
    const file = fileURLToPath(uri);
    if (this.docs.size >= MAX_DOCUMENTS) {
      this.problems.push({ ...from, message: `more than ${MAX_DOCUMENTS} documents referenced; ${shown(file)} not read` });
      return false;
    }
    let content: unknown;
    try {
      content = parse(readFileSync(file, 'utf8'));
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message.split('\n')[0];
      this.problems.push({ ...from, message: `cannot read ${shown(file)}: ${reason}` });
      return false;
    }
    this.docs.set(uri, content);
    this.#origin.set(uri, { file, field: '' });
    this.#walkRefs(uri);
    return true;
  }

  /** Reads every file the document refers to, and checks that each reference points at something. */
  #walkRefs(uri: string): void {
    const visit = (value: unknown, pointer: string): void => {
      if (Array.isArray(value)) return value.forEach((v, i) => visit(v, `${pointer}/${i}`));
      if (!isObj(value)) return;
      if (typeof value.$ref === 'string') this.#checkRef(value.$ref, { uri, pointer });
      for (const [k, v] of Object.entries(value)) visit(v, `${pointer}/${escapePointer(k)}`);
    };
    visit(this.docs.get(uri), '');
  }

  #checkRef(ref: string, from: Location): void {
    let target: Location;
    try {
      target = refLocation(ref, from.uri);
    } catch {
      return this.problem({ ...from, pointer: `${from.pointer}/$ref` }, `"${ref}" is not a valid reference`);
    }
    if (!target.uri.startsWith('file:')) return this.problem({ ...from, pointer: `${from.pointer}/$ref` }, `"${ref}": only references to files are followed`);
    const origin = this.#origin.get(from.uri);
    const at = { file: origin?.file ?? from.uri, ...(origin?.document !== undefined ? { document: origin.document } : {}), field: `${origin?.field ?? ''}${from.pointer}/$ref` };
    if (!this.#read(target.uri, at)) return;
    if (this.get(target) === undefined) {
      this.problem({ ...from, pointer: `${from.pointer}/$ref` }, `"${ref}" points at nothing (no ${target.pointer || '/'} in ${shown(fileURLToPath(target.uri))})`);
    }
  }
}

/** A `$ref` as a document URI and a JSON pointer, resolved against the document holding it. */
export function refLocation(ref: string, base: string): Location {
  const url = new URL(ref, base);
  const pointer = decodeURIComponent(url.hash.replace(/^#/, ''));
  url.hash = '';
  return { uri: url.href, pointer };
}

export const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

function splitPointer(pointer: string): string[] {
  return pointer === '' ? [] : pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}


/** A file under the working directory as the user would type it, as resource problems show files. */
function shown(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
