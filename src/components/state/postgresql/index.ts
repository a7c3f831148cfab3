import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { StateStore } from '../../../contracts/state.js';

export const postgresqlState: ComponentDescriptor<StateStore> = {
  type: 'state.postgresql',
  category: 'state',
  aliases: ['state.postgres'],
  versions: ['v1'],
  metadata: {
    type: 'object',
    properties: {
      connectionString: { type: 'string', description: 'postgres://user:password@host:5432/db?sslmode=… (or key=value pairs).', sensitive: true },
      tableName: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?$', default: 'state', description: 'Table of the state, created if missing (schema.table allowed).' },
      metadataTableName: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?$', default: 'dapr_metadata', description: 'Table of the schema version, created if missing.' },
      timeoutInSeconds: { type: 'integer', minimum: 1, default: 20, description: 'Bound of every database operation.' },
      cleanupIntervalInSeconds: { type: 'integer', minimum: 0, default: 3600, description: 'How often expired rows are deleted (0: never; they are ignored on read anyway).' },
      maxConns: { type: 'integer', minimum: 1, default: 10, description: 'Largest number of pooled connections.' },
      connectionMaxIdleTime: { type: 'string', format: 'duration', default: '5m', description: 'Idle pooled connections are closed after this long.' },
    },
    required: ['connectionString'],
  },
  load: async () => (await import('./postgres-store.js')).createPostgresStore,
};
