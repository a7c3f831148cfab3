import type { HttpCase, HttpFamily } from '../types.js';
import { CONTENT_TYPES, jsonCase, MALFORMED_BODIES, product, withType } from './build.js';

const STORE = '/v1.0/state/statestore';

/** Save items that vary one field at a time from a valid `{key, value}`. */
const ITEM_VARIANTS: ReadonlyArray<readonly [string, unknown]> = [
  ['string-value', { value: 'v' }],
  ['object-value', { value: { a: 1, b: [true, null] } }],
  ['number-value', { value: 12.5 }],
  ['bool-value', { value: false }],
  ['null-value', { value: null }],
  ['array-value', { value: [1, 'two'] }],
  ['no-value', {}],
  ['empty-etag', { value: 1, etag: '' }],
  ['etag-mismatch', { value: 1, etag: '999' }],
  ['etag-number', { value: 1, etag: 7 }],
  ['ttl-string', { value: 1, metadata: { ttlInSeconds: '60' } }],
  ['ttl-number', { value: 1, metadata: { ttlInSeconds: 60 } }],
  ['ttl-word', { value: 1, metadata: { ttlInSeconds: 'soon' } }],
  ['ttl-negative', { value: 1, metadata: { ttlInSeconds: '-1' } }],
  ['metadata-array', { value: 1, metadata: ['x'] }],
  ['consistency-strong', { value: 1, options: { consistency: 'strong' } }],
  ['consistency-bogus', { value: 1, options: { consistency: 'bogus' } }],
  ['concurrency-first', { value: 1, options: { concurrency: 'first-write' } }],
  ['concurrency-bogus', { value: 1, options: { concurrency: 'bogus' } }],
  ['options-string', { value: 1, options: 'strong' }],
  ['unknown-field', { value: 1, color: 'blue' }],
];

const KEY_VARIANTS: ReadonlyArray<readonly [string, unknown]> = [
  ['plain', 'compat-plain'],
  ['pipes', 'compat||pipes'],
  ['unicode', 'compat-ключ-🔑'],
  ['spaces', 'compat key with spaces'],
  ['slash', 'compat/slash'],
  ['empty', ''],
  ['number', 123],
  ['null', null],
  ['missing', undefined],
  ['long-1k', 'k'.repeat(1000)],
  ['long-100k', 'k'.repeat(100_000)],
];

function saveCases(): HttpCase[] {
  const cases: HttpCase[] = [];
  for (const [name, extra] of ITEM_VARIANTS) cases.push(jsonCase(`save-item-${name}`, 'POST', STORE, [{ key: `compat-item-${name}`, ...(extra as object) }]));
  for (const [name, key] of KEY_VARIANTS) cases.push(jsonCase(`save-key-${name}`, 'POST', STORE, [key === undefined ? { value: 1 } : { key, value: 1 }]));
  for (const [name, body] of MALFORMED_BODIES) cases.push(jsonCase(`save-body-${name}`, 'POST', STORE, body));
  for (const [name, type] of CONTENT_TYPES) cases.push(jsonCase(`save-type-${name}`, 'POST', STORE, [{ key: 'compat-typed', value: 'x' }], withType(type)));
  cases.push(
    jsonCase('save-put', 'PUT', STORE, [{ key: 'compat-put', value: 1 }]),
    jsonCase('save-object-not-array', 'POST', STORE, { key: 'compat-x', value: 1 }),
    jsonCase('save-array-of-strings', 'POST', STORE, ['a', 'b']),
    jsonCase('save-many', 'POST', STORE, Array.from({ length: 50 }, (_, i) => ({ key: `compat-many-${i}`, value: i }))),
    jsonCase('save-duplicate-keys', 'POST', STORE, [{ key: 'compat-dup', value: 1 }, { key: 'compat-dup', value: 2 }]),
    jsonCase('save-one-bad-of-two', 'POST', STORE, [{ key: 'compat-ok', value: 1 }, { value: 2 }]),
    jsonCase('save-missing-store', 'POST', '/v1.0/state/nostore', [{ key: 'compat-x', value: 1 }]),
    jsonCase('save-ttl-query', 'POST', `${STORE}?metadata.ttlInSeconds=abc`, [{ key: 'compat-ttlq', value: 1 }]),
  );
  return cases;
}

