import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResourceDocument } from '../../src/config/resource-documents.js';
import type { MechaKindDeps } from '../../src/runtime/mecha-kinds/mecha-kind.js';
import { createWorkflowKind } from '../../src/workflows/workflow-kind.js';
import { componentDoc, startCores, workflowDoc } from './support/engine-harness.js';
import { finished, waitFor } from './support/sidecars.js';

const dir = mkdtempSync(join(tmpdir(), 'mecha-wf-kind-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const at = (file: string, index: number, content: Record<string, unknown>): ResourceDocument => ({ file, index, content });

async function kindWith() {
  const cores = await startCores('kindapp', [componentDoc('kv', 'state.in-memory')]);
  const deps = {
    appId: 'kindapp',
    namespace: 'default',
    blocks: cores,
    invocation: { invoke: () => Promise.reject(new Error('not used')) },
    components: cores.host,
    dataDir: mkdtempSync(join(dir, 'data-')),
    logger: cores.logger,
  } as unknown as MechaKindDeps;
  return { kind: createWorkflowKind(deps), close: () => cores.host.close() };
}

describe('the Workflow kind', () => {
  it('reports every problem of every document at once, naming file, document and field', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(join(dir, 'def.json'), '{"StartAt": "Nowhere", "States": {"A": {"Type": "Pass", "End": true}}}');
    const { kind, close } = await kindWith();
    const docs = [
      at(file, 1, { apiVersion: 'mecha.io/v1alpha1', kind: 'Workflow', metadata: { name: 'both' }, spec: { definition: {}, definitionFile: 'x.json' } }),
      at(file, 2, { apiVersion: 'mecha.io/v1alpha1', kind: 'Workflow', metadata: { name: 'none' }, spec: {} }),
      at(file, 3, { apiVersion: 'mecha.io/v1alpha1', kind: 'Workflow', metadata: { name: 'missing' }, spec: { definitionFile: 'nope.json' } }),
      at(file, 4, { apiVersion: 'mecha.io/v1alpha1', kind: 'Workflow', metadata: { name: 'start' }, spec: { definitionFile: 'def.json' } }),
      at(file, 5, {
        apiVersion: 'mecha.io/v1alpha1',
        kind: 'Workflow',
        metadata: { name: 'resources' },
        spec: {
          definition: {
            StartAt: 'T',
            States: {
              T: { Type: 'Task', Resource: 'arn:aws:lambda:x', Next: 'M' },
              M: { Type: 'Map', ItemProcessor: { StartAt: 'S', States: { S: { Type: 'Task', Resource: 'state:kv/upsert', End: true } } }, End: true },
            },
          },
        },
      }),
      at(file, 6, { apiVersion: 'mecha.io/v1alpha1', kind: 'Workflow', metadata: { name: 'other' }, scopes: ['someone-else'], spec: {} }),
    ];
    const { problems } = kind.load(docs);
    expect(problems.map((p) => [p.document, p.field])).toEqual([
      [1, 'spec'],
      [2, 'spec.definition'],
      [3, 'spec.definitionFile'],
      [4, 'spec.definitionFile/StartAt'],
      [5, 'spec.definition/States/T/Resource'],
      [5, 'spec.definition/States/M/ItemProcessor/States/S/Resource'],
    ]);
    expect(problems[4].message).toContain('unknown resource "arn:aws:lambda:x"');
    expect(problems.every((p) => p.file === file)).toBe(true);
    await close();
  });

  it('takes spec.definition as JSON or YAML text too (a block scalar), and names its syntax errors', async () => {
    const { kind, close } = await kindWith();
    const file = join(dir, 'text.yaml');
    const json = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 1, "End": true}}}';
    const yaml = 'StartAt: A\nStates:\n  A:\n    Type: Succeed\n';
    const doc = (index: number, name: string, definition: string) => at(file, index, { apiVersion: 'mecha.io/v1alpha1', kind: 'Workflow', metadata: { name }, spec: { definition } });
    expect(kind.load([doc(1, 'json', json), doc(2, 'yaml', yaml)]).problems).toEqual([]);
    const { problems } = kind.load([doc(1, 'broken', '{"StartAt": "A", "States": {'), doc(2, 'scalar', 'just words')]);
    expect(problems.map((p) => [p.document, p.field])).toEqual([
      [1, 'spec.definition'],
      [2, 'spec.definition'],
    ]);
    expect(problems[0].message).toContain('is not JSON or YAML');
    expect(problems[1].message).toBe('must be a mapping (an ASL document)');
    await close();
  });

  it('applies a new definition to new instances; running ones keep the one they started with', async () => {
    const { kind, close } = await kindWith();
    const version = (v: string) => ({ StartAt: 'Wait', States: { Wait: { Type: 'Task', Resource: 'event:go', Next: 'Say' }, Say: { Type: 'Pass', Result: v, End: true } } });
    const first = kind.load([workflowDoc('greet', version('v1'))]);
    expect(first.problems).toEqual([]);
    await first.apply();
    const old = await kind.engine.start('greet', {});
    await kind.load([workflowDoc('greet', version('v2'))]).apply();
    expect(kind.metadata()).toEqual([expect.objectContaining({ name: 'greet', states: 2 })]);
    const fresh = await kind.engine.start('greet', {});
    for (const id of [old, fresh]) await kind.engine.raiseEvent(id, 'go', null);
    expect((await waitFor('old finishes', () => kind.engine.get(old), finished))?.output).toBe('"v1"');
    expect((await waitFor('new finishes', () => kind.engine.get(fresh), finished))?.output).toBe('"v2"');
    await expect(kind.engine.start('nosuch', {})).rejects.toMatchObject({ reason: 'workflow-not-found' });
    await expect(kind.engine.pause('nosuch-instance')).rejects.toMatchObject({ reason: 'instance-not-found' });
    await expect(kind.engine.resume(old)).rejects.toMatchObject({ reason: 'invalid-status' });
    await kind.close();
    await close();
  });
});
