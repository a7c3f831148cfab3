/** A Prometheus text exposition, read back for assertions: samples with their labels, and family metadata. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  samples: Sample[];
  help: Map<string, string>;
  type: Map<string, string>;
  /** The sum of the samples of `name` whose labels include every given label. */
  sum(name: string, labels?: Record<string, string>): number;
  /** Label names seen on a family's samples (histograms: `le` left out). */
  labelNames(family: string): string[];
  /** A histogram's bucket bounds, `+Inf` left out. */
  buckets(family: string): number[];
}

export function parseScrape(text: string): Scrape {
  const samples: Sample[] = [];
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  for (const line of text.split('\n')) {
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      (meta[1] === 'HELP' ? help : type).set(meta[2], meta[3]);
      continue;
    }
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  const matching = (name: string, labels: Record<string, string>) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  const ofFamily = (family: string) => samples.filter((s) => s.name === family || (type.get(family) === 'histogram' && /^_(bucket|sum|count)$/.test(s.name.slice(family.length)) && s.name.startsWith(family)));
  return {
    samples,
    help,
    type,
    sum: (name, labels = {}) => matching(name, labels).reduce((n, s) => n + s.value, 0),
    labelNames: (family) => [...new Set(ofFamily(family).flatMap((s) => Object.keys(s.labels)).filter((k) => k !== 'le'))].sort(),
    buckets: (family) => [...new Set(ofFamily(family).map((s) => s.labels.le).filter((le) => le !== undefined && le !== '+Inf'))].map(Number).sort((a, b) => a - b),
  };
}

/** Scrapes `/metrics` on a loopback port. */
export async function scrape(port: number): Promise<Scrape> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}`);
  return parseScrape(await res.text());
}
