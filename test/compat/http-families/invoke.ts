import type { HttpCase, HttpFamily } from '../types.js';
import { APP_ID } from '../environment.js';
import { CONTENT_TYPES, withType } from './build.js';

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];

/** Calls to the sidecar's own app, through every way of naming it, and to apps that do not exist. */
function appCases(): HttpCase[] {
  const cases: HttpCase[] = [];
  const base = `/v1.0/invoke/${APP_ID}/method`;
  for (const method of METHODS) {
    for (const [name, path] of [['echo', '/echo'], ['text', '/text'], ['empty', '/empty'], ['status-404', '/status/404'], ['status-500', '/status/500'], ['status-201', '/status/201']] as const) {
      cases.push({ id: `app-${method.toLowerCase()}-${name}`, method, path: `${base}${path}`, ...(method === 'GET' || method === 'HEAD' ? {} : { body: 'payload' }) });
    }
  }
  for (const [name, type] of CONTENT_TYPES) cases.push({ id: `app-type-${name}`, method: 'POST', path: `${base}/echo`, headers: withType(type), body: '{"n":1}' });
  const paths: ReadonlyArray<readonly [string, string]> = [
    ['query', `${base}/echo?a=1&b=two`],
    ['nested', `${base}/a/b/c`],
    ['encoded', `${base}/a%2Fb%20c`],
    ['no-method', `${base}/`],
    ['no-method-segment', `/v1.0/invoke/${APP_ID}`],
    ['bare-method', `/v1.0/invoke/${APP_ID}/method`],
    ['dot-segments', `${base}/a/../b`],
    ['long-method', `${base}/${'m'.repeat(4000)}`],
  ];
  for (const [name, path] of paths) cases.push({ id: `app-path-${name}`, method: 'GET', path });
  cases.push(
    { id: 'header-app-id', method: 'POST', path: '/echo', headers: { 'dapr-app-id': APP_ID }, body: 'x' },
    { id: 'header-app-id-nested', method: 'GET', path: '/a/b?c=d', headers: { 'dapr-app-id': APP_ID } },
    { id: 'header-app-id-missing-app', method: 'GET', path: '/echo', headers: { 'dapr-app-id': 'nobody' } },
    { id: 'header-app-id-empty', method: 'GET', path: '/echo', headers: { 'dapr-app-id': '' } },
  );
  return cases;
}

function missingAppCases(): HttpCase[] {
  const targets: ReadonlyArray<readonly [string, string]> = [
    ['missing', 'nobody'],
    ['missing-namespaced', 'nobody.default'],
    ['self-namespaced', `${APP_ID}.default`],
    ['dots', 'a.b.c'],
    ['spaces', 'no%20body'],
    ['unicode', encodeURIComponent('приложение')],
    ['closed-port-url', encodeURIComponent('http://127.0.0.1:9')],
    ['long', 'a'.repeat(300)],
  ];
  const cases: HttpCase[] = [];
  for (const [name, target] of targets) {
    for (const method of ['GET', 'POST']) cases.push({ id: `target-${name}-${method.toLowerCase()}`, method, path: `/v1.0/invoke/${target}/method/echo`, ...(method === 'POST' ? { body: 'x' } : {}) });
  }
  cases.push({ id: 'target-empty', method: 'GET', path: '/v1.0/invoke//method/echo' });
  return cases;
}

export const invokeFamilies = (): HttpFamily[] => [
  { name: 'invoke-app', cases: appCases() },
  { name: 'invoke-targets', cases: missingAppCases() },
];
