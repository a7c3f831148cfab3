/**
 * One timer for every instance waiting on time: a min-heap of (due, id) and a single setTimeout for the
 * earliest. Waiting instances cost an entry here, not a timer or a closure each.
 */
export class DueScheduler {
  readonly #heap: Array<{ due: number; id: string }> = [];
  /** The latest due per id: older heap entries for it are stale and skipped. */
  readonly #due = new Map<string, number>();
  #timer?: NodeJS.Timeout;
  #armedFor = Infinity;
  #closed = false;

  constructor(private readonly fire: (ids: string[]) => void) {}

  get size(): number {
    return this.#due.size;
  }

  set(id: string, due: number): void {
    if (this.#closed || this.#due.get(id) === due) return;
    this.#due.set(id, due);
    this.#push({ due, id });
    if (due < this.#armedFor) this.#arm();
  }

  delete(id: string): void {
    this.#due.delete(id);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #arm(): void {
    clearTimeout(this.#timer);
    const top = this.#heap[0];
    if (!top || this.#closed) {
      this.#armedFor = Infinity;
      return;
    }
    this.#armedFor = top.due;
    // Capped so a far due time never overflows setTimeout; the timer re-arms when it fires early.
    const delay = Math.min(Math.max(0, top.due - Date.now()), 3_600_000);
    this.#timer = setTimeout(() => this.#run(), delay);
    this.#timer.unref();
  }

  #run(): void {
    const now = Date.now();
    const ids: string[] = [];
    while (this.#heap.length > 0 && this.#heap[0].due <= now) {
      const { id, due } = this.#pop()!;
      if (this.#due.get(id) !== due) continue;
      this.#due.delete(id);
      ids.push(id);
    }
    this.#arm();
    if (ids.length > 0) this.fire(ids);
  }

  #push(entry: { due: number; id: string }): void {
    const h = this.#heap;
    h.push(entry);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (h[p].due <= h[i].due) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }

  #pop(): { due: number; id: string } | undefined {
    const h = this.#heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l].due < h[m].due) m = l;
        if (r < h.length && h[r].due < h[m].due) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }
}
