import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { validateAdapterMetadata } from '../../src/config/adapter-metadata.js';
import { TTL_EXPIRE_TIME, type StateStore } from '../../src/contracts/state.js';
import { postgresqlState } from '../../src/components/state/postgresql/index.js';

const run = Date.now().toString(36);
const table = `layout_${run}`;
const opened: StateStore[] = [];
let store: StateStore;
let sql: pg.Client;

/** A store on the test server; `metadata` as a YAML author writes it. */
async function open(metadata: Record<string, string>): Promise<StateStore & { cleanupExpired(): Promise<number> }> {
  const checked = validateAdapterMetadata(postgresqlState, { connectionString: inject('postgresUrl'), ...metadata });
  expect(checked.errors).toEqual([]);
  const s = (await postgresqlState.load())({ name: 'pg', logger: pino({ level: 'silent' }) }) as StateStore & { cleanupExpired(): Promise<number> };
  await s.init(checked.value);
  opened.push(s);
  return s;
}

const json = (text: string) => ({ data: Buffer.from(text), binary: false });

beforeAll(async () => {
  store = await open({ tableName: table });
  sql = new pg.Client({ connectionString: inject('postgresUrl') });
  await sql.connect();
});

afterAll(async () => {
  for (const s of opened) await s.close();
  await sql?.end();
});

describe('state.postgresql against PostgreSQL', () => {
  it("stores rows in daprd's layout: jsonb values, base64 for binary, the row's xmin as ETag, row_id by insert order", async () => {
    await store.set({ key: 'app||order', value: json('{"qty":3}'), metadata: {} });
    await store.set({ key: 'app||blob', value: { data: Buffer.from([0, 1, 255]), binary: true }, metadata: {} });
    const { rows } = await sql.query(`SELECT key, value, isbinary, xmin::text AS xmin, insertdate IS NOT NULL AS inserted, row_id FROM ${table} ORDER BY key`);
    expect(rows).toEqual([
      { key: 'app||blob', value: 'AAH/', isbinary: true, xmin: expect.any(String), inserted: true, row_id: '2' },
      { key: 'app||order', value: { qty: 3 }, isbinary: false, xmin: expect.any(String), inserted: true, row_id: '1' },
    ]);
    expect((await store.get({ key: 'app||order', metadata: {} }))?.etag).toBe(rows[1].xmin);
    expect([...(await store.get({ key: 'app||blob', metadata: {} }))!.data]).toEqual([0, 1, 255]);
    const meta = await sql.query(`SELECT key, value FROM dapr_metadata WHERE key = 'migrations'`);
    expect(meta.rows).toEqual([{ key: 'migrations', value: '3' }]);
  });

  it('serves JSON compact with every digit kept, text that is not JSON as a JSON string, and the TTL expiry', async () => {
    await store.set({ key: 'app||big', value: json('{ "n": 12345678901234567890, "f": 1.50, "s": "a: b, c" }'), metadata: {} });
    expect((await store.get({ key: 'app||big', metadata: {} }))?.data.toString()).toBe('{"f":1.50,"n":12345678901234567890,"s":"a: b, c"}');
    await store.set({ key: 'app||text', value: json('plain words'), metadata: {} });
    expect((await store.get({ key: 'app||text', metadata: {} }))?.data.toString()).toBe('"plain words"');
    await store.set({ key: 'app||ttl', value: json('1'), ttlInSeconds: 100, metadata: {} });
    const expires = (await store.get({ key: 'app||ttl', metadata: {} }))?.metadata?.[TTL_EXPIRE_TIME];
    expect(Date.parse(expires!) - Date.now()).toBeGreaterThan(90_000);
  });

  it('calls an ETag that is not an unsigned 32-bit number invalid, as daprd does', async () => {
    for (const etag of ['abc', '4294967296', '-1']) {
      await expect(store.set({ key: 'app||order', value: json('1'), etag, metadata: {} })).rejects.toMatchObject({ kind: 'invalid' });
      await expect(store.delete({ key: 'app||order', etag, metadata: {} })).rejects.toMatchObject({ kind: 'invalid' });
    }
  });

  it('deletes expired rows in one cleanup round per interval, however many sidecars share the table', async () => {
    const other = await open({ tableName: table, metadataTableName: `meta_other_${run}`, cleanupInterval: '1h' });
    const mine = await open({ tableName: table, metadataTableName: `meta_${run}`, cleanupIntervalInSeconds: '3600' });
    await store.set({ key: 'app||short', value: json('1'), ttlInSeconds: 1, metadata: {} });
    await new Promise((r) => setTimeout(r, 1100));
    expect(await store.get({ key: 'app||short', metadata: {} })).toBeUndefined();
    expect(await mine.cleanupExpired()).toBe(1);
    await store.set({ key: 'app||short', value: json('1'), ttlInSeconds: 1, metadata: {} });
    await new Promise((r) => setTimeout(r, 1100));
    expect(await mine.cleanupExpired()).toBe(0); // the last round was less than an interval ago
    expect(await other.cleanupExpired()).toBe(1); // a sidecar recording its rounds elsewhere
    expect((await sql.query(`SELECT count(*)::int AS n FROM ${table} WHERE key = 'app||short'`)).rows[0].n).toBe(0);
  });
});

