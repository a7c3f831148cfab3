import { join } from 'node:path';
import type { ResourceDocument } from '../config/resource-documents.js';

/**
 * The components a sidecar gets when no `--resources-path` is given, named as the Dapr quickstarts
 * expect: a durable SQLite `statestore` under the data directory and an in-process `pubsub`.
 */
export function defaultResourceDocuments(dataDir: string): ResourceDocument[] {
  return [
    {
      file: '<embedded defaults>',
      index: 1,
      content: {
        apiVersion: 'dapr.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'statestore' },
        spec: {
          type: 'state.sqlite',
          version: 'v1',
          metadata: [
            { name: 'connectionString', value: join(dataDir, 'state.db') },
            { name: 'cleanupInterval', value: '1h' },
          ],
        },
      },
    },
    {
      file: '<embedded defaults>',
      index: 2,
      content: {
        apiVersion: 'dapr.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'pubsub' },
        spec: { type: 'pubsub.in-memory', version: 'v1', metadata: [] },
      },
    },
    {
      file: '<embedded defaults>',
      index: 3,
      content: {
        apiVersion: 'dapr.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'lockstore' },
        spec: { type: 'lock.in-memory', version: 'v1', metadata: [] },
      },
    },
    {
      file: '<embedded defaults>',
      index: 4,
      content: {
        apiVersion: 'dapr.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'configstore' },
        spec: { type: 'configuration.in-memory', version: 'v1', metadata: [] },
      },
    },
  ];
}
