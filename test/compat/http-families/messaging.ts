import type { HttpCase, HttpFamily } from '../types.js';
import { CONTENT_TYPES, jsonCase, MALFORMED_BODIES, withType } from './build.js';

const CLOUD_EVENT = { specversion: '1.0', id: 'e-1', source: 'compat', type: 'compat.event', datacontenttype: 'application/json', data: { n: 1 } };

function publishCases(): HttpCase[] {
  const cases: HttpCase[] = [];
  const bodies: ReadonlyArray<readonly [string, string]> = [
    ['object', '{"order":1}'],
    ['text', 'hello'],
    ['empty', ''],
    ['cloudevent', JSON.stringify(CLOUD_EVENT)],
    ['cloudevent-no-id', JSON.stringify({ ...CLOUD_EVENT, id: undefined })],
    ['malformed', '{"order":'],
  ];
  for (const [bname, body] of bodies) {
    for (const [tname, type] of CONTENT_TYPES) cases.push({ id: `publish-${bname}-${tname}`, method: 'POST', path: '/v1.0/publish/pubsub/compat-topic', headers: withType(type), body });
  }
  cases.push({ id: 'publish-cloudevent-type', method: 'POST', path: '/v1.0/publish/pubsub/compat-topic', headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(CLOUD_EVENT) });
  cases.push({ id: 'publish-cloudevent-type-bad', method: 'POST', path: '/v1.0/publish/pubsub/compat-topic', headers: { 'content-type': 'application/cloudevents+json' }, body: 'not json' });
  const paths: ReadonlyArray<readonly [string, string]> = [
    ['nested-topic', '/v1.0/publish/pubsub/a/b/c'],
    ['encoded-topic', '/v1.0/publish/pubsub/compat%2Ftopic'],
    ['no-topic', '/v1.0/publish/pubsub/'],
    ['no-pubsub', '/v1.0/publish/'],
    ['missing-pubsub', '/v1.0/publish/nopubsub/compat-topic'],
    ['put', '/v1.0/publish/pubsub/compat-topic'],
    ['raw-payload', '/v1.0/publish/pubsub/compat-topic?metadata.rawPayload=true'],
    ['raw-payload-bogus', '/v1.0/publish/pubsub/compat-topic?metadata.rawPayload=maybe'],
    ['ttl', '/v1.0/publish/pubsub/compat-topic?metadata.ttlInSeconds=30'],
    ['ttl-bogus', '/v1.0/publish/pubsub/compat-topic?metadata.ttlInSeconds=soon'],
    ['long-topic', `/v1.0/publish/pubsub/${'t'.repeat(5000)}`],
  ];
  for (const [name, path] of paths) cases.push({ id: `publish-path-${name}`, method: name === 'put' ? 'PUT' : 'POST', path, headers: { 'content-type': 'application/json' }, body: '{"n":1}' });
  return cases;
}

function bulkPublishCases(): HttpCase[] {
  const entry = (id: string, extra: object = {}) => ({ entryId: id, event: { n: id }, contentType: 'application/json', ...extra });
  const bodies: ReadonlyArray<readonly [string, unknown]> = [
    ['one', [entry('1')]],
    ['two', [entry('1'), entry('2')]],
    ['text-event', [{ entryId: '1', event: 'hello', contentType: 'text/plain' }]],
    ['cloudevent', [{ entryId: '1', event: CLOUD_EVENT, contentType: 'application/cloudevents+json' }]],
    ['no-content-type', [{ entryId: '1', event: { n: 1 } }]],
    ['no-entry-id', [{ event: { n: 1 }, contentType: 'application/json' }]],
    ['duplicate-entry-id', [entry('1'), entry('1')]],
    ['entry-id-number', [{ entryId: 1, event: 1, contentType: 'application/json' }]],
    ['entry-metadata', [entry('1', { metadata: { a: 'b' } })]],
    ['entry-metadata-number', [entry('1', { metadata: { a: 1 } })]],
    ['no-event', [{ entryId: '1', contentType: 'application/json' }]],
    ['object-not-array', entry('1')],
    ['empty', []],
  ];
  const cases: HttpCase[] = [];
  for (const [name, body] of bodies) cases.push(jsonCase(`bulk-${name}`, 'POST', '/v1.0-alpha1/publish/bulk/pubsub/compat-topic', body));
  for (const [name, body] of MALFORMED_BODIES) cases.push(jsonCase(`bulk-body-${name}`, 'POST', '/v1.0-alpha1/publish/bulk/pubsub/compat-topic', body));
  cases.push(
    jsonCase('bulk-v1', 'POST', '/v1.0/publish/bulk/pubsub/compat-topic', [entry('1')]),
    jsonCase('bulk-missing-pubsub', 'POST', '/v1.0-alpha1/publish/bulk/nopubsub/compat-topic', [entry('1')]),
    jsonCase('bulk-no-topic', 'POST', '/v1.0-alpha1/publish/bulk/pubsub/', [entry('1')]),
    jsonCase('bulk-raw-payload', 'POST', '/v1.0-alpha1/publish/bulk/pubsub/compat-topic?metadata.rawPayload=true', [entry('1')]),
  );
  return cases;
}

function bindingCases(): HttpCase[] {
  const path = '/v1.0/bindings/files';
  const bodies: ReadonlyArray<readonly [string, unknown]> = [
    ['create-named', { operation: 'create', data: 'file contents', metadata: { fileName: 'compat-a.txt' } }],
    ['create-object', { operation: 'create', data: { n: 1 }, metadata: { fileName: 'compat-b.json' } }],
    ['create-unnamed', { operation: 'create', data: 'x' }],
    ['get', { operation: 'get', metadata: { fileName: 'compat-a.txt' } }],
    ['get-missing', { operation: 'get', metadata: { fileName: 'compat-none.txt' } }],
    ['get-no-name', { operation: 'get' }],
    ['list', { operation: 'list' }],
    ['delete', { operation: 'delete', metadata: { fileName: 'compat-b.json' } }],
    ['delete-missing', { operation: 'delete', metadata: { fileName: 'compat-none.txt' } }],
    ['bogus-operation', { operation: 'explode', data: 'x' }],
    ['no-operation', { data: 'x' }],
    ['operation-number', { operation: 1 }],
    ['metadata-number', { operation: 'get', metadata: { fileName: 1 } }],
    ['data-null', { operation: 'create', data: null, metadata: { fileName: 'compat-c.txt' } }],
    ['path-escape', { operation: 'create', data: 'x', metadata: { fileName: '../escape.txt' } }],
  ];
  const cases: HttpCase[] = [];
  for (const [name, body] of bodies) cases.push(jsonCase(`binding-${name}`, 'POST', path, body));
  for (const [name, body] of MALFORMED_BODIES) cases.push(jsonCase(`binding-body-${name}`, 'POST', path, body));
  cases.push(
    jsonCase('binding-put', 'PUT', path, { operation: 'get', metadata: { fileName: 'compat-a.txt' } }),
    jsonCase('binding-missing', 'POST', '/v1.0/bindings/nobinding', { operation: 'create', data: 'x' }),
    jsonCase('binding-text-type', 'POST', path, { operation: 'list' }, { 'content-type': 'text/plain' }),
  );
  return cases;
}

export const messagingFamilies = (): HttpFamily[] => [
  { name: 'publish', cases: publishCases() },
  { name: 'publish-bulk', cases: bulkPublishCases() },
  { name: 'bindings', cases: bindingCases() },
];
