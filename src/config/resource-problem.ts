import { isAbsolute, relative } from 'node:path';
import type { YAMLError } from 'yaml';

/** One thing wrong with the resources, located as precisely as we can: file, document or line, field. */
export interface ResourceProblem {
  file: string;
  /** 1-based position of the document in a multi-document file. */
  document?: number;
  /** 1-based line and column, for problems found while parsing the text. */
  line?: number;
  column?: number;
  /** The offending source line with a caret under the column, shown under the problem. */
  excerpt?: string;
  /** Dotted path inside the document, e.g. `spec.metadata[2].value`. */
  field?: string;
  message: string;
}

export function formatProblem(p: ResourceProblem): string {
  const at = p.line !== undefined ? `line ${p.line}, column ${p.column}` : p.document !== undefined ? `document ${p.document}` : '';
  const where = [displayPath(p.file), at, p.field ?? ''].filter(Boolean).join(': ');
  const excerpt = p.excerpt ? `\n${p.excerpt.replace(/^/gm, '      ')}` : '';
  return `${where}: ${p.message}${excerpt}`;
}

/** A file under the working directory is shown relative to it, as the user would type it. */
function displayPath(file: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/**
 * A YAML syntax error as one problem: the parser's first error only (the later ones are usually its
 * consequences), located by line and column, with the offending line.
 */
export function yamlSyntaxProblem(file: string, text: string, error: YAMLError): ResourceProblem {
  const message = `invalid YAML: ${error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`;
  const pos = error.linePos?.[0];
  if (!pos) return { file, message };
  const source = text.split(/\r?\n/)[pos.line - 1] ?? '';
  // Tabs stay tabs so the caret lines up under the column whatever the tab width.
  const caret = `${source.slice(0, pos.col - 1).replace(/[^\t]/g, ' ')}^`;
  return { file, line: pos.line, column: pos.col, excerpt: `${source}\n${caret}`, message };
}

/** Every problem of every resource file, reported together so users fix them in one pass. */
export class ResourceLoadError extends Error {
  constructor(readonly problems: ResourceProblem[]) {
    super(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in the resources:\n` +
        problems.map((p) => `  - ${formatProblem(p)}`).join('\n'),
    );
    this.name = 'ResourceLoadError';
  }
}
