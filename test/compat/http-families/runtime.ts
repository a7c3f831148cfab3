import type { HttpCase, HttpFamily } from '../types.js';
import { APP_ID } from '../environment.js';
import { jsonCase } from './build.js';

function runtimeCases(): HttpCase[] {
  return [
    { id: 'healthz', method: 'GET', path: '/v1.0/healthz' },
    { id: 'healthz-appid', method: 'GET', path: `/v1.0/healthz?appid=${APP_ID}` },
    { id: 'healthz-wrong-appid', method: 'GET', path: '/v1.0/healthz?appid=other' },
    { id: 'healthz-outbound', method: 'GET', path: '/v1.0/healthz/outbound' },
    { id: 'healthz-trailing-slash', method: 'GET', path: '/v1.0/healthz/' },
    { id: 'healthz-post', method: 'POST', path: '/v1.0/healthz' },
    { id: 'healthz-head', method: 'HEAD', path: '/v1.0/healthz' },
    { id: 'metadata', method: 'GET', path: '/v1.0/metadata' },
    { id: 'metadata-put', method: 'PUT', path: '/v1.0/metadata/compat-attr', headers: { 'content-type': 'text/plain' }, body: 'value' },
    { id: 'metadata-put-empty', method: 'PUT', path: '/v1.0/metadata/compat-empty', body: '' },
    { id: 'metadata-put-json', method: 'PUT', path: '/v1.0/metadata/compat-json', headers: { 'content-type': 'application/json' }, body: '{"a":1}' },
    { id: 'metadata-after-put', method: 'GET', path: '/v1.0/metadata' },
    { id: 'metadata-post', method: 'POST', path: '/v1.0/metadata', body: '{}' },
    { id: 'metadata-delete', method: 'DELETE', path: '/v1.0/metadata/compat-attr' },
    { id: 'shutdown-get', method: 'GET', path: '/v1.0/shutdown' },
    { id: 'token-ignored', method: 'GET', path: '/v1.0/healthz/outbound', headers: { 'dapr-api-token': 'anything' } },
    { id: 'traceparent-bad', method: 'GET', path: '/v1.0/state/statestore/compat-none', headers: { traceparent: 'garbage' } },
    { id: 'traceparent-good', method: 'GET', path: '/v1.0/state/statestore/compat-none', headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } },
  ];
}

