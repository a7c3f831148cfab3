import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfiguration } from '../../src/config/configuration.js';
import type { LoadContext } from '../../src/config/load-components.js';
import { ResourceLoadError, type ResourceProblem } from '../../src/config/resource-problem.js';
import { loadResources } from '../../src/config/resources.js';
import { builtinComponents } from '../../src/registry/builtin.js';
import { ComponentRegistry } from '../../src/registry/component-registry.js';

const APP_ID = 'myapp';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
const temps: string[] = [];
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

/** A fresh resources directory holding `files` (names may contain a sub-directory). */
async function dirWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mecha-resources-'));
  temps.push(dir);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

type Warning = { message: string; fields: Record<string, unknown> };

function context(env: NodeJS.ProcessEnv = {}): LoadContext & { warnings: Warning[] } {
  const warnings: Warning[] = [];
  return { registry: new ComponentRegistry(builtinComponents), appId: APP_ID, env, warn: (message, fields) => warnings.push({ message, fields }), warnings };
}

/** A Component document; `extra` holds further top-level YAML (scopes, auth, namespace…). */
function component(name: string, type: string, meta: Record<string, string> = {}, extra = '', version = 'v1'): string {
  const items = Object.entries(meta).map(([k, v]) => `  - name: ${k}\n    value: ${JSON.stringify(v)}`);
  return `apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\nspec:\n  type: ${type}\n  version: ${version}\n  metadata:\n${items.join('\n')}\n${extra}\n`;
}

const sqlite = (name: string, meta: Record<string, string> = {}, extra = '') => component(name, 'state.sqlite', { connectionString: ':memory:', ...meta }, extra);

/** The one error loading must fail with. */
async function loadError(dirs: string[], ctx = context()): Promise<ResourceLoadError> {
  const err = await loadResources(dirs, ctx).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ResourceLoadError);
  return err as ResourceLoadError;
}

async function problemsOf(dirs: string[], ctx = context()): Promise<ResourceProblem[]> {
  return (await loadError(dirs, ctx)).problems;
}

async function only(yaml: string, env: NodeJS.ProcessEnv = {}) {
  const { components } = await loadResources([await dirWith({ 'c.yaml': yaml })], context(env));
  expect(components).toHaveLength(1);
  return components[0];
}

describe('reading resource files', () => {
  it('reads every document of .yaml and .yml files, not sub-directories', async () => {
    const dir = await dirWith({
      'a.yaml': `${component('one', 'state.in-memory')}---\n${component('two', 'state.in-memory')}`,
      'b.yml': sqlite('three'),
      'nested/c.yaml': component('deep', 'state.in-memory'),
      'nested/broken.yaml': 'this: [is not closed',
    });
    const { components } = await loadResources([dir], context());
    expect(components.map((c) => c.name).sort()).toEqual(['one', 'three', 'two']);
    const two = components.find((c) => c.name === 'two')!;
    expect(two.source).toEqual({ file: join(dir, 'a.yaml'), document: 2 });
    expect(two.category).toBe('state');
  });

  it('reads several directories', async () => {
    const a = await dirWith({ 'a.yaml': component('from-a', 'state.in-memory') });
    const b = await dirWith({ 'b.yaml': component('from-b', 'state.in-memory') });
    const { components } = await loadResources([a, b], context());
    expect(components.map((c) => c.name).sort()).toEqual(['from-a', 'from-b']);
  });

  it('skips non-YAML files with a warning', async () => {
    const dir = await dirWith({ 'README.md': '# not a resource', 'notes.txt': 'kind: Component', 's.yaml': component('s', 'state.in-memory') });
    const ctx = context();
    const { components } = await loadResources([dir], ctx);
    expect(components.map((c) => c.name)).toEqual(['s']);
    const skipped = ctx.warnings.map((w) => JSON.stringify(w.fields));
    expect(skipped.some((f) => f.includes('README.md'))).toBe(true);
    expect(skipped.some((f) => f.includes('notes.txt'))).toBe(true);
  });

  it('recognises the other Dapr kinds without reporting them', async () => {
    const dir = await dirWith({
      'sub.yaml': 'apiVersion: dapr.io/v2alpha1\nkind: Subscription\nmetadata:\n  name: sub\nspec:\n  pubsubname: pubsub\n  topic: orders\n  routes:\n    default: /orders\n',
      'config.yaml': 'apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: config\nspec:\n  tracing:\n    samplingRate: "1"\n',
      'res.yaml': 'apiVersion: dapr.io/v1alpha1\nkind: Resiliency\nmetadata:\n  name: res\nspec:\n  policies: {}\n  targets: {}\n',
      'state.yaml': component('s', 'state.in-memory'),
    });
    const { components, others } = await loadResources([dir], context());
    expect(components.map((c) => c.name)).toEqual(['s']);
    expect(others.map((d) => d.content.kind).sort()).toEqual(['Configuration', 'Resiliency', 'Subscription']);
  });
});

