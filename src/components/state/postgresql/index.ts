import type { ComponentDescriptor } from '../../../contracts/component.js';
import type { StateStore } from '../../../contracts/state.js';

const TABLE = '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?$';

/** daprd's `state.postgresql` v1: its metadata names and defaults, its table layout. */
export const postgresqlState: ComponentDescriptor<StateStore> = {
  type: 'state.postgresql',
  category: 'state',
  aliases: ['state.postgres'],
  versions: ['v1'],
  metadata: {
    type: 'object',
    properties: {
      connectionString: { type: 'string', sensitive: true, description: 'postgres://user:password@host:5432/db?sslmode=… or libpq key=value pairs ("host=… user=… dbname=…").' },
      host: { type: 'string', description: 'Overrides the connection string\'s host.' },
      hostaddr: { type: 'string', description: 'Overrides the connection string\'s hostaddr (an IP address, used instead of resolving host).' },
      port: { type: 'string', pattern: '^[0-9]+$', description: 'Overrides the connection string\'s port.' },
      database: { type: 'string', description: 'Overrides the connection string\'s database.' },
      user: { type: 'string', description: 'Overrides the connection string\'s user.' },
      password: { type: 'string', sensitive: true, description: 'Overrides the connection string\'s password.' },
      sslRootCert: { type: 'string', description: 'Path of the CA certificate that signs the server\'s certificate (sslrootcert).' },
      tableName: { type: 'string', pattern: TABLE, default: 'state', description: 'Table of the state, created if missing (schema.table allowed).' },
      metadataTableName: { type: 'string', pattern: TABLE, default: 'dapr_metadata', description: 'Table of the schema version and the last cleanup time, created if missing.' },
      timeout: { type: 'string', format: 'duration', default: '20s', description: 'Bound of connecting and of every statement (at least 1s; plain numbers are seconds).' },
      cleanupInterval: { type: 'string', format: 'duration', default: '1h', description: 'How often expired rows are deleted (0 or less: never; expired rows are invisible anyway).' },
      maxConns: { type: 'integer', default: 0, description: 'Largest number of pooled connections (0 or less: the greater of 4 and the number of CPUs).' },
      connectionMaxIdleTime: { type: 'string', format: 'duration', default: '0', description: 'Idle pooled connections are closed after this long (0: the driver\'s default, 10s).' },
      queryExecMode: {
        type: 'string',
        enum: ['cache_statement', 'cache_describe', 'describe_exec', 'exec', 'simple_protocol'],
        description: 'Accepted for daprd compatibility: statements are never prepared by name here (as daprd\'s exec mode).',
      },
      useAzureAD: { type: 'boolean', default: false, description: 'Azure AD token authentication: not available, refused when true.' },
      useAWSIAM: { type: 'boolean', default: false, description: 'AWS IAM token authentication: not available, refused when true.' },
    },
  },
  metadataAliases: { url: 'connectionString', timeoutInSeconds: 'timeout', cleanupIntervalInSeconds: 'cleanupInterval' },
  load: async () => (await import('./postgres-store.js')).createPostgresStore,
};