/** Gets and deletes after a known save, with keys spelled every way a URL can spell them. */
function readCases(): HttpCase[] {
  const cases: HttpCase[] = [jsonCase('seed', 'POST', STORE, [{ key: 'compat-read', value: { n: 1 } }, { key: 'compat-text', value: 'plain' }, { key: 'compat key', value: 2 }, { key: 'compat-ключ', value: 3 }])];
  const paths: ReadonlyArray<readonly [string, string]> = [
    ['existing', 'compat-read'],
    ['string-value', 'compat-text'],
    ['missing', 'compat-none'],
    ['encoded-space', 'compat%20key'],
    ['encoded-unicode', encodeURIComponent('compat-ключ')],
    ['encoded-slash', 'compat%2Fread'],
    ['bad-percent', 'compat%zz'],
    ['lone-percent', 'compat%'],
    ['pipes', 'compat||read'],
    ['long-1k', 'k'.repeat(1000)],
    ['long-9k', 'k'.repeat(9000)],
  ];
  const queries: ReadonlyArray<readonly [string, string]> = [
    ['plain', ''],
    ['consistency', '?consistency=strong'],
    ['bogus-consistency', '?consistency=bogus'],
    ['metadata', '?metadata.partitionKey=p'],
  ];
  for (const [[pname, key], [qname, query]] of product<[readonly [string, string], readonly [string, string]]>(paths, queries)) {
    if (qname !== 'plain' && !['existing', 'missing'].includes(pname)) continue;
    cases.push({ id: `get-${pname}-${qname}`, method: 'GET', path: `${STORE}/${key}${query}` });
  }
  cases.push({ id: 'get-missing-store', method: 'GET', path: '/v1.0/state/nostore/compat-read' }, { id: 'get-no-key', method: 'GET', path: `${STORE}/` });
  for (const [name, ifMatch] of [['no-etag', undefined], ['wrong-etag', '999'], ['empty-etag', ''], ['word-etag', 'bogus']] as const) {
    cases.push({ id: `delete-${name}`, method: 'DELETE', path: `${STORE}/compat-read`, headers: ifMatch === undefined ? {} : { 'if-match': ifMatch } });
  }
  cases.push(
    { id: 'delete-missing', method: 'DELETE', path: `${STORE}/compat-none` },
    { id: 'delete-concurrency', method: 'DELETE', path: `${STORE}/compat-text?concurrency=first-write&consistency=strong` },
    { id: 'delete-bogus-concurrency', method: 'DELETE', path: `${STORE}/compat-text?concurrency=bogus` },
    { id: 'delete-missing-store', method: 'DELETE', path: '/v1.0/state/nostore/compat-read' },
    { id: 'get-after-delete', method: 'GET', path: `${STORE}/compat-read` },
  );
  return cases;
}

function bulkCases(): HttpCase[] {
  const bodies: ReadonlyArray<readonly [string, unknown]> = [
    ['keys', { keys: ['compat-b1', 'compat-b2', 'compat-none'] }],
    ['keys-parallelism', { keys: ['compat-b1'], parallelism: 2 }],
    ['parallelism-string', { keys: ['compat-b1'], parallelism: '2' }],
    ['parallelism-negative', { keys: ['compat-b1'], parallelism: -1 }],
    ['no-keys', {}],
    ['empty-keys', { keys: [] }],
    ['keys-string', { keys: 'compat-b1' }],
    ['keys-numbers', { keys: [1, 2] }],
    ['keys-null-item', { keys: [null] }],
    ['metadata', { keys: ['compat-b1'], metadata: { a: 'b' } }],
    ['metadata-number', { keys: ['compat-b1'], metadata: { a: 1 } }],
  ];
  const cases: HttpCase[] = [jsonCase('seed', 'POST', STORE, [{ key: 'compat-b1', value: 'one' }, { key: 'compat-b2', value: { two: 2 } }])];
  for (const [name, body] of bodies) cases.push(jsonCase(`bulk-${name}`, 'POST', `${STORE}/bulk`, body));
  for (const [name, body] of MALFORMED_BODIES) cases.push(jsonCase(`bulk-body-${name}`, 'POST', `${STORE}/bulk`, body));
  cases.push(jsonCase('bulk-put', 'PUT', `${STORE}/bulk`, { keys: ['compat-b1'] }), jsonCase('bulk-missing-store', 'POST', '/v1.0/state/nostore/bulk', { keys: ['a'] }));
  return cases;
}

