import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { poolConfig } from '../../src/components/state/postgresql/connection-config.js';

describe('state.postgresql connection settings', () => {
  it('reads a URL, decoding the user and password', () => {
    expect(poolConfig({ connectionString: 'postgresql://us%40er:p%3Ass@db.example:6543/orders?application_name=shop&sslmode=disable', maxConns: 0 })).toEqual({
      host: 'db.example',
      port: 6543,
      database: 'orders',
      user: 'us@er',
      password: 'p:ss',
      application_name: 'shop',
      options: undefined,
      ssl: false,
      max: Math.max(4, cpus().length),
    });
  });

  it("reads libpq key=value pairs, quoted values with escapes included, and lets daprd's fields override them", () => {
    const cfg = poolConfig({ connectionString: "host=a.example port = 5433 user=u password='it\\'s a secret' dbname=d", database: 'other', maxConns: 7 });
    expect(cfg).toMatchObject({ host: 'a.example', port: 5433, user: 'u', password: "it's a secret", database: 'other', max: 7, ssl: false });
    expect(poolConfig({ connectionString: 'postgres://x@h/d?pool_max_conns=3', maxConns: 0 }).max).toBe(3);
    expect(() => poolConfig({ connectionString: 'host=a port', maxConns: 0 })).toThrow(/^connectionString: cannot read the key=value pairs/);
  });

  it("follows libpq's sslmode", () => {
    const dir = mkdtempSync(join(tmpdir(), 'mecha-pgtls-'));
    writeFileSync(join(dir, 'ca.pem'), 'CA');
    const ssl = (cs: string, extra = {}) => poolConfig({ connectionString: cs, maxConns: 0, ...extra }).ssl;
    expect(ssl('host=h')).toBe(false);
    expect(ssl('host=h sslmode=require')).toEqual({ ca: undefined, cert: undefined, key: undefined, rejectUnauthorized: false });
    const verifyCa = ssl('host=h sslmode=verify-ca', { sslRootCert: join(dir, 'ca.pem') }) as { ca: string; checkServerIdentity: () => undefined };
    expect(verifyCa.ca).toBe('CA');
    expect(verifyCa.checkServerIdentity()).toBeUndefined();
    expect(ssl(`postgres://h/d?sslmode=verify-full&sslrootcert=${join(dir, 'ca.pem')}`)).toEqual({ ca: 'CA', cert: undefined, key: undefined });
    expect(ssl('host=db.example hostaddr=10.0.0.5 sslmode=verify-full')).toMatchObject({ servername: 'db.example' });
    expect(() => ssl('host=h sslmode=sometimes')).toThrow(/unknown sslmode "sometimes"/);
  });

  it('connects to hostaddr when given and needs a host of some kind', () => {
    expect(poolConfig({ connectionString: 'host=db.example hostaddr=10.0.0.5', maxConns: 0 }).host).toBe('10.0.0.5');
    expect(poolConfig({ host: '/var/run/postgresql', maxConns: 0 }).host).toBe('/var/run/postgresql');
    expect(() => poolConfig({ connectionString: 'user=u', maxConns: 0 })).toThrow(/^connectionString: no host given/);
    expect(() => poolConfig({ connectionString: 'host=h port=abc', maxConns: 0 })).toThrow(/port "abc" is not a number/);
  });
});
