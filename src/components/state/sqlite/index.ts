import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { StateStore } from '../../../contracts/state.js';

export const sqliteState: ComponentDescriptor<StateStore> = {
  type: 'state.sqlite',
  category: 'state',
  aliases: ['state.sqlite3'],
  versions: ['v1'],
  metadata: {
    type: 'object',
    properties: {
      connectionString: { type: 'string', description: 'Database file path, `file:` URI or `:memory:`.' },
      timeout: { type: 'string', format: 'duration', default: '20s', description: 'Accepted for compatibility with daprd; operations here are synchronous, so busyTimeout is what bounds them.' },
      busyTimeout: { type: 'string', format: 'duration', default: '2s', description: 'How long to wait for a lock held by another connection.' },
      disableWAL: { type: 'boolean', default: false, description: 'Use the rollback journal instead of WAL (for network filesystems).' },
      tableName: { type: 'string', default: 'state', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Table that holds the state.' },
      metadataTableName: { type: 'string', default: 'metadata', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Table that records the schema version.' },
      cleanupInterval: { type: 'string', format: 'duration', default: '0', description: 'How often expired rows are deleted (0 disables; plain numbers are seconds).' },
    },
    required: ['connectionString'],
  },
  metadataAliases: { cleanupIntervalInSeconds: 'cleanupInterval' },
  load: async () => (await import('./sqlite-store.js')).createSqliteStore,
};