function transactionCases(): HttpCase[] {
  const ops: ReadonlyArray<readonly [string, unknown]> = [
    ['upsert', [{ operation: 'upsert', request: { key: 'compat-t1', value: 1 } }]],
    ['delete', [{ operation: 'delete', request: { key: 'compat-t1' } }]],
    ['mixed', [{ operation: 'upsert', request: { key: 'compat-t2', value: 'x' } }, { operation: 'delete', request: { key: 'compat-t3' } }]],
    ['bogus-operation', [{ operation: 'merge', request: { key: 'compat-t1', value: 1 } }]],
    ['no-operation', [{ request: { key: 'compat-t1', value: 1 } }]],
    ['no-request', [{ operation: 'upsert' }]],
    ['no-key', [{ operation: 'upsert', request: { value: 1 } }]],
    ['empty-key', [{ operation: 'upsert', request: { key: '', value: 1 } }]],
    ['etag-mismatch', [{ operation: 'upsert', request: { key: 'compat-t2', value: 1, etag: '999' } }]],
    ['delete-etag-mismatch', [{ operation: 'delete', request: { key: 'compat-t2', etag: '999' } }]],
    ['ttl-string', [{ operation: 'upsert', request: { key: 'compat-t4', value: 1, metadata: { ttlInSeconds: '30' } } }]],
    ['ttl-number', [{ operation: 'upsert', request: { key: 'compat-t4', value: 1, metadata: { ttlInSeconds: 30 } } }]],
    ['request-string', [{ operation: 'upsert', request: 'compat-t1' }]],
    ['operations-object', { operation: 'upsert' }],
    ['empty', []],
  ];
  const cases: HttpCase[] = [];
  for (const [name, operations] of ops) cases.push(jsonCase(`tx-${name}`, 'POST', `${STORE}/transaction`, { operations }));
  cases.push(
    jsonCase('tx-metadata', 'POST', `${STORE}/transaction`, { operations: [{ operation: 'upsert', request: { key: 'compat-t5', value: 1 } }], metadata: { partitionKey: 'p' } }),
    jsonCase('tx-no-operations', 'POST', `${STORE}/transaction`, {}),
    jsonCase('tx-put', 'PUT', `${STORE}/transaction`, { operations: [] }),
    jsonCase('tx-missing-store', 'POST', '/v1.0/state/nostore/transaction', { operations: [] }),
  );
  for (const [name, body] of MALFORMED_BODIES) cases.push(jsonCase(`tx-body-${name}`, 'POST', `${STORE}/transaction`, body));
  return cases;
}

function queryCases(): HttpCase[] {
  const path = '/v1.0-alpha1/state/statestore/query';
  const cases: HttpCase[] = [
    jsonCase('query-filter', 'POST', path, { filter: { EQ: { n: 1 } } }),
    jsonCase('query-empty', 'POST', path, {}),
    jsonCase('query-missing-store', 'POST', '/v1.0-alpha1/state/nostore/query', { filter: {} }),
    jsonCase('query-v1', 'POST', '/v1.0/state/statestore/query', { filter: {} }),
  ];
  for (const [name, body] of MALFORMED_BODIES.slice(0, 8)) cases.push(jsonCase(`query-body-${name}`, 'POST', path, body));
  return cases;
}

export const stateFamilies = (): HttpFamily[] => [
  { name: 'state-save', cases: saveCases() },
  { name: 'state-read', cases: readCases() },
  { name: 'state-bulk', cases: bulkCases() },
  { name: 'state-transaction', cases: transactionCases() },
  { name: 'state-query', cases: queryCases() },
];
