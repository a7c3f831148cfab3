import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfiguration } from '../../src/config/configuration.js';
import { loadHttpEndpoints } from '../../src/config/http-endpoints.js';
import { loadResiliency } from '../../src/config/resiliency-resources.js';
import { loadResources } from '../../src/config/resources.js';
import { loadSubscriptions } from '../../src/config/subscriptions.js';
import { builtinComponents } from '../../src/registry/builtin.js';
import { ComponentRegistry } from '../../src/registry/component-registry.js';
import { readDocBlocks, type DocBlock } from '../support/doc-examples.js';
import { DocSession } from '../support/doc-runner.js';

// Every fenced block of the READMEs and docs/, run as written (see test/support/doc-examples.ts for the
// markers). The README's examples use fixed ports (3500, 3000…): the files, and the blocks of each
// file, run one after the other.
const root = join(import.meta.dirname, '../..');
const documents = ['README.md', 'examples/README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)].filter(
  (doc) => readDocBlocks(join(root, doc)).length > 0,
);

const yamlDirs: string[] = [];
afterAll(() => yamlDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A YAML block is what its kind's own loader accepts, for an app-id its scopes admit. */
async function validateYaml(text: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mecha-docs-yaml-'));
  yamlDirs.push(dir);
  const file = join(dir, 'example.yaml');
  writeFileSync(file, text);
  const contents = parseAllDocuments(text).map((d) => d.toJS() as { kind?: string; scopes?: string[] });
  const appId = contents.find((c) => c.scopes?.length)?.scopes?.[0] ?? 'docs';
  if (contents.every((c) => c.kind === 'Configuration')) {
    await loadConfiguration([file], {});
    return;
  }
  const warnings: string[] = [];
  const loaded = await loadResources([dir], { registry: new ComponentRegistry(builtinComponents), appId, env: {}, warn: (m) => warnings.push(m) });
  expect(warnings).toEqual([]);
  expect(loaded.components).toHaveLength(contents.filter((c) => c.kind === 'Component').length);
  const problems = [
    ...loadSubscriptions(loaded.others, appId).problems,
    ...loadResiliency(loaded.others, appId).problems,
    ...loadHttpEndpoints(loaded.others, appId).problems,
  ];
  expect(problems).toEqual([]);
  expect(loaded.components.length + loaded.others.length).toBe(contents.length);
}

describe.sequential.each(documents)('%s', (doc) => {
  const blocks = readDocBlocks(join(root, doc));
  const session = new DocSession();
  afterAll(() => session.close());

  const title = (b: DocBlock) => `line ${b.line} (${b.lang || 'text'}${b.marker.skip ? `; not run: ${b.marker.skip}` : ''})`;
  for (const block of blocks) {
    if (block.marker.skip) {
      it.skip(title(block), () => {});
      continue;
    }
    it(title(block), async () => {
      if ((block.lang === 'yaml' || block.lang === 'yml') && !block.marker.file) await validateYaml(block.text);
      else await session.run(block);
    }, 120_000);
  }
});
