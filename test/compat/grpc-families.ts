import { APP_ID } from './environment.js';
import type { GrpcCase, GrpcFamily } from './types.js';

/** bytes fields are written as base64 text, which protobufjs decodes (fixtures stay plain JSON). */
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const DAPR = '/dapr.proto.runtime.v1.Dapr';

function stateCases(): GrpcCase[] {
  const store = { store_name: 'statestore' };
  const save = (id: string, states: unknown[], name = 'statestore'): GrpcCase => ({ id, rpc: 'SaveState', request: { store_name: name, states } });
  return [
    save('save', [{ key: 'compat-g1', value: b64('"one"') }, { key: 'compat-g2', value: b64('{"n":2}') }]),
    save('save-empty-list', []),
    save('save-empty-key', [{ key: '', value: b64('1') }]),
    save('save-pipes-key', [{ key: 'compat||g', value: b64('1') }]),
    save('save-etag-mismatch', [{ key: 'compat-g1', value: b64('1'), etag: { value: '999' } }]),
    save('save-etag-empty', [{ key: 'compat-g3', value: b64('1'), etag: { value: '' } }]),
    save('save-ttl', [{ key: 'compat-g4', value: b64('1'), metadata: { ttlInSeconds: '60' } }]),
    save('save-ttl-bogus', [{ key: 'compat-g4', value: b64('1'), metadata: { ttlInSeconds: 'soon' } }]),
    save('save-first-write', [{ key: 'compat-g5', value: b64('1'), options: { concurrency: 1, consistency: 2 } }]),
    save('save-bad-enum', [{ key: 'compat-g5', value: b64('1'), options: { concurrency: 9, consistency: 9 } }]),
    save('save-missing-store', [{ key: 'compat-g1', value: b64('1') }], 'nostore'),
    save('save-no-store-name', [{ key: 'compat-g1', value: b64('1') }], ''),
    { id: 'get', rpc: 'GetState', request: { ...store, key: 'compat-g1' } },
    { id: 'get-missing', rpc: 'GetState', request: { ...store, key: 'compat-none' } },
    { id: 'get-empty-key', rpc: 'GetState', request: { ...store, key: '' } },
    { id: 'get-pipes', rpc: 'GetState', request: { ...store, key: 'compat||g' } },
    { id: 'get-missing-store', rpc: 'GetState', request: { store_name: 'nostore', key: 'compat-g1' } },
    { id: 'get-consistency', rpc: 'GetState', request: { ...store, key: 'compat-g1', consistency: 2 } },
    { id: 'bulk', rpc: 'GetBulkState', request: { ...store, keys: ['compat-g1', 'compat-g2', 'compat-none'] } },
    { id: 'bulk-empty', rpc: 'GetBulkState', request: { ...store, keys: [] } },
    { id: 'bulk-parallelism-negative', rpc: 'GetBulkState', request: { ...store, keys: ['compat-g1'], parallelism: -1 } },
    { id: 'bulk-missing-store', rpc: 'GetBulkState', request: { store_name: 'nostore', keys: ['a'] } },
    { id: 'delete', rpc: 'DeleteState', request: { ...store, key: 'compat-g2' } },
    { id: 'delete-etag-mismatch', rpc: 'DeleteState', request: { ...store, key: 'compat-g1', etag: { value: '999' } } },
    { id: 'delete-empty-key', rpc: 'DeleteState', request: { ...store, key: '' } },
    { id: 'delete-missing-store', rpc: 'DeleteState', request: { store_name: 'nostore', key: 'a' } },
    { id: 'delete-bulk', rpc: 'DeleteBulkState', request: { ...store, states: [{ key: 'compat-g3' }, { key: 'compat-g4' }] } },
    { id: 'delete-bulk-etag-mismatch', rpc: 'DeleteBulkState', request: { ...store, states: [{ key: 'compat-g1', etag: { value: '999' } }] } },
    { id: 'tx', rpc: 'ExecuteStateTransaction', request: { storeName: 'statestore', operations: [{ operationType: 'upsert', request: { key: 'compat-t', value: b64('1') } }, { operationType: 'delete', request: { key: 'compat-g5' } }] } },
    { id: 'tx-bogus-op', rpc: 'ExecuteStateTransaction', request: { storeName: 'statestore', operations: [{ operationType: 'merge', request: { key: 'compat-t', value: b64('1') } }] } },
    { id: 'tx-no-request', rpc: 'ExecuteStateTransaction', request: { storeName: 'statestore', operations: [{ operationType: 'upsert' }] } },
    { id: 'tx-empty-key', rpc: 'ExecuteStateTransaction', request: { storeName: 'statestore', operations: [{ operationType: 'upsert', request: { key: '' } }] } },
    { id: 'tx-missing-store', rpc: 'ExecuteStateTransaction', request: { storeName: 'nostore', operations: [] } },
    { id: 'query', rpc: 'QueryStateAlpha1', request: { ...store, query: '{"filter":{}}' } },
    { id: 'query-bad-json', rpc: 'QueryStateAlpha1', request: { ...store, query: '{' } },
    { id: 'query-missing-store', rpc: 'QueryStateAlpha1', request: { store_name: 'nostore', query: '{}' } },
  ];
}