/** Building blocks daprd serves only with placement, scheduler or components this set lacks. */
function unservedCases(): HttpCase[] {
  const cases: HttpCase[] = [];
  const actor = '/v1.0/actors/compat-type/compat-id';
  const actorRoutes: ReadonlyArray<readonly [string, string, string]> = [
    ['method-post', 'POST', `${actor}/method/go`],
    ['method-get', 'GET', `${actor}/method/go`],
    ['state-tx', 'POST', `${actor}/state`],
    ['state-get', 'GET', `${actor}/state/k`],
    ['reminder-post', 'POST', `${actor}/reminders/r`],
    ['reminder-get', 'GET', `${actor}/reminders/r`],
    ['reminder-delete', 'DELETE', `${actor}/reminders/r`],
    ['timer-post', 'POST', `${actor}/timers/t`],
    ['timer-delete', 'DELETE', `${actor}/timers/t`],
  ];
  for (const [name, method, path] of actorRoutes) cases.push(jsonCase(`actors-${name}`, method, path, method === 'GET' || method === 'DELETE' ? '' : '{}'));
  for (const version of ['v1.0-alpha1', 'v1.0-beta1', 'v1.0']) {
    const wf = `/${version}/workflows/dapr`;
    cases.push(
      jsonCase(`workflows-${version}-start`, 'POST', `${wf}/compat-wf/start?instanceID=i1`, '{}'),
      jsonCase(`workflows-${version}-get`, 'GET', `${wf}/i1`, ''),
      jsonCase(`workflows-${version}-raise`, 'POST', `${wf}/i1/raiseEvent/e`, '{}'),
      jsonCase(`workflows-${version}-pause`, 'POST', `${wf}/i1/pause`, ''),
      jsonCase(`workflows-${version}-terminate`, 'POST', `${wf}/i1/terminate`, ''),
      jsonCase(`workflows-${version}-purge`, 'POST', `${wf}/i1/purge`, ''),
    );
  }
  for (const version of ['v1.0-alpha1', 'v1.0']) {
    cases.push(
      jsonCase(`jobs-${version}-schedule`, 'POST', `/${version}/jobs/compat-job`, { schedule: '@every 1m', data: 'x' }),
      jsonCase(`jobs-${version}-get`, 'GET', `/${version}/jobs/compat-job`, ''),
      jsonCase(`jobs-${version}-delete`, 'DELETE', `/${version}/jobs/compat-job`, ''),
    );
  }
  for (const version of ['v1.0-alpha1', 'v1.0-alpha2']) cases.push(jsonCase(`conversation-${version}`, 'POST', `/${version}/conversation/llm/converse`, { inputs: [] }));
  for (const op of ['encrypt', 'decrypt']) cases.push({ id: `crypto-${op}`, method: 'PUT', path: `/v1.0-alpha1/crypto/keys/${op}`, headers: { 'dapr-key-name': 'k', 'dapr-key-wrap-algorithm': 'RSA' }, body: 'data' });
  for (const op of ['getkey', 'encrypt', 'decrypt', 'wrapkey', 'unwrapkey', 'sign', 'verify']) cases.push(jsonCase(`subtlecrypto-${op}`, 'POST', `/v1.0-alpha1/subtlecrypto/keys/${op}`, '{}'));
  return cases;
}

/** Paths no route serves (daprd treats them as invocation without a target) and wrong methods on known routes. */
function unknownCases(): HttpCase[] {
  const cases: HttpCase[] = [];
  const paths = ['/', '/v1.0', '/v1.0/', '/v2.0/state/statestore/k', '/v1.0/statex/statestore', '/V1.0/healthz', '/v1.0/state', '/v1.0/state/statestore/a/b', '/favicon.ico', '/%', '/v1.0/%zz', '/' + 'x'.repeat(10_000)];
  paths.forEach((path, i) => cases.push({ id: `path-${i}`, method: 'GET', path }));
  const wrongMethods: ReadonlyArray<readonly [string, string]> = [
    ['PATCH', '/v1.0/state/statestore'],
    ['GET', '/v1.0/state/statestore'],
    ['DELETE', '/v1.0/state/statestore'],
    ['PUT', '/v1.0/state/statestore/compat-k'],
    ['GET', '/v1.0/state/statestore/bulk'],
    ['GET', '/v1.0/state/statestore/transaction'],
    ['GET', '/v1.0/publish/pubsub/t'],
    ['DELETE', '/v1.0/publish/pubsub/t'],
    ['GET', '/v1.0/bindings/files'],
    ['DELETE', '/v1.0/bindings/files'],
    ['PUT', '/v1.0/secrets/secretstore/compat-db'],
    ['GET', '/v1.0-alpha1/lock/lockstore'],
    ['PUT', '/v1.0-alpha1/unlock/lockstore'],
    ['POST', '/v1.0/metadata/compat-x'],
    ['PROPFIND', '/v1.0/state/statestore/compat-k'],
    ['TRACE', '/v1.0/healthz'],
    ['PURGE', '/v1.0/metadata'],
  ];
  for (const [method, path] of wrongMethods) cases.push({ id: `method-${method.toLowerCase()}-${path.replace(/[^\w]+/g, '_')}`, method, path });
  return cases;
}

export const runtimeFamilies = (): HttpFamily[] => [
  { name: 'runtime', cases: runtimeCases() },
  { name: 'unserved-apis', cases: unservedCases() },
  { name: 'unknown-routes', cases: unknownCases() },
];
