import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadContracts } from '../../src/api-contracts/contract-spec.js';
import { readResourceDocuments } from '../../src/config/resource-documents.js';
import { formatProblem } from '../../src/config/resource-problem.js';
import { resourcesDir } from '../support/resources.js';
import { COMMON_SCHEMAS, ORDERS_ASYNCAPI, ORDERS_OPENAPI, contract } from './contract-fixtures.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Loads the Contracts of a resources folder holding `files` (documents go under `contracts/`). */
async function load(resources: Record<string, string>, documents: Record<string, string> = {}) {
  const dir = resourcesDir(resources);
  dirs.push(dir);
  mkdirSync(join(dir, 'contracts'));
  for (const [name, text] of Object.entries(documents)) writeFileSync(join(dir, 'contracts', name), text);
  const { documents: docs } = await readResourceDocuments([dir]);
  const loaded = loadContracts(docs, 'shop');
  return { dir, ...loaded, text: loaded.problems.map(formatProblem).join('\n') };
}

describe('Contract documents refused at load', () => {
  it('loads valid AsyncAPI 3.0 and OpenAPI 3.1 documents with $ref across files', async () => {
    const r = await load(
      { 'c.yaml': contract('orders', 'appId: orders-svc\nasyncapi: { file: contracts/a.yaml }\nopenapi: { file: contracts/o.yaml }') },
      { 'a.yaml': ORDERS_ASYNCAPI, 'common.yaml': COMMON_SCHEMAS, 'o.yaml': ORDERS_OPENAPI },
    );
    expect(r.problems).toEqual([]);
    expect(r.contracts[0]).toMatchObject({ name: 'orders', parts: ['asyncapi', 'openapi'], topics: [expect.objectContaining({ pubsubName: 'pubsub', topic: 'orders', directions: ['publish'] })] });
    expect(r.contracts[0]!.openapi!.operations.map((o) => `${o.verb} ${o.path}`)).toEqual(['GET /orders/latest', 'POST /orders', 'GET /orders/{id}']);
  });

  it('names the file and the JSON pointer of a document breaking its meta-schema', async () => {
    const broken = ORDERS_ASYNCAPI.replace('address: pubsub/orders', 'address: 5').replace('action: send', 'action: shout');
    const r = await load({ 'c.yaml': contract('orders', 'asyncapi: { file: contracts/a.yaml }') }, { 'a.yaml': broken, 'common.yaml': COMMON_SCHEMAS });
    expect(r.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: join(r.dir, 'contracts', 'a.yaml'), field: '/channels/orders/address' }),
        expect.objectContaining({ file: join(r.dir, 'contracts', 'a.yaml'), field: '/operations/publishOrder/action' }),
      ]),
    );
    expect(r.contracts).toEqual([]);
  });

  it('names the reference that points at a missing file or at nothing', async () => {
    const missingFile = ORDERS_ASYNCAPI.replace("./common.yaml#/Money", './nowhere.yaml#/Money');
    let r = await load({ 'c.yaml': contract('orders', 'asyncapi: { file: contracts/a.yaml }') }, { 'a.yaml': missingFile });
    expect(r.text).toContain('contracts/a.yaml');
    expect(r.problems[0]).toMatchObject({ file: join(r.dir, 'contracts', 'a.yaml'), field: '/components/schemas/Order/properties/total/$ref', message: expect.stringContaining('nowhere.yaml') });

    const missingPointer = ORDERS_ASYNCAPI.replace("./common.yaml#/Money", './common.yaml#/Price');
    r = await load({ 'c.yaml': contract('orders', 'asyncapi: { file: contracts/a.yaml }') }, { 'a.yaml': missingPointer, 'common.yaml': COMMON_SCHEMAS });
    expect(r.problems).toEqual([expect.objectContaining({ field: '/components/schemas/Order/properties/total/$ref', message: expect.stringContaining('no /Price in') })]);
  });

  it('names the field of an inline document, the pointer after it', async () => {
    const inline = ORDERS_ASYNCAPI.replace('address: pubsub/orders', 'address: orders').replace('./common.yaml', './contracts/common.yaml').replace(/^/gm, '  ');
    const r = await load({ 'c.yaml': contract('orders', `asyncapi:\n${inline}`) }, { 'common.yaml': COMMON_SCHEMAS });
    expect(r.problems).toEqual([expect.objectContaining({ file: join(r.dir, 'c.yaml'), document: 1, field: 'spec.asyncapi/channels/orders/address', message: '"orders" must be <pubsubname>/<topic>' })]);
  });

  it('reports the spec fields: unknown ones, a missing appId, a bad schema, an unsupported version, all at once', async () => {
    const r = await load({
      'a.yaml': contract('a', 'enforce: sometimes\nbogus: 1'),
      'b.yaml': contract('b', 'openapi: { file: contracts/o.yaml }'),
      'c.yaml': contract('c', 'topics:\n  - { pubsubname: pubsub, topic: t, schema: { type: objekt } }'),
      'd.yaml': contract('d', 'asyncapi: { asyncapi: 1.2.0, info: { title: x, version: "1" } }'),
    }, { 'o.yaml': ORDERS_OPENAPI });
    expect(r.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: join(r.dir, 'a.yaml'), field: 'spec.enforce', message: 'must be one of "reject", "warn", "off"' }),
        expect.objectContaining({ file: join(r.dir, 'a.yaml'), field: 'spec', message: 'has an unknown field "bogus"' }),
        expect.objectContaining({ file: join(r.dir, 'b.yaml'), field: 'spec.appId' }),
        expect.objectContaining({ file: join(r.dir, 'c.yaml'), field: 'spec.topics[0].schema', message: expect.stringContaining('invalid schema') }),
        expect.objectContaining({ file: join(r.dir, 'd.yaml'), field: 'spec.asyncapi/asyncapi', message: expect.stringContaining('not supported') }),
      ]),
    );
  });

  it('reports the problems of the parts a field error does not touch, in the same document, at once', async () => {
    const r = await load({
      'a.yaml': contract('a', 'enforce: sometimes\nbindings:\n  - { operation: create, schema: {} }\ntopics:\n  - { pubsubname: pubsub, topic: t, schema: { type: objekt } }\nopenapi: { file: contracts/nowhere.yaml }\nappId: x'),
    });
    expect(r.problems.map((p) => `${p.field}: ${p.message}`)).toEqual(
      expect.arrayContaining([
        'spec.enforce: must be one of "reject", "warn", "off"',
        'spec.bindings[0].name: is required',
        expect.stringMatching(/^spec\.topics\[0\]\.schema: invalid schema/),
        expect.stringMatching(/^spec\.openapi: cannot read .*nowhere\.yaml/),
      ]),
    );
    expect(r.contracts).toEqual([]);
  });

  it('leaves out contracts scoped to other apps', async () => {
    const r = await load({ 'c.yaml': contract('elsewhere', 'topics:\n  - { pubsubname: p, topic: t, schema: { type: object } }', ['billing']) });
    expect(r).toMatchObject({ contracts: [], problems: [] });
  });
});