function messagingCases(): GrpcCase[] {
  const publish = (id: string, extra: Record<string, unknown>): GrpcCase => ({ id, rpc: 'PublishEvent', request: { pubsub_name: 'pubsub', topic: 'compat-topic', data: b64('{"n":1}'), data_content_type: 'application/json', ...extra } });
  const entry = (entry_id: string) => ({ entry_id, event: b64('{"n":1}'), content_type: 'application/json' });
  return [
    publish('publish', {}),
    publish('publish-text', { data: b64('hello'), data_content_type: 'text/plain' }),
    publish('publish-no-type', { data_content_type: '' }),
    publish('publish-cloudevent-bad', { data: b64('not json'), data_content_type: 'application/cloudevents+json' }),
    publish('publish-raw', { metadata: { rawPayload: 'true' } }),
    publish('publish-raw-bogus', { metadata: { rawPayload: 'maybe' } }),
    publish('publish-ttl-bogus', { metadata: { ttlInSeconds: 'soon' } }),
    publish('publish-missing-pubsub', { pubsub_name: 'nopubsub' }),
    publish('publish-empty-pubsub', { pubsub_name: '' }),
    publish('publish-empty-topic', { topic: '' }),
    { id: 'bulk', rpc: 'BulkPublishEventAlpha1', request: { pubsub_name: 'pubsub', topic: 'compat-topic', entries: [entry('1'), entry('2')] } },
    { id: 'bulk-stable', rpc: 'BulkPublishEvent', request: { pubsub_name: 'pubsub', topic: 'compat-topic', entries: [entry('1')] } },
    { id: 'bulk-duplicate-id', rpc: 'BulkPublishEventAlpha1', request: { pubsub_name: 'pubsub', topic: 'compat-topic', entries: [entry('1'), entry('1')] } },
    { id: 'bulk-empty-id', rpc: 'BulkPublishEventAlpha1', request: { pubsub_name: 'pubsub', topic: 'compat-topic', entries: [entry('')] } },
    { id: 'bulk-no-entries', rpc: 'BulkPublishEventAlpha1', request: { pubsub_name: 'pubsub', topic: 'compat-topic', entries: [] } },
    { id: 'bulk-missing-pubsub', rpc: 'BulkPublishEventAlpha1', request: { pubsub_name: 'nopubsub', topic: 'compat-topic', entries: [entry('1')] } },
    { id: 'bulk-empty-topic', rpc: 'BulkPublishEventAlpha1', request: { pubsub_name: 'pubsub', topic: '', entries: [entry('1')] } },
    { id: 'binding-create', rpc: 'InvokeBinding', request: { name: 'files', operation: 'create', data: b64('x'), metadata: { fileName: 'compat-g.txt' } } },
    { id: 'binding-get', rpc: 'InvokeBinding', request: { name: 'files', operation: 'get', metadata: { fileName: 'compat-g.txt' } } },
    { id: 'binding-get-missing', rpc: 'InvokeBinding', request: { name: 'files', operation: 'get', metadata: { fileName: 'compat-none.txt' } } },
    { id: 'binding-bogus-op', rpc: 'InvokeBinding', request: { name: 'files', operation: 'explode' } },
    { id: 'binding-no-op', rpc: 'InvokeBinding', request: { name: 'files' } },
    { id: 'binding-missing', rpc: 'InvokeBinding', request: { name: 'nobinding', operation: 'create' } },
  ];
}

