import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadResources } from '../../src/config/resources.js';
import { renderComponentReference } from '../../src/registry/component-reference.js';
import { ComponentRegistry } from '../../src/registry/component-registry.js';
import { builtinComponents, builtinNameResolvers } from '../../src/registry/builtin.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('component reference and ready-to-use YAML', () => {
  it('docs/components.md is the current output of `mecha components`', () => {
    expect(readFileSync(join(root, 'docs/components.md'), 'utf8')).toBe(renderComponentReference([...builtinComponents, ...builtinNameResolvers]));
  });

  it('every folder in components/ is a valid resources path, and every built-in type has one', async () => {
    const registry = new ComponentRegistry(builtinComponents);
    const covered = new Set<string>();
    for (const dir of readdirSync(join(root, 'components'))) {
      const warnings: string[] = [];
      const loaded = await loadResources([join(root, 'components', dir)], { registry, appId: 'docs', env: {}, warn: (m) => warnings.push(m) });
      expect(warnings, dir).toEqual([]);
      for (const c of loaded.components) covered.add(c.descriptor.type);
    }
    expect([...covered].sort()).toEqual(builtinComponents.map((d) => d.type).sort());
  });
});