describe("daprd's schema migrations", () => {
  it('brings a table daprd created before expiredate and row_id to the current level, keeping its rows', async () => {
    const old = `old_${run}`;
    await sql.query(`CREATE TABLE ${old} (key text NOT NULL PRIMARY KEY, value jsonb NOT NULL, isbinary boolean NOT NULL,
      insertdate TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(), updatedate TIMESTAMP WITH TIME ZONE NULL)`);
    await sql.query(`CREATE TABLE meta_old_${run} (key text NOT NULL PRIMARY KEY, value text NOT NULL)`);
    await sql.query(`INSERT INTO meta_old_${run} VALUES ('migrations', '1')`);
    await sql.query(`INSERT INTO ${old} (key, value, isbinary, insertdate) VALUES ('app||b', '{"v":2}', false, now()), ('app||a', '{"v":1}', false, now() - interval '1 hour')`);
    const s = await open({ tableName: old, metadataTableName: `meta_old_${run}` });
    expect((await s.get({ key: 'app||b', metadata: {} }))?.data.toString()).toBe('{"v":2}');
    await s.set({ key: 'app||c', value: json('3'), ttlInSeconds: 60, metadata: {} });
    const { rows } = await sql.query(`SELECT key, row_id, expiredate IS NOT NULL AS expires FROM ${old} ORDER BY row_id`);
    expect(rows).toEqual([
      { key: 'app||a', row_id: '1', expires: false },
      { key: 'app||b', row_id: '2', expires: false },
      { key: 'app||c', row_id: '3', expires: true },
    ]);
    expect((await sql.query(`SELECT value FROM meta_old_${run} WHERE key = 'migrations'`)).rows[0].value).toBe('3');
  });

  it('lets several sidecars create the same new table at once', async () => {
    const shared = `together_${run}`;
    const stores = await Promise.all([1, 2, 3].map(() => open({ tableName: shared, metadataTableName: `meta_together_${run}` })));
    await stores[0]!.set({ key: 'app||k', value: json('1'), metadata: {} });
    expect((await stores[2]!.get({ key: 'app||k', metadata: {} }))?.data.toString()).toBe('1');
  });
});

describe('metadata', () => {
  it("reads daprd's discrete fields and libpq key=value connection strings", async () => {
    const url = new URL(inject('postgresUrl'));
    const s = await open({ connectionString: `host=${url.hostname} port='${url.port}' dbname = postgres sslmode=disable`, user: 'postgres', tableName: table });
    expect((await s.get({ key: 'app||order', metadata: {} }))?.data.toString()).toBe('{"qty":3}');
    const overridden = await open({ connectionString: 'postgres://nobody@127.0.0.1:1/nowhere', host: url.hostname, port: url.port, user: 'postgres', database: 'postgres', tableName: table });
    expect((await overridden.get({ key: 'app||order', metadata: {} }))?.data.toString()).toBe('{"qty":3}');
  });

  it('refuses what it cannot honour, naming the field', async () => {
    const fresh = () => postgresqlState.load().then((create) => create({ name: 'pg', logger: pino({ level: 'silent' }) }));
    const init = async (md: Record<string, string>) => (await fresh()).init(validateAdapterMetadata(postgresqlState, md).value);
    await expect(init({ connectionString: inject('postgresUrl'), useAzureAD: 'true' })).rejects.toThrow(/^useAzureAD: /);
    await expect(init({ connectionString: inject('postgresUrl'), timeout: '500ms' })).rejects.toThrow(/^timeout: must be at least 1s/);
    await expect(init({ user: 'postgres' })).rejects.toThrow(/^connectionString: no host given/);
    await expect(init({ connectionString: 'postgres://nobody@127.0.0.1:1/x', timeoutInSeconds: '2' })).rejects.toThrow(/cannot prepare PostgreSQL table state/);
    expect(validateAdapterMetadata(postgresqlState, { connectionString: 'postgres://x@127.0.0.1/x', tableName: 'state; DROP TABLE x' }).errors[0]?.field).toMatch(/tableName/);
    expect(validateAdapterMetadata(postgresqlState, { connectionString: 'postgres://x@127.0.0.1/x', queryExecMode: 'fast' }).errors[0]?.field).toMatch(/queryExecMode/);
  });
});