function otherCases(): GrpcCase[] {
  const invoke = (id: string, target: string, verb: number, method = 'echo'): GrpcCase => ({ id, rpc: 'InvokeService', request: { id: target, message: { method, data: { type_url: '', value: b64('payload') }, content_type: 'text/plain', http_extension: { verb, querystring: 'a=1' } } } });
  const lock = (id: string, request: Record<string, unknown>, rpc = 'TryLockAlpha1'): GrpcCase => ({ id, rpc, request: { store_name: 'lockstore', ...request } });
  const unserved = ['GetActorState', 'InvokeActor', 'RegisterActorTimer', 'RegisterActorReminder', 'StartWorkflowBeta1', 'GetWorkflowBeta1', 'StartWorkflowAlpha1', 'ScheduleJobAlpha1', 'GetJobAlpha1', 'DeleteJobAlpha1', 'ConverseAlpha1', 'ConverseAlpha2', 'SubtleGetKeyAlpha1', 'SubtleEncryptAlpha1', 'NoSuchMethod'];
  return [
    invoke('invoke-post', APP_ID, 3),
    invoke('invoke-get', APP_ID, 1),
    invoke('invoke-no-verb', APP_ID, 0),
    invoke('invoke-status-404', APP_ID, 1, 'status/404'),
    invoke('invoke-status-500', APP_ID, 1, 'status/500'),
    invoke('invoke-missing-app', 'nobody', 3),
    invoke('invoke-missing-app-namespaced', 'nobody.default', 3),
    invoke('invoke-empty-id', '', 3),
    { id: 'invoke-no-message', rpc: 'InvokeService', request: { id: APP_ID } },
    { id: 'secret', rpc: 'GetSecret', request: { store_name: 'secretstore', key: 'compat-db' } },
    { id: 'secret-nested', rpc: 'GetSecret', request: { store_name: 'secretstore', key: 'compat-nested:user' } },
    { id: 'secret-missing', rpc: 'GetSecret', request: { store_name: 'secretstore', key: 'compat-none' } },
    { id: 'secret-missing-store', rpc: 'GetSecret', request: { store_name: 'nostore', key: 'compat-db' } },
    { id: 'secret-bulk', rpc: 'GetBulkSecret', request: { store_name: 'secretstore' } },
    { id: 'secret-bulk-missing-store', rpc: 'GetBulkSecret', request: { store_name: 'nostore' } },
    { id: 'config', rpc: 'GetConfiguration', request: { store_name: 'configstore', keys: ['compat-cfg-a', 'compat-cfg-b'] } },
    { id: 'config-alpha', rpc: 'GetConfigurationAlpha1', request: { store_name: 'configstore', keys: ['compat-cfg-a'] } },
    { id: 'config-missing-key', rpc: 'GetConfiguration', request: { store_name: 'configstore', keys: ['compat-cfg-none'] } },
    { id: 'config-missing-store', rpc: 'GetConfiguration', request: { store_name: 'nostore', keys: ['compat-cfg-a'] } },
    { id: 'config-unsubscribe-unknown', rpc: 'UnsubscribeConfiguration', request: { store_name: 'configstore', id: 'compat-sub-none' } },
    lock('lock', { resource_id: 'compat-gr1', lock_owner: 'o1', expiry_in_seconds: 60 }),
    lock('lock-other-owner', { resource_id: 'compat-gr1', lock_owner: 'o2', expiry_in_seconds: 60 }),
    lock('lock-zero-expiry', { resource_id: 'compat-gr2', lock_owner: 'o1', expiry_in_seconds: 0 }),
    lock('lock-no-owner', { resource_id: 'compat-gr2', expiry_in_seconds: 10 }),
    lock('lock-no-resource', { lock_owner: 'o1', expiry_in_seconds: 10 }),
    lock('lock-missing-store', { store_name: 'nostore', resource_id: 'compat-gr3', lock_owner: 'o1', expiry_in_seconds: 10 }),
    lock('unlock-other-owner', { resource_id: 'compat-gr1', lock_owner: 'o2' }, 'UnlockAlpha1'),
    lock('unlock', { resource_id: 'compat-gr1', lock_owner: 'o1' }, 'UnlockAlpha1'),
    lock('unlock-again', { resource_id: 'compat-gr1', lock_owner: 'o1' }, 'UnlockAlpha1'),
    lock('unlock-missing-store', { store_name: 'nostore', resource_id: 'compat-gr1', lock_owner: 'o1' }, 'UnlockAlpha1'),
    { id: 'metadata', rpc: 'GetMetadata', request: {} },
    { id: 'metadata-set', rpc: 'SetMetadata', request: { key: 'compat-g', value: 'v' } },
    { id: 'metadata-set-empty-key', rpc: 'SetMetadata', request: { key: '', value: 'v' } },
    ...unserved.map((name): GrpcCase => ({ id: `unserved-${name}`, rpc: `${DAPR}/${name}`, request: {} })),
    { id: 'unknown-service', rpc: '/compat.Unknown/Call', request: {} },
  ];
}

export function grpcFamilies(): GrpcFamily[] {
  return [
    { name: 'grpc-state', cases: stateCases() },
    { name: 'grpc-messaging', cases: messagingCases() },
    { name: 'grpc-other', cases: otherCases() },
  ];
}
