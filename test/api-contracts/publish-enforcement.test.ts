import { CommunicationProtocolEnum, DaprClient, LogLevel } from '@dapr/dapr';
import { status, type ServiceError } from '@grpc/grpc-js';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../src/cli/parse-run-args.js';
import { Sidecar } from '../../src/sidecar.js';
import { daprClient } from '../support/grpc-client.js';
import { component, resourcesDir } from '../support/resources.js';
import { contract, writeContractDocuments } from './contract-fixtures.js';

const SHIPMENT_SCHEMA = `type: object
required: [orderId]
properties:
  orderId: { type: string }
  weightKg: { type: number, exclusiveMinimum: 0 }`;

const dir = resourcesDir({
  'pubsub.yaml': component('pubsub', 'pubsub.in-memory'),
  'files.yaml': component('files', 'bindings.localstorage', { rootPath: '' }),
  'orders-contract.yaml': contract('orders', 'asyncapi:\n  file: contracts/orders.asyncapi.yaml'),
  'shipments-contract.yaml': contract('shipments', `enforce: warn\ntopics:\n  - pubsubname: pubsub\n    topic: shipments\n    schema:\n${SHIPMENT_SCHEMA.replace(/^/gm, '      ')}`),
  'files-contract.yaml': contract('files', 'bindings:\n  - name: files\n    operation: create\n    schema: { type: object, required: [name], properties: { name: { type: string } } }'),
});
writeFileSync(join(dir, 'files.yaml'), component('files', 'bindings.localstorage', { rootPath: join(dir, 'out') }));
writeContractDocuments(dir);

