import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { RouteKind } from '../../src/routes/route-kind.js';
import type { MechaKindDeps } from '../../src/runtime/mecha-kinds/mecha-kind.js';
import { readDocBlocks } from '../support/doc-examples.js';

// The docs test checks that YAML blocks load as resources; this checks that each Route among them is valid.
const root = join(import.meta.dirname, '../..');
const kind = new RouteKind({ appId: 'checkout', namespace: 'default', logger: pino({ level: 'silent' }) } as MechaKindDeps);

function routeProblems(file: string, text: string): string[] {
  const docs = parseAllDocuments(text).map((d, i) => ({ file, index: i + 1, content: d.toJS() as Record<string, unknown> }));
  return kind.load(docs.filter((d) => d.content?.kind === 'Route')).problems.map((p) => `${p.file} ${p.field}: ${p.message}`);
}

describe('Routes in the docs and examples', () => {
  it('are valid, and there is at least one in each place', () => {
    const blocks = readDocBlocks(join(root, 'docs/routes.md')).filter((b) => b.lang === 'yaml' && b.text.includes('kind: Route'));
    const files = readdirSync(join(root, 'examples/routes/resources')).map((f) => join(root, 'examples/routes/resources', f));
    const routes = [...blocks.map((b) => ({ file: `docs/routes.md:${b.line}`, text: b.text })), ...files.map((f) => ({ file: f, text: readFileSync(f, 'utf8') }))].filter((r) => r.text.includes('kind: Route'));
    expect(blocks.length).toBeGreaterThan(0);
    expect(routes.length).toBeGreaterThan(blocks.length);
    for (const r of routes) expect(routeProblems(r.file, r.text)).toEqual([]);
  });

  it('step fragments (skipped by the docs test) are valid steps of a Route', () => {
    const fragments = readDocBlocks(join(root, 'docs/routes.md')).filter((b) => b.lang === 'yaml' && /spec\.steps/.test(b.marker.skip ?? ''));
    expect(fragments.length).toBeGreaterThan(5);
    for (const f of fragments) {
      const steps = f.text.replace(/^/gm, '    ');
      const route = `apiVersion: mecha.io/v1alpha1\nkind: Route\nmetadata: { name: fragment }\nspec:\n  from: { http: { path: /fragment } }\n  steps:\n${steps}\n  to: [{ pubsub: bus, topic: out }]\n`;
      expect(routeProblems(`docs/routes.md:${f.line}`, route)).toEqual([]);
    }
  });
});
