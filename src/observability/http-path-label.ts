/**
 * The `path` label of the HTTP server metrics, as daprd computes it from `spec.metrics.http`:
 * - `increasedCardinality` (default true): the request path, with the key dropped from state and
 *   secrets paths (`/v1.0/state/<store>`) and the actor id replaced by `{id}`;
 * - `pathMatching`: the first matching pattern (Go ServeMux style: `{name}` matches one segment,
 *   `{name...}` and a trailing `/` match the rest), each also registered under `/v1.0/invoke/{app_id}/method`;
 *   unmatched paths keep the rule above, or are left out (`""`) without increased cardinality.
 */
export interface HttpMetricsOptions {
  increasedCardinality?: boolean;
  pathMatching?: string[];
  excludeVerbs?: boolean;
}

/** App callback paths daprd always labels as they are. */
const STATIC_PATHS = new Set(['/dapr/config', '/dapr/metrics', '/dapr/subscribe', '/healthz']);
const VERBS = new Set(['GET', 'PUT', 'POST', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'CONNECT', 'TRACE']);

export function metricsMethod(method: string, excludeVerbs: boolean): string {
  if (excludeVerbs) return '';
  return VERBS.has(method) ? method : 'UNKNOWN';
}

export function normalizePath(p: string): string {
  const merged = p.replace(/\/{2,}/g, '/');
  return merged.startsWith('/') ? merged : `/${merged}`;
}

/** daprd's low-cardinality form of a Dapr API path (used with increased cardinality, its default). */
export function lowCardinalityPath(path: string): string {
  if (path === '') return path;
  const p = normalizePath(path);
  const parts = p.slice(1).split('/');
  if (parts.length < 3) return p;
  if (parts[0] === 'actors') return ['', parts[0], parts[1], '{id}', ...parts.slice(3)].join('/');
  if (parts[1] === 'state' || parts[1] === 'secrets') return `/${parts.slice(0, 3).join('/')}`;
  if (parts[1] === 'actors' && parts.length >= 5) return `/${[parts[0], parts[1], parts[2], '{id}', parts[4]].join('/')}`;
  return p;
}

interface Pattern {
  text: string;
  segments: string[];
  /** Ends in `/` or `{x...}`: matches every path below it. */
  prefix: boolean;
  literals: number;
}

function compile(text: string): Pattern {
  const prefix = text.endsWith('/') || /\{[^}]*\.\.\.\}$/.test(text);
  const body = text.replace(/\/$/, '').replace(/\/\{[^}]*\.\.\.\}$/, '');
  const segments = body === '' ? [] : body.slice(1).split('/');
  return { text, segments, prefix, literals: segments.filter((s) => !/^\{.*\}$/.test(s)).length };
}

function matches(p: Pattern, parts: string[]): boolean {
  if (p.prefix ? parts.length < p.segments.length : parts.length !== p.segments.length) return false;
  return p.segments.every((s, i) => /^\{.*\}$/.test(s) || s === parts[i]);
}

/** Computes the path label; results are cached, since the same paths come back again and again. */
export class HttpPathLabeler {
  readonly #legacy: boolean;
  readonly #patterns?: Pattern[];
  readonly #rootRegistered: boolean;
  readonly #cache = new Map<string, string>();

  constructor(o: HttpMetricsOptions = {}) {
    this.#legacy = o.increasedCardinality ?? true;
    if (o.pathMatching && o.pathMatching.length > 0) {
      const all = o.pathMatching.flatMap((raw) => {
        const p = normalizePath(raw);
        return p.startsWith('/v1.0/invoke/') ? [p] : [p, `/v1.0/invoke/{app_id}/method${p}`];
      });
      this.#patterns = [...new Set(all)].map(compile);
      this.#rootRegistered = this.#patterns.some((p) => p.text === '/');
    } else this.#rootRegistered = false;
  }

  label(path: string): string {
    let label = this.#cache.get(path);
    if (label === undefined) {
      label = this.#compute(path);
      // Bounded: invocation paths can be unbounded in number.
      if (this.#cache.size >= 10_000) this.#cache.clear();
      this.#cache.set(path, label);
    }
    return label;
  }

  /** Whether daprd also records `dapr_http_server_response_count` under these options. */
  get recordsResponses(): boolean {
    return this.#legacy || this.#patterns !== undefined;
  }

  #compute(path: string): string {
    if (STATIC_PATHS.has(path)) return path;
    if (this.#patterns) {
      const matched = this.#match(path);
      if (matched !== '' && (!this.#legacy || matched !== path)) return matched;
      const normalized = lowCardinalityPath(path);
      if (normalized !== path) {
        const again = this.#match(normalized);
        if (again !== '' && again !== '/') return again;
      }
    }
    return this.#legacy ? lowCardinalityPath(path) : '';
  }

  /** The most specific pattern matching the path; without one, the path itself (legacy) or "". */
  #match(path: string): string {
    const clean = normalizePath(path);
    const parts = clean === '/' ? [] : clean.slice(1).split('/');
    let best: Pattern | undefined;
    for (const p of this.#patterns!) {
      if (!matches(p, parts)) continue;
      if (!best || (best.prefix && !p.prefix) || (best.prefix === p.prefix && (p.segments.length > best.segments.length || (p.segments.length === best.segments.length && p.literals > best.literals)))) best = p;
    }
    if (best) return best.text;
    return this.#legacy && !this.#rootRegistered ? clean : '';
  }
}
