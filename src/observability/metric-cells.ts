/**
 * Counter and histogram families whose bound cells are plain numbers: `inc` and `observe` add to fields
 * of the cell, without hashing labels or allocating (prom-client's own children hash their labels on
 * every call). prom-client's registry reads them through `get()` at scrape time and formats the text.
 */
type Labels = Record<string, string>;

/** What prom-client's registry reads from a metric when it writes the text format. */
export interface Collected {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: Array<{ metricName?: string; labels: Record<string, string | number>; value: number }>;
}

export interface CounterCell {
  inc(): void;
}

export interface HistogramCell {
  observe(v: number): void;
}

abstract class Family<C> {
  readonly #cells = new Map<string, C>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  /** The cell of these label values, created on first use; the same values always give the same cell. */
  bind(labels: Labels): C {
    const key = JSON.stringify(labels);
    let cell = this.#cells.get(key);
    if (!cell) {
      cell = this.create(labels);
      this.#cells.set(key, cell);
    }
    return cell;
  }

  protected abstract create(labels: Labels): C;

  protected get cells(): IterableIterator<C> {
    return this.#cells.values();
  }
}

class CountCell implements CounterCell {
  value = 0;
  constructor(readonly labels: Labels) {}
  inc(): void {
    this.value++;
  }
}

export class CounterFamily extends Family<CountCell> {
  readonly type = 'counter';

  protected create(labels: Labels): CountCell {
    return new CountCell(labels);
  }

  get(): Collected {
    return { name: this.name, help: this.help, type: 'counter', aggregator: 'sum', values: [...this.cells].map((c) => ({ labels: c.labels, value: c.value })) };
  }
}

class BucketCell implements HistogramCell {
  sum = 0;
  count = 0;
  readonly counts: Float64Array;

  constructor(
    readonly labels: Labels,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(v: number): void {
    this.sum += v;
    this.count++;
    const b = this.bounds;
    // First bucket whose bound holds the value (le: less or equal); past the last, only +Inf.
    let lo = 0;
    let hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (b[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    if (lo < b.length) this.counts[lo]!++;
  }
}

export class HistogramFamily extends Family<BucketCell> {
  readonly type = 'histogram';

  constructor(
    name: string,
    help: string,
    private readonly bounds: readonly number[],
  ) {
    super(name, help);
  }

  protected create(labels: Labels): BucketCell {
    return new BucketCell(labels, this.bounds);
  }

  get(): Collected {
    const values: Collected['values'] = [];
    for (const c of this.cells) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += c.counts[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { ...c.labels, le }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { ...c.labels, le: '+Inf' }, value: c.count });
      values.push({ metricName: `${this.name}_sum`, labels: c.labels, value: c.sum });
      values.push({ metricName: `${this.name}_count`, labels: c.labels, value: c.count });
    }
    return { name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values };
  }
}
