import { status as grpcStatus, type ServiceError } from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../e2e/pubsub-support.js';
import { daprClient } from '../support/grpc-client.js';
import { freePort, startMecha, type MechaProcess } from '../support/mecha-process.js';
import { resourcesDir } from '../support/resources.js';
import { contract, writeContractDocuments } from './contract-fixtures.js';

const ECHO_APP = fileURLToPath(new URL('../support/echo-app.mjs', import.meta.url));
// Both sidecars share one private name registry (the default lives under $HOME).
const HOME = mkdtempSync(join(tmpdir(), 'mecha-home-'));
const ordersContract = contract('orders-svc-api', 'appId: orders-svc\nopenapi: { file: contracts/orders.openapi.yaml }');
const callerDir = resourcesDir({ 'orders-svc.yaml': ordersContract });
const calleeDir = resourcesDir({ 'orders-svc.yaml': ordersContract });
writeContractDocuments(callerDir);
writeContractDocuments(calleeDir);

async function echoWithSidecar(appId: string, dir: string, extra: string[] = []): Promise<MechaProcess> {
  return startMecha(['--app-id', appId, '--app-port', String(await freePort()), '--resources-path', dir, ...extra, '--', process.execPath, ECHO_APP], { cwd: dir, env: { HOME }, readyPath: '/v1.0/healthz' });
}

let caller: MechaProcess;
let callee: MechaProcess;
let calleeMetrics = 0;

beforeAll(async () => {
  calleeMetrics = await freePort();
  [caller, callee] = await Promise.all([echoWithSidecar('shop', callerDir), echoWithSidecar('orders-svc', calleeDir, ['--metrics-port', String(calleeMetrics)])]);
});
afterAll(async () => {
  await Promise.all([caller?.stop(), callee?.stop()]);
  for (const d of [HOME, callerDir, calleeDir]) rmSync(d, { recursive: true, force: true });
});

const invoke = async (method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}) => {
  const res = await fetch(`${caller.url}/v1.0/invoke/orders-svc/method/${path}`, { method, ...init });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
};
const violationsOf = (body: Record<string, any> | undefined) =>
  (body?.details?.find((d: any) => d['@type'].endsWith('BadRequest'))?.field_violations ?? []) as Array<{ field: string; description: string }>;

describe("the caller's sidecar checks calls against the callee's OpenAPI before they leave", () => {
  it('lets a call that matches its operation through', async () => {
    const res = await invoke('GET', 'orders/5?verbose=true');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ app: 'orders-svc', method: 'GET', url: '/orders/5?verbose=true' });
  });

  it('refuses a path parameter or query parameter outside its schema', async () => {
    let res = await invoke('GET', 'orders/abc');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ errorCode: 'ERR_CONTRACT_VIOLATION' });
    expect(violationsOf(res.body)).toEqual([{ field: '/path/id', description: 'must be integer' }]);
    res = await invoke('GET', 'orders/0?verbose=maybe');
    expect(violationsOf(res.body).map((v) => v.field).sort()).toEqual(['/path/id', '/query/verbose']);
  });

  it('prefers a concrete path to a template that also matches', async () => {
    expect((await invoke('GET', 'orders/latest')).status).toBe(200);
  });

  it('checks required headers and the JSON body', async () => {
    const ok = await invoke('POST', 'orders', { body: JSON.stringify({ id: 7, item: 'pen' }), headers: { 'content-type': 'application/json', 'x-tenant': 'acme' } });
    expect(ok.status).toBe(200);
    const bad = await invoke('POST', 'orders', { body: JSON.stringify({ id: 'seven' }), headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(violationsOf(bad.body)).toEqual([
      { field: '/header/x-tenant', description: 'header parameter "x-tenant" is required' },
      { field: '/body/id', description: 'must be integer' },
    ]);
    expect(bad.body!.message).toContain('call POST /orders to app orders-svc breaks contract orders-svc-api');
  });

  it('refuses a method the contract does not list', async () => {
    const res = await invoke('DELETE', 'orders/5');
    expect(res.status).toBe(400);
    expect(res.body!.message).toContain('DELETE /orders/5 is not an operation of app orders-svc');
  });

  it('refuses over gRPC with INVALID_ARGUMENT', async () => {
    const client = daprClient(caller.grpcPort);
    try {
      const ok = await client.call<{ data: { value: Buffer } }>('InvokeService', { id: 'orders-svc', message: { method: 'orders/9', http_extension: { verb: 'GET', querystring: '' } } });
      expect(JSON.parse(Buffer.from(ok.data.value).toString())).toMatchObject({ url: '/orders/9' });
      const err = (await client.call('InvokeService', { id: 'orders-svc', message: { method: 'orders/x', http_extension: { verb: 'GET', querystring: '' } } }).catch((e: ServiceError) => e)) as ServiceError;
      expect(err.code).toBe(grpcStatus.INVALID_ARGUMENT);
      expect(err.details).toContain('/path/id must be integer');
    } finally {
      client.close();
    }
  });
});

describe("the callee's sidecar checks its app's answers (warn only)", () => {
  it('logs and counts an answer outside the contract, and relays it unchanged', async () => {
    // The echo app answers with the request, not an Order: `id` is missing.
    const res = await invoke('GET', 'orders/12');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ app: 'orders-svc', url: '/orders/12' });
    const out = await waitFor(async () => callee.output(), (o) => o.includes('answer 200 of our app to GET /orders/12'));
    expect(out).toContain('/body/id');
    const metrics = await (await fetch(`http://127.0.0.1:${calleeMetrics}/metrics`)).text();
    expect(metrics).toMatch(/mecha_contract_violations_total\{[^}]*contract="orders-svc-api"[^}]*point="answer"[^}]*action="logged"[^}]*\} [1-9]/);
  });

  it('checks the answer of a call the app makes to itself too: its sidecar is the callee', async () => {
    const res = await fetch(`${callee.url}/v1.0/invoke/orders-svc/method/orders/13`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ app: 'orders-svc', url: '/orders/13' });
    const out = await waitFor(async () => callee.output(), (o) => o.includes('answer 200 of our app to GET /orders/13'));
    expect(out).toContain('/body/id');
  });
});