describe('the other document versions', () => {
  it('reads an AsyncAPI 2.6 document: channel names are topics, publish and subscribe their directions', async () => {
    const v26 = `asyncapi: 2.6.0
info: { title: shop, version: 1.0.0 }
channels:
  pubsub/orders:
    publish:
      message:
        oneOf:
          - { name: Small, payload: { type: object, required: [id], properties: { id: { type: string } } } }
          - { name: Big, payload: { type: object, required: [ids] } }
  pubsub/returns:
    subscribe:
      message: { payload: { type: integer } }
`;
    const r = await load({ 'c.yaml': contract('v26', 'asyncapi: { file: contracts/a.yaml }') }, { 'a.yaml': v26 });
    expect(r.problems).toEqual([]);
    const [orders, returns] = r.contracts[0]!.topics;
    expect(orders).toMatchObject({ topic: 'orders', directions: ['publish'], messages: ['Small', 'Big'] });
    expect(orders!.check({ id: 'a' })).toEqual([]);
    expect(orders!.check({ ids: [] })).toEqual([]);
    expect(orders!.check({ id: 1 })).toEqual([{ pointer: '/id', message: 'must be string' }]);
    expect(returns).toMatchObject({ topic: 'returns', directions: ['subscribe'] });
    expect(returns!.check('x')).toEqual([{ pointer: '', message: 'must be integer' }]);
  });

  it('reads an OpenAPI 3.0 document, nullable included, and refuses one breaking the 3.0 meta-schema', async () => {
    const v30 = ORDERS_OPENAPI.replace('openapi: 3.1.0', 'openapi: 3.0.3').replace('item: { type: string }', 'item: { type: string, nullable: true }');
    let r = await load({ 'c.yaml': contract('v30', 'appId: orders-svc\nopenapi: { file: contracts/o.yaml }') }, { 'o.yaml': v30 });
    expect(r.problems).toEqual([]);
    const post = r.contracts[0]!.openapi!.operations.find((o) => o.verb === 'POST')!;
    expect(post.body!.media[0]!.check!({ id: 1, item: null })).toEqual([]);

    r = await load({ 'c.yaml': contract('v30', 'appId: orders-svc\nopenapi: { file: contracts/o.yaml }') }, { 'o.yaml': v30.replace('in: path', 'in: body') });
    expect(r.problems).toEqual(expect.arrayContaining([expect.objectContaining({ file: join(r.dir, 'contracts', 'o.yaml'), field: expect.stringMatching(/^\/paths\/~1orders~1\{id\}\/get\/parameters\/0/) })]));
  });
});
