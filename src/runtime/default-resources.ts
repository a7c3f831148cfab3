import { join } from 'node:path';
import type { ResourceDocument } from '../config/resource-documents.js';

const component = (index: number, name: string, type: string, metadata: Array<{ name: string; value: string }> = []): ResourceDocument => ({
  file: '<embedded defaults>',
  index,
  content: { apiVersion: 'dapr.io/v1alpha1', kind: 'Component', metadata: { name }, spec: { type, version: 'v1', metadata } },
});

/**
 * The components a sidecar gets when no `--resources-path` is given, named as the Dapr quickstarts
 * expect: a durable SQLite `statestore` under the data directory, and in-memory `pubsub`, `lockstore`
 * and `configstore`.
 */
export function defaultResourceDocuments(dataDir: string): ResourceDocument[] {
  return [
    component(1, 'statestore', 'state.sqlite', [
      { name: 'connectionString', value: join(dataDir, 'state.db') },
      { name: 'cleanupInterval', value: '1h' },
    ]),
    component(2, 'pubsub', 'pubsub.in-memory'),
    component(3, 'lockstore', 'lock.in-memory'),
    component(4, 'configstore', 'configuration.in-memory'),
  ];
}