let sidecar: Sidecar;
let base = '';
let dapr: ReturnType<typeof daprClient>;
const lines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  const { options } = parseRunArgs(['--app-id', 'shop', '--resources-path', dir, '--dapr-grpc-port', '0', '--metrics-port', '0', '--enable-metrics=false'], process.env, dir);
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  sidecar = await Sidecar.start({ ...options, httpPort: 0 }, logger, () => undefined);
  base = `http://127.0.0.1:${sidecar.httpPort}`;
  dapr = daprClient(sidecar.grpcPort);
});
afterAll(async () => {
  dapr?.close();
  await sidecar?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const post = async (path: string, body: unknown, contentType = 'application/json') => {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
};
const goodOrder = { id: 'o-1', total: { amount: 12.5, currency: 'EUR' } };
const badOrder = { id: '', total: { amount: -1, currency: 'euro' } };

/** The google.rpc details of a gRPC error, decoded as the SDKs do. */
function grpcDetails(err: ServiceError): Array<Record<string, unknown>> {
  const root = protobuf.loadSync(['status.proto', 'error_details.proto'].map((f) => fileURLToPath(new URL(`../../proto/google/rpc/${f}`, import.meta.url))));
  const decoded = root.lookupType('google.rpc.Status').decode(err.metadata.get('grpc-status-details-bin')[0] as Buffer) as unknown as { details: Array<{ type_url: string; value: Uint8Array }> };
  return decoded.details.map((d) => {
    const type = root.lookupType(d.type_url.split('/')[1]!);
    return { type: d.type_url, ...type.toObject(type.decode(d.value)) };
  });
}

describe('publishing under an AsyncAPI contract', () => {
  it('accepts an event that matches its message, $ref across files included', async () => {
    expect((await post('/v1.0/publish/pubsub/orders', goodOrder)).status).toBe(204);
  });

  it('refuses an event that breaks it: 400 ERR_CONTRACT_VIOLATION listing every violation by JSON pointer', async () => {
    const res = await post('/v1.0/publish/pubsub/orders', badOrder);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ errorCode: 'ERR_CONTRACT_VIOLATION' });
    expect(res.body!.message).toContain('breaks contract orders');
    const violations = res.body!.details.find((d: any) => d['@type'].endsWith('BadRequest')).field_violations as Array<{ field: string; description: string }>;
    expect(violations.map((v) => v.field).sort()).toEqual(['/id', '/total/amount', '/total/currency']);
    for (const v of violations) expect(res.body!.message).toContain(v.field);
    expect(res.body!.details.at(-1)).toMatchObject({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'MECHA_CONTRACT_VIOLATION', metadata: { contract: 'orders' } });
  });

  it('checks the data inside a CloudEvent the app built itself', async () => {
    const event = { specversion: '1.0', id: 'e1', source: 'shop', type: 'order', datacontenttype: 'application/json' };
    expect((await post('/v1.0/publish/pubsub/orders', { ...event, data: goodOrder }, 'application/cloudevents+json')).status).toBe(204);
    const res = await post('/v1.0/publish/pubsub/orders', { ...event, data: { id: 'x' } }, 'application/cloudevents+json');
    expect(res.status).toBe(400);
    expect(res.body!.message).toContain('/total is required');
  });

  it('refuses a body that is not JSON when the contract wants an object', async () => {
    const res = await post('/v1.0/publish/pubsub/orders', 'not json', 'text/plain');
    expect(res.status).toBe(400);
    expect(res.body!.message).toContain('must be object');
  });

  it('refuses over gRPC with INVALID_ARGUMENT and the same details', async () => {
    await dapr.call('PublishEvent', { pubsub_name: 'pubsub', topic: 'orders', data: Buffer.from(JSON.stringify(goodOrder)), data_content_type: 'application/json' });
    const err = (await dapr.call('PublishEvent', { pubsub_name: 'pubsub', topic: 'orders', data: Buffer.from(JSON.stringify(badOrder)), data_content_type: 'application/json' }).catch((e: ServiceError) => e)) as ServiceError;
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toContain('breaks contract orders');
    const details = grpcDetails(err);
    expect(details.find((d) => String(d.type).endsWith('BadRequest'))).toMatchObject({ fieldViolations: expect.arrayContaining([expect.objectContaining({ field: '/total/amount' })]) });
    expect(details.find((d) => String(d.type).endsWith('ErrorInfo'))).toMatchObject({ reason: 'MECHA_CONTRACT_VIOLATION' });
  });

  it('reaches the official JavaScript SDK as its own error: a ConnectError with INVALID_ARGUMENT over gRPC, the Dapr error body over HTTP', async () => {
    const logger = { level: LogLevel.Error };
    const grpc = new DaprClient({ daprHost: '127.0.0.1', daprPort: String(sidecar.grpcPort), communicationProtocol: CommunicationProtocolEnum.GRPC, logger });
    const http = new DaprClient({ daprHost: '127.0.0.1', daprPort: String(sidecar.httpPort), communicationProtocol: CommunicationProtocolEnum.HTTP, logger });
    try {
      expect(await grpc.pubsub.publish('pubsub', 'orders', goodOrder)).toEqual({});
      const thrown = (await grpc.pubsub.publish('pubsub', 'orders', badOrder).catch((e: unknown) => e)) as { error: { code: number; rawMessage: string } };
      expect(thrown.error.code).toBe(status.INVALID_ARGUMENT);
      expect(thrown.error.rawMessage).toContain('breaks contract orders: /id must NOT have fewer than 1 characters');
      const answered = (await http.pubsub.publish('pubsub', 'orders', badOrder)) as { error?: Error };
      const body = JSON.parse(JSON.parse(answered.error!.message).error_msg) as { errorCode: string };
      expect(body.errorCode).toBe('ERR_CONTRACT_VIOLATION');
    } finally {
      await Promise.all([grpc.stop(), http.stop()]);
    }
  });

  it('refuses a bulk publish with a bad entry, naming the entry in each pointer (HTTP and gRPC)', async () => {
    const entries = [
      { entryId: '1', event: goodOrder, contentType: 'application/json' },
      { entryId: '2', event: { id: 'o-2' }, contentType: 'application/json' },
    ];
    const res = await post('/v1.0-alpha1/publish/bulk/pubsub/orders', entries);
    expect(res.status).toBe(400);
    expect(res.body!.errorCode).toBe('ERR_CONTRACT_VIOLATION');
    expect(res.body!.message).toContain('/entries/1/total is required');
    expect((await post('/v1.0-alpha1/publish/bulk/pubsub/orders', [entries[0]])).status).toBe(204);
    const err = (await dapr
      .call('BulkPublishEventAlpha1', { pubsub_name: 'pubsub', topic: 'orders', entries: entries.map((e) => ({ entry_id: e.entryId, event: Buffer.from(JSON.stringify(e.event)), content_type: e.contentType })) })
      .catch((e: ServiceError) => e)) as ServiceError;
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toContain('/entries/1/total');
  });

  it('leaves topics without a contract alone', async () => {
    expect((await post('/v1.0/publish/pubsub/other', { anything: true })).status).toBe(204);
  });
});

describe('a bare JSON Schema on a topic in warn mode', () => {
  it('logs the violation and lets the event through', async () => {
    expect((await post('/v1.0/publish/pubsub/shipments', { orderId: 'o-1', weightKg: 0 })).status).toBe(204);
    const warned = lines.find((l) => l.contract === 'shipments' && l.action === 'logged');
    expect(warned).toMatchObject({ point: 'publish', violations: [{ pointer: '/weightKg', message: 'must be > 0' }] });
  });
});