describe('filters', () => {
  it('a scoped component loads only when the app-id is listed', async () => {
    const dir = await dirWith({
      'in.yaml': component('listed', 'state.in-memory', {}, `scopes:\n  - other\n  - ${APP_ID}`),
      'out.yaml': component('unlisted', 'state.in-memory', {}, 'scopes:\n  - other'),
      'all.yaml': component('unscoped', 'state.in-memory', {}, 'scopes: []'),
    });
    const { components } = await loadResources([dir], context());
    expect(components.map((c) => c.name).sort()).toEqual(['listed', 'unscoped']);
  });

  it('with NAMESPACE set, a component in another namespace is left out', async () => {
    const withNs = (name: string, ns: string) => component(name, 'state.in-memory').replace(`  name: ${name}\n`, `  name: ${name}\n  namespace: ${ns}\n`);
    const dir = await dirWith({ 'p.yaml': withNs('prod-store', 'prod'), 'd.yaml': withNs('dev-store', 'dev'), 'n.yaml': component('no-ns', 'state.in-memory') });
    const scoped = await loadResources([dir], context({ NAMESPACE: 'prod' }));
    expect(scoped.components.map((c) => c.name).sort()).toEqual(['no-ns', 'prod-store']);
    const unscoped = await loadResources([dir], context());
    expect(unscoped.components.map((c) => c.name).sort()).toEqual(['dev-store', 'no-ns', 'prod-store']);
  });
});

