import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { validateAdapterMetadata } from '../../src/config/adapter-metadata.js';
import { TTL_EXPIRE_TIME, type StateStore } from '../../src/contracts/state.js';
import { postgresqlState } from '../../src/components/state/postgresql/index.js';

const table = `layout_${Date.now().toString(36)}`;
let store: StateStore;
let sql: pg.Client;

beforeAll(async () => {
  const checked = validateAdapterMetadata(postgresqlState, { connectionString: inject('postgresUrl'), tableName: table });
  expect(checked.errors).toEqual([]);
  store = (await postgresqlState.load())({ name: 'pg', logger: pino({ level: 'silent' }) });
  await store.init(checked.value);
  sql = new pg.Client({ connectionString: inject('postgresUrl') });
  await sql.connect();
});

afterAll(async () => {
  await store?.close();
  await sql?.end();
});

describe('state.postgresql against PostgreSQL', () => {
  it("stores rows in daprd's layout: jsonb values, base64 for binary, the row's xmin as ETag", async () => {
    await store.set({ key: 'app||order', value: { data: Buffer.from('{"qty":3}'), binary: false }, metadata: {} });
    await store.set({ key: 'app||blob', value: { data: Buffer.from([0, 1, 255]), binary: true }, metadata: {} });
    const { rows } = await sql.query(`SELECT key, value, isbinary, xmin::text AS xmin, insertdate IS NOT NULL AS inserted FROM ${table} ORDER BY key`);
    expect(rows).toEqual([
      { key: 'app||blob', value: 'AAH/', isbinary: true, xmin: expect.any(String), inserted: true },
      { key: 'app||order', value: { qty: 3 }, isbinary: false, xmin: expect.any(String), inserted: true },
    ]);
    expect((await store.get({ key: 'app||order', metadata: {} }))?.etag).toBe(rows[1].xmin);
    expect([...(await store.get({ key: 'app||blob', metadata: {} }))!.data]).toEqual([0, 1, 255]);
  });

  it('reports the expiry of a key saved with a TTL, and stores text that is not JSON as a JSON string', async () => {
    await store.set({ key: 'app||ttl', value: { data: Buffer.from('1'), binary: false }, ttlInSeconds: 100, metadata: {} });
    const expires = (await store.get({ key: 'app||ttl', metadata: {} }))?.metadata?.[TTL_EXPIRE_TIME];
    expect(Date.parse(expires!) - Date.now()).toBeGreaterThan(90_000);
    await store.set({ key: 'app||text', value: { data: Buffer.from('plain words'), binary: false }, metadata: {} });
    expect((await store.get({ key: 'app||text', metadata: {} }))?.data.toString()).toBe('"plain words"');
  });

  it('fails init naming the table when the server refuses, and refuses a table name that is not an identifier', async () => {
    const bad = validateAdapterMetadata(postgresqlState, { connectionString: 'postgres://nobody@127.0.0.1:1/x', timeoutInSeconds: '2' });
    const s = (await postgresqlState.load())({ name: 'pg', logger: pino({ level: 'silent' }) });
    await expect(s.init(bad.value)).rejects.toThrow(/cannot prepare PostgreSQL table state/);
    expect(validateAdapterMetadata(postgresqlState, { connectionString: 'postgres://x@127.0.0.1/x', tableName: 'state; DROP TABLE x' }).errors[0]?.field).toMatch(/tableName/);
  });
});
