import { describe, expect, it } from 'vitest';
import { readMechaResources } from '../../src/config/mecha-resources.js';
import type { ResourceDocument } from '../../src/config/resource-documents.js';

const doc = (index: number, content: Record<string, unknown>): ResourceDocument => ({ file: '/r/flows.yaml', index, content });

describe('readMechaResources', () => {
  it('keeps valid documents of the kind that are in scope for the app', () => {
    const { resources, problems } = readMechaResources(
      [
        doc(1, { apiVersion: 'mecha.io/v1alpha1', kind: 'Workflow', metadata: { name: 'a' }, spec: { x: 1 } }),
        doc(2, { apiVersion: 'mecha.io/v1alpha1', kind: 'Workflow', metadata: { name: 'b' }, scopes: ['other'], spec: {} }),
        doc(3, { apiVersion: 'mecha.io/v1alpha1', kind: 'Route', metadata: { name: 'r' }, spec: {} }),
      ],
      'Workflow',
      'me',
    );
    expect(problems).toEqual([]);
    expect(resources.map((r) => [r.name, r.spec, r.at])).toEqual([['a', { x: 1 }, { file: '/r/flows.yaml', document: 1 }]]);
  });

  it('reports every envelope problem with file, document and field', () => {
    const { resources, problems } = readMechaResources(
      [
        doc(1, { apiVersion: 'dapr.io/v1alpha1', kind: 'Route', metadata: {}, spec: [] }),
        doc(2, { apiVersion: 'mecha.io/v1alpha1', kind: 'Route', metadata: { name: 'x' }, scopes: 'me', spec: {} }),
        doc(3, { apiVersion: 'mecha.io/v1alpha1', kind: 'Route', metadata: { name: 'y' }, spec: {} }),
        doc(4, { apiVersion: 'mecha.io/v1alpha1', kind: 'Route', metadata: { name: 'y' }, spec: {} }),
      ],
      'Route',
      'me',
    );
    expect(problems.map((p) => [p.document, p.field])).toEqual([
      [1, 'apiVersion'],
      [1, 'metadata.name'],
      [1, 'spec'],
      [2, 'scopes'],
      [4, 'metadata.name'],
    ]);
    expect(problems[0].message).toBe('must be mecha.io/v1alpha1 for kind Route, got "dapr.io/v1alpha1"');
    expect(problems[4].message).toBe('duplicate Route name "y"');
    expect(resources.map((r) => r.name)).toEqual(['y']);
  });
});