describe('problems', () => {
  it('reports every problem of every file together, each located by file, document and field', async () => {
    const first = await dirWith({
      'a.yaml': [
        'apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {}\nspec:\n  type: state.in-memory\n  version: v1\n',
        'apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: no-type\nspec:\n  version: v1\n',
        component('unknown-type', 'state.nosuch'),
        component('dup', 'state.in-memory'),
      ].join('---\n'),
      'ok.yaml': component('fine', 'state.in-memory'),
    });
    const second = await dirWith({
      'b.yaml': [
        component('bad-version', 'state.in-memory', {}, '', 'v9'),
        sqlite('bad-bool', { disableWAL: 'maybe' }),
        sqlite('bad-duration', { timeout: 'soon' }),
        component('dup', 'state.in-memory'),
      ].join('---\n'),
      'c.yaml': 'apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: broken\n',
    });
    const problems = await problemsOf([first, second]);
    const a = join(first, 'a.yaml');
    const b = join(second, 'b.yaml');
    const at = (file: string, document: number, field: string) => problems.find((p) => p.file === file && p.document === document && p.field === field);

    expect(at(a, 1, 'metadata.name')).toBeDefined();
    expect(at(a, 2, 'spec.type')).toBeDefined();
    const unknown = at(a, 3, 'spec.type');
    expect(unknown?.message).toContain('state.nosuch');
    for (const known of ['state.in-memory', 'state.redis', 'state.sqlite']) expect(unknown?.message).toContain(known);
    expect(at(b, 1, 'spec.version')?.message).toContain('v9');
    expect(at(b, 2, 'spec.metadata.disableWAL')).toBeDefined();
    expect(at(b, 3, 'spec.metadata.timeout')).toBeDefined();
    const dup = at(b, 4, 'metadata.name');
    expect(dup?.message).toContain('dup');
    expect(dup?.message).toContain(a);
    const yaml = problems.filter((p) => p.file === join(second, 'c.yaml'));
    expect(yaml).toHaveLength(1);
    expect(yaml[0].line).toBeGreaterThanOrEqual(3);
    expect(yaml[0].message).toMatch(/yaml/i);
    expect(problems.some((p) => p.file === join(first, 'ok.yaml'))).toBe(false);
  });

  it('the error message lists every problem', async () => {
    const dir = await dirWith({ 'x.yaml': sqlite('x', { disableWAL: 'maybe' }), 'y.yaml': component('y', 'state.nosuch') });
    const err = await loadError([dir]);
    expect(err.problems).toHaveLength(2);
    expect(err.message).toContain('x.yaml');
    expect(err.message).toContain('y.yaml');
  });

  it('a YAML syntax error is one problem with line, column and the offending line', async () => {
    const text = 'apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\nspec:\n  type: state.in-memory\n   version: v1\n  metadata: [\n';
    const dir = await dirWith({ 'bad.yaml': text, 'later.yaml': sqlite('later', { disableWAL: 'maybe' }) });
    const err = await loadError([dir]);
    const file = join(dir, 'bad.yaml');
    expect(err.problems.filter((p) => p.file === file)).toEqual([
      { file, line: 6, column: 9, excerpt: '  type: state.in-memory\n        ^', message: 'invalid YAML: Nested mappings are not allowed in compact mappings' },
    ]);
    expect(err.problems.some((p) => p.file === join(dir, 'later.yaml'))).toBe(true);
    expect(err.message).toContain(
      `  - ${file}: line 6, column 9: invalid YAML: Nested mappings are not allowed in compact mappings\n        type: state.in-memory\n              ^\n`,
    );
  });

  it('a YAML syntax error in a --config file is located the same way', async () => {
    const dir = await dirWith({ 'config.yaml': 'apiVersion: dapr.io/v1alpha1\nkind: Configuration\nspec:\n\ttracing: {}\n' });
    const err = await loadConfiguration([join(dir, 'config.yaml')], {}).then(
      () => undefined,
      (e: unknown) => e as ResourceLoadError,
    );
    expect(err?.problems).toEqual([
      { file: join(dir, 'config.yaml'), line: 4, column: 1, excerpt: '\ttracing: {}\n^', message: 'invalid YAML: Tabs are not allowed as indentation' },
    ]);
  });

  it('a secretKeyRef without a secret store is a problem naming the field', async () => {
    const yaml = component('s', 'state.sqlite').replace('  metadata:\n', '  metadata:\n  - name: connectionString\n    secretKeyRef:\n      name: db\n      key: conn\n');
    const [p] = await problemsOf([await dirWith({ 's.yaml': yaml })]);
    expect(p.field).toBe('spec.metadata[0].secretKeyRef');
  });

  it('a keyPrefix containing || is a problem', async () => {
    const [p] = await problemsOf([await dirWith({ 's.yaml': component('s', 'state.in-memory', { keyPrefix: 'a||b' }) })]);
    expect(p.field).toContain('keyPrefix');
    expect(p.message).toContain('||');
  });

  it('a sensitive value never appears in a problem', async () => {
    const secret = 'hunter2-very-secret';
    const yaml = component('r', 'state.redis', { redisHost: 'localhost:6379', redisPassword: secret, redisDB: 'abc' });
    const dir = await dirWith({ 'r.yaml': yaml });
    const err = await loadError([dir]);
    expect(err.problems.map((p) => p.field)).toEqual(['spec.metadata.redisDB']);
    expect(JSON.stringify(err.problems)).not.toContain(secret);
    expect(err.message).not.toContain(secret);
  });
});