describe('output bindings', () => {
  it('checks the data of the operation the contract names, before the call', async () => {
    const ok = await post('/v1.0/bindings/files', { operation: 'create', data: { name: 'a' }, metadata: { fileName: 'a.json' } });
    expect(ok.status).toBe(200);
    const bad = await post('/v1.0/bindings/files', { operation: 'create', data: { title: 'b' }, metadata: { fileName: 'b.json' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ errorCode: 'ERR_CONTRACT_VIOLATION' });
    expect(bad.body!.message).toContain('/name is required');
    expect(() => readFileSync(join(dir, 'out', 'b.json'))).toThrow();
    // Another operation of the same binding is not covered.
    expect((await post('/v1.0/bindings/files', { operation: 'list' })).status).toBe(200);
  });

  it('refuses over gRPC InvokeBinding with INVALID_ARGUMENT', async () => {
    const err = (await dapr.call('InvokeBinding', { name: 'files', operation: 'create', data: Buffer.from('{"title":"c"}'), metadata: { fileName: 'c.json' } }).catch((e: ServiceError) => e)) as ServiceError;
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(err.details).toContain('/name is required');
    await dapr.call('InvokeBinding', { name: 'files', operation: 'create', data: Buffer.from('{"name":"c"}'), metadata: { fileName: 'c.json' } });
    expect(JSON.parse(readFileSync(join(dir, 'out', 'c.json'), 'utf8'))).toEqual({ name: 'c' });
  });
});

describe('publishing the contracts', () => {
  it('lists them in GET /v1.0-alpha1/contracts and the metadata API', async () => {
    const list = (await (await fetch(`${base}/v1.0-alpha1/contracts`)).json()) as Array<Record<string, unknown>>;
    expect(list).toEqual(
      expect.arrayContaining([
        { name: 'orders', kinds: ['asyncapi'], enforce: 'reject', topics: ['pubsub/orders'], bindings: [] },
        { name: 'shipments', kinds: ['topics'], enforce: 'warn', topics: ['pubsub/shipments'], bindings: [] },
        { name: 'files', kinds: ['bindings'], enforce: 'reject', topics: [], bindings: ['files/create'] },
      ]),
    );
    const md = (await (await fetch(`${base}/v1.0/metadata`)).json()) as { extended: Record<string, string> };
    expect(JSON.parse(md.extended.contracts!)).toEqual(list);
  });
});

describe('hot reload', () => {
  it('changes enforcement when a contract changes, and stops it when the contract goes', async () => {
    const file = join(dir, 'orders-contract.yaml');
    writeFileSync(file, contract('orders', 'enforce: warn\nasyncapi:\n  file: contracts/orders.asyncapi.yaml'));
    await until(async () => (await post('/v1.0/publish/pubsub/orders', badOrder)).status === 204);
    expect((await post('/v1.0/publish/pubsub/orders', badOrder)).status).toBe(204);
    writeFileSync(file, contract('orders', 'asyncapi:\n  file: contracts/orders.asyncapi.yaml'));
    await until(async () => (await post('/v1.0/publish/pubsub/orders', badOrder)).status === 400);
    rmSync(file);
    await until(async () => (await post('/v1.0/publish/pubsub/orders', badOrder)).status === 204);
    const list = (await (await fetch(`${base}/v1.0-alpha1/contracts`)).json()) as Array<{ name: string }>;
    expect(list.map((c) => c.name)).not.toContain('orders');
  });

  it('keeps the running contracts when an edit is invalid', async () => {
    const file = join(dir, 'shipments-contract.yaml');
    writeFileSync(file, contract('shipments', 'topics:\n  - pubsubname: pubsub\n    topic: shipments\n    schema: { type: objekt }'));
    await until(async () => {
      await sidecar.reloadSettled();
      return lines.some((l) => typeof l.msg === 'string' && /not reloaded/.test(l.msg));
    });
    const list = (await (await fetch(`${base}/v1.0-alpha1/contracts`)).json()) as Array<{ name: string; enforce: string }>;
    expect(list.find((c) => c.name === 'shipments')).toMatchObject({ enforce: 'warn' });
  });
});

/** Polls (bounded: 10 s) until the sidecar applied a change. */
async function until(done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await sidecar.reloadSettled();
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('change not applied within 10 s');
}
