/**
 * Bound label children, found by up to four label values through nested maps: a hot-path observation
 * costs a few map lookups and no allocation once its label combination has been seen.
 */
export type LabelValue = string | number | boolean;

export class LabelCache<T> {
  readonly #root = new Map<LabelValue, unknown>();

  constructor(private readonly bind: (a: string, b: string, c: string, d: string) => T) {}

  get(a: LabelValue, b: LabelValue = '', c: LabelValue = '', d: LabelValue = ''): T {
    const l1 = this.#level(this.#root, a);
    const l2 = this.#level(l1, b);
    const l3 = this.#level(l2, c);
    let leaf = l3.get(d) as T | undefined;
    if (leaf === undefined) {
      leaf = this.bind(String(a), String(b), String(c), String(d));
      l3.set(d, leaf);
    }
    return leaf;
  }

  clear(): void {
    this.#root.clear();
  }

  #level(m: Map<LabelValue, unknown>, key: LabelValue): Map<LabelValue, unknown> {
    let next = m.get(key) as Map<LabelValue, unknown> | undefined;
    if (!next) {
      next = new Map();
      m.set(key, next);
    }
    return next;
  }
}
