// Reduces Prometheus text scrapes of daprd's /metrics to their metric families (name, type, help, label
// names, histogram buckets), dropping values, so the shape can be committed and compared with Mecha's.
//   node test/observability/record-daprd-metrics.mjs a.prom b.prom > test/observability/fixtures/daprd-metric-families.json
import { readFileSync } from 'node:fs';

const families = new Map();
const family = (name) => {
  if (!families.has(name)) families.set(name, { name, type: '', help: '', labels: new Set(), buckets: new Set() });
  return families.get(name);
};
for (const file of process.argv.slice(2)) {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      family(meta[2])[meta[1] === 'HELP' ? 'help' : 'type'] = meta[3];
      continue;
    }
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? /.exec(line);
    if (!sample) continue;
    const base = [...families.keys()].find((n) => sample[1] === n || (families.get(n).type === 'histogram' || families.get(n).type === 'summary') && /^_(bucket|sum|count)$/.test(sample[1].slice(n.length)) && sample[1].startsWith(n));
    if (!base) continue;
    const f = families.get(base);
    for (const [, k, v] of (sample[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      if (k === 'le') f.buckets.add(v);
      else if (k !== 'quantile') f.labels.add(k);
    }
  }
}
const out = [...families.values()]
  .filter((f) => !f.name.startsWith('go_'))
  .sort((a, b) => a.name.localeCompare(b.name))
  .map((f) => ({
    name: f.name,
    type: f.type,
    help: f.help,
    labels: [...f.labels].sort(),
    ...(f.type === 'histogram' ? { buckets: [...f.buckets].filter((b) => b !== '+Inf').map(Number).sort((a, b) => a - b) } : {}),
  }));
process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