describe('metadata values', () => {
  it('names match case-insensitively', async () => {
    const c = await only(component('s', 'state.sqlite', { CONNECTIONSTRING: ':memory:', DisableWal: 'true' }));
    expect(c.metadata.connectionString).toBe(':memory:');
    expect(c.metadata.disableWAL).toBe(true);
  });

  it.each([
    ['True', true],
    ['1', true],
    ['t', true],
    ['FALSE', false],
    ['0', false],
    ['f', false],
  ])('Go boolean spelling %s', async (spelling, value) => {
    expect((await only(sqlite('s', { disableWAL: spelling }))).metadata.disableWAL).toBe(value);
  });

  it('an empty string means unset, so the default applies', async () => {
    const c = await only(sqlite('s', { timeout: '', tableName: '', disableWAL: '' }));
    expect(c.metadata.timeout).toBe('20s');
    expect(c.metadata.tableName).toBe('state');
    expect(c.metadata.disableWAL).toBe(false);
  });

  it('{appID} and {uuid} are replaced, each {uuid} with a fresh value', async () => {
    const c = await only(component('r', 'state.redis', { redisHost: 'localhost:6379', redisUsername: 'user-{appID}', clientCert: '{uuid} {uuid}' }));
    expect(c.metadata.redisUsername).toBe(`user-${APP_ID}`);
    const [u1, u2] = String(c.metadata.clientCert).split(' ');
    expect(u1).toMatch(UUID);
    expect(u2).toMatch(UUID);
    expect(u1).not.toBe(u2);
  });

  it('envRef reads an allowed variable', async () => {
    const yaml = component('s', 'state.sqlite').replace('  metadata:\n', '  metadata:\n  - name: connectionString\n    envRef: MY_CONN\n');
    expect((await only(yaml, { MY_CONN: ':memory:' })).metadata.connectionString).toBe(':memory:');
  });

  it('envRef to a DAPR_ variable or a missing one is a problem', async () => {
    const ref = (name: string, variable: string) =>
      component(name, 'state.sqlite').replace('  metadata:\n', `  metadata:\n  - name: connectionString\n    envRef: ${variable}\n`);
    const dir = await dirWith({ 'denied.yaml': ref('denied', 'DAPR_X'), 'missing.yaml': ref('missing', 'NOT_SET_ANYWHERE') });
    const problems = await problemsOf([dir], context({ DAPR_X: ':memory:' }));
    const denied = problems.find((p) => p.file.endsWith('denied.yaml'));
    const missing = problems.find((p) => p.file.endsWith('missing.yaml'));
    expect(denied?.field).toBe('spec.metadata[0]');
    expect(denied?.message).toContain('DAPR_X');
    expect(missing?.field).toBe('spec.metadata[0]');
    expect(missing?.message).toContain('NOT_SET_ANYWHERE');
  });

  it('unknown adapter keys are a warning, not an error', async () => {
    const ctx = context();
    const dir = await dirWith({ 's.yaml': component('s', 'state.in-memory', { fooBar: 'x' }) });
    const { components } = await loadResources([dir], ctx);
    expect(components.map((c) => c.name)).toEqual(['s']);
    expect(JSON.stringify(ctx.warnings)).toContain('fooBar');
  });

  it('runtime keys are kept apart from the adapter metadata', async () => {
    const c = await only(component('s', 'state.in-memory', { KEYPREFIX: 'none' }));
    expect(c.runtimeMetadata).toEqual({ keyPrefix: 'none' });
    expect(c.metadata).toEqual({});
  });
});

describe('initTimeout', () => {
  it('is parsed as a Go duration', async () => {
    const c = await only(component('s', 'state.in-memory').replace('  version: v1\n', '  version: v1\n  initTimeout: 10s\n'));
    expect(c.initTimeoutMs).toBe(10_000);
  });

  it('defaults to 5 seconds', async () => {
    expect((await only(component('s', 'state.in-memory'))).initTimeoutMs).toBe(5000);
  });

  it.each(['soon', '0s', '-3s'])('an invalid or non-positive value (%s) falls back to the default', async (value) => {
    const c = await only(component('s', 'state.in-memory').replace('  version: v1\n', `  version: v1\n  initTimeout: ${value}\n`));
    expect(c.initTimeoutMs).toBe(5000);
  });
});
