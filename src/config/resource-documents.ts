import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { yamlSyntaxProblem, type ResourceProblem } from './resource-problem.js';

export interface ResourceDocument {
  file: string;
  /** 1-based position in the file. */
  index: number;
  content: Record<string, unknown>;
}

/**
 * Reads every `.yaml`/`.yml` file directly inside each resources path (not recursive, as daprd does),
 * each document of a multi-document file separately. Unreadable paths and YAML syntax errors become
 * problems instead of stopping at the first one; a file with a syntax error contributes that one problem.
 */
export async function readResourceDocuments(
  dirs: readonly string[],
): Promise<{ documents: ResourceDocument[]; problems: ResourceProblem[]; skipped: string[] }> {
  const documents: ResourceDocument[] = [];
  const problems: ResourceProblem[] = [];
  const skipped: string[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
      names = (await readdir(dir)).sort();
    } catch (err) {
      problems.push({ file: dir, message: `resources path cannot be read (${(err as Error).message})` });
      continue;
    }
    for (const name of names) {
      // Hidden entries are never resources: a Kubernetes ConfigMap volume keeps its files in `..data`
      // and `..<timestamp>` beside the links to them.
      if (name.startsWith('.')) continue;
      const file = join(dir, name);
      const ext = extname(name).toLowerCase();
      if (ext !== '.yaml' && ext !== '.yml') {
        skipped.push(file);
        continue;
      }
      const text = await readFile(file, 'utf8');
      const docs = parseAllDocuments(text);
      const broken = docs.find((doc) => doc.errors.length > 0);
      if (broken) {
        problems.push(yamlSyntaxProblem(file, text, broken.errors[0]));
        continue;
      }
      docs.forEach((doc, i) => {
        const content: unknown = doc.toJS();
        if (content === null || content === undefined) return; // empty document, e.g. after a trailing ---
        if (typeof content !== 'object' || Array.isArray(content)) {
          problems.push({ file, document: i + 1, message: 'a resource must be a YAML mapping with apiVersion, kind, metadata and spec' });
          return;
        }
        documents.push({ file, index: i + 1, content: content as Record<string, unknown> });
      });
    }
  }
  return { documents, problems, skipped };
}
