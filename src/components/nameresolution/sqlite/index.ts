import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { NameResolution } from '../../../contracts/nameresolution.js';

/**
 * Zero-configuration discovery for many sidecars on one host: a registry file shared by every sidecar
 * of the user (no multicast). Also answers to `nameresolution.mdns`, daprd's self-hosted default.
 */
export const sqliteNameResolution: ComponentDescriptor<NameResolution> = {
  type: 'nameresolution.sqlite',
  category: 'nameresolution',
  aliases: ['nameresolution.mdns'],
  versions: ['v1'],
  metadata: {
    type: 'object',
    properties: {
      connectionString: { type: 'string', description: 'Registry file; empty: `.mecha/nameresolution.db` in the home directory.' },
      updateInterval: { type: 'string', format: 'duration', default: '5s', description: 'How often a sidecar refreshes its entry; entries silent for three intervals are ignored.' },
      timeout: { type: 'string', format: 'duration', default: '20s', description: 'Accepted for compatibility with daprd; operations here are synchronous.' },
      tableName: { type: 'string', default: 'hosts', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Table of registrations.' },
      metadataTableName: { type: 'string', default: 'metadata', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Table that records the schema version.' },
      cleanupInterval: { type: 'string', format: 'duration', default: '1h', description: 'How often stale entries are deleted.' },
    },
  },
  load: async () => (await import('./sqlite-registry.js')).createSqliteRegistry,
};
