/** One thing wrong with the resources, located as precisely as we can: file, document, field. */
export interface ResourceProblem {
  file: string;
  /** 1-based position of the document in a multi-document file. */
  document?: number;
  /** Dotted path inside the document, e.g. `spec.metadata[2].value`. */
  field?: string;
  message: string;
}

export function formatProblem(p: ResourceProblem): string {
  const where = [p.file, p.document !== undefined ? `document ${p.document}` : '', p.field ?? ''].filter(Boolean).join(': ');
  return `${where}: ${p.message}`;
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
