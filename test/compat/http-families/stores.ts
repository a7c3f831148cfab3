import type { HttpCase, HttpFamily } from '../types.js';
import { jsonCase, MALFORMED_BODIES } from './build.js';

function secretCases(): HttpCase[] {
  const keys = ['compat-db', 'compat-nested', 'compat-nested:user', 'compat-number', 'compat-none', 'compat%3Anested', ''];
  const cases: HttpCase[] = [];
  keys.forEach((key, i) => cases.push({ id: `secret-${i}-${key.replace(/[^\w-]/g, '_') || 'empty'}`, method: 'GET', path: `/v1.0/secrets/secretstore/${key}` }));
  cases.push(
    { id: 'secret-metadata', method: 'GET', path: '/v1.0/secrets/secretstore/compat-db?metadata.version_id=1' },
    { id: 'secret-bulk', method: 'GET', path: '/v1.0/secrets/secretstore/bulk' },
    { id: 'secret-bulk-metadata', method: 'GET', path: '/v1.0/secrets/secretstore/bulk?metadata.a=b' },
    { id: 'secret-missing-store', method: 'GET', path: '/v1.0/secrets/nostore/compat-db' },
    { id: 'secret-missing-store-bulk', method: 'GET', path: '/v1.0/secrets/nostore/bulk' },
    { id: 'secret-post', method: 'POST', path: '/v1.0/secrets/secretstore/compat-db', body: '{}' },
  );
  return cases;
}

function configurationCases(): HttpCase[] {
  const cases: HttpCase[] = [];
  for (const version of ['v1.0', 'v1.0-alpha1']) {
    const base = `/${version}/configuration`;
    const queries: ReadonlyArray<readonly [string, string]> = [
      ['one-key', '?key=compat-cfg-a'],
      ['two-keys', '?key=compat-cfg-a&key=compat-cfg-b'],
      ['no-version', '?key=compat-cfg-c'],
      ['missing-key', '?key=compat-cfg-none'],
      ['metadata', '?key=compat-cfg-a&metadata.a=b'],
      ['empty-key', '?key='],
    ];
    for (const [name, query] of queries) cases.push({ id: `${version}-get-${name}`, method: 'GET', path: `${base}/configstore${query}` });
    cases.push(
      { id: `${version}-get-missing-store`, method: 'GET', path: `${base}/nostore?key=compat-cfg-a` },
      { id: `${version}-subscribe-missing-store`, method: 'GET', path: `${base}/nostore/subscribe?key=compat-cfg-a` },
      { id: `${version}-unsubscribe-unknown`, method: 'GET', path: `${base}/configstore/compat-sub-none/unsubscribe` },
      { id: `${version}-unsubscribe-missing-store`, method: 'GET', path: `${base}/nostore/compat-sub-none/unsubscribe` },
      { id: `${version}-post`, method: 'POST', path: `${base}/configstore?key=compat-cfg-a`, body: '{}' },
    );
  }
  return cases;
}

function lockCases(): HttpCase[] {
  const lock = '/v1.0-alpha1/lock/lockstore';
  const unlock = '/v1.0-alpha1/unlock/lockstore';
  const bodies: ReadonlyArray<readonly [string, string, unknown]> = [
    ['lock', lock, { resourceId: 'compat-r1', lockOwner: 'o1', expiryInSeconds: 60 }],
    ['lock-again-other-owner', lock, { resourceId: 'compat-r1', lockOwner: 'o2', expiryInSeconds: 60 }],
    ['lock-again-same-owner', lock, { resourceId: 'compat-r1', lockOwner: 'o1', expiryInSeconds: 60 }],
    ['unlock-other-owner', unlock, { resourceId: 'compat-r1', lockOwner: 'o2' }],
    ['unlock', unlock, { resourceId: 'compat-r1', lockOwner: 'o1' }],
    ['unlock-again', unlock, { resourceId: 'compat-r1', lockOwner: 'o1' }],
    ['lock-snake-case', lock, { resource_id: 'compat-r2', lock_owner: 'o1', expiry_in_seconds: 30 }],
    ['unlock-snake-case', unlock, { resource_id: 'compat-r2', lock_owner: 'o1' }],
    ['expiry-zero', lock, { resourceId: 'compat-r3', lockOwner: 'o1', expiryInSeconds: 0 }],
    ['expiry-negative', lock, { resourceId: 'compat-r3', lockOwner: 'o1', expiryInSeconds: -5 }],
    ['expiry-missing', lock, { resourceId: 'compat-r3', lockOwner: 'o1' }],
    ['expiry-string', lock, { resourceId: 'compat-r3', lockOwner: 'o1', expiryInSeconds: '10' }],
    ['expiry-fraction', lock, { resourceId: 'compat-r3', lockOwner: 'o1', expiryInSeconds: 1.5 }],
    ['expiry-huge', lock, { resourceId: 'compat-r4', lockOwner: 'o1', expiryInSeconds: 2 ** 40 }],
    ['no-resource', lock, { lockOwner: 'o1', expiryInSeconds: 10 }],
    ['no-owner', lock, { resourceId: 'compat-r5', expiryInSeconds: 10 }],
    ['resource-number', lock, { resourceId: 5, lockOwner: 'o1', expiryInSeconds: 10 }],
    ['unlock-no-resource', unlock, { lockOwner: 'o1' }],
    ['unlock-no-owner', unlock, { resourceId: 'compat-r1' }],
    ['lock-missing-store', '/v1.0-alpha1/lock/nostore', { resourceId: 'compat-r6', lockOwner: 'o1', expiryInSeconds: 10 }],
    ['unlock-missing-store', '/v1.0-alpha1/unlock/nostore', { resourceId: 'compat-r6', lockOwner: 'o1' }],
    ['lock-v1', '/v1.0/lock/lockstore', { resourceId: 'compat-r7', lockOwner: 'o1', expiryInSeconds: 10 }],
  ];
  const cases: HttpCase[] = bodies.map(([id, path, body]) => jsonCase(id, 'POST', path, body));
  for (const [name, body] of MALFORMED_BODIES) cases.push(jsonCase(`lock-body-${name}`, 'POST', lock, body), jsonCase(`unlock-body-${name}`, 'POST', unlock, body));
  return cases;
}

export const storeFamilies = (): HttpFamily[] => [
  { name: 'secrets', cases: secretCases() },
  { name: 'configuration', cases: configurationCases() },
  { name: 'lock', cases: lockCases() },
];
