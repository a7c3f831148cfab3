/**
 * RFC 6902 `add` and `test` on a copy of `doc`, as strictly as the API server's JSON-patch library
 * applies a webhook's patch: the parent of every path must exist, array indexes must be in range.
 * Other operations throw: the injector emits none.
 */
export interface JsonPatchOperation {
  op: string;
  path: string;
  value?: unknown;
}

export function applyJsonPatch<T>(doc: T, ops: readonly JsonPatchOperation[]): T {
  const out = structuredClone(doc) as unknown;
  for (const { op, path, value } of ops) {
    if (!path.startsWith('/')) throw new Error(`${path}: a JSON pointer starts with /`);
    const tokens = path.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = tokens.pop()!;
    let parent = out as Record<string, unknown> | unknown[];
    for (const t of tokens) {
      const next = Array.isArray(parent) ? parent[index(parent, t, path, false)] : parent[t];
      if (typeof next !== 'object' || next === null) throw new Error(`${path}: ${t} does not exist`);
      parent = next as Record<string, unknown> | unknown[];
    }
    if (op === 'add') {
      if (Array.isArray(parent)) parent.splice(last === '-' ? parent.length : index(parent, last, path, true), 0, structuredClone(value));
      else parent[last] = structuredClone(value);
    } else if (op === 'test') {
      const actual = Array.isArray(parent) ? parent[index(parent, last, path, false)] : parent[last];
      if (JSON.stringify(actual) !== JSON.stringify(value)) throw new Error(`${path}: test failed`);
    } else {
      throw new Error(`${path}: operation "${op}" is not applied by this helper`);
    }
  }
  return out as T;
}

function index(array: unknown[], token: string, path: string, forInsert: boolean): number {
  const n = Number(token);
  if (!/^(0|[1-9]\d*)$/.test(token) || n > array.length || (!forInsert && n === array.length)) throw new Error(`${path}: index ${token} is out of range`);
  return n;
}
