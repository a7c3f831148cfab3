import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { validateAdapterMetadata } from '../../src/config/adapter-metadata.js';
import type { ComponentDescriptor } from '../../src/contracts/component.js';
import type { ConfigurationItems, ConfigurationStore } from '../../src/contracts/configuration.js';
import { inMemoryConfiguration } from '../../src/components/configuration/in-memory/index.js';
import type { InMemoryConfiguration } from '../../src/components/configuration/in-memory/in-memory-configuration.js';
import { redisConfiguration } from '../../src/components/configuration/redis/index.js';

const run = randomUUID().slice(0, 8);
const k = (name: string) => `conf-${run}-${name}`;

/** How each store gets a value changed from outside the sidecar. */
interface Case {
  descriptor: ComponentDescriptor<ConfigurationStore>;
  metadata(): Record<string, string>;
  write(store: ConfigurationStore, key: string, value: string, version: string): Promise<void>;
}

let redis: Redis;
const matrix: Case[] = [
  {
    descriptor: inMemoryConfiguration,
    metadata: () => ({ items: JSON.stringify({ [k('a')]: { value: 'A', version: '1' }, [k('b')]: 'B' }) }),
    write: async (store, key, value) => (store as unknown as InMemoryConfiguration).set(key, value),
  },
  {
    descriptor: redisConfiguration,
    metadata: () => ({ redisHost: inject('redisAddress') }),
    write: async (_s, key, value, version) => void (await redis.set(key, `${value}||${version}`)),
  },
];

beforeAll(async () => {
  const [host, port] = inject('redisAddress').split(':');
  redis = new Redis({ host, port: Number(port) });
  await redis.set(k('a'), 'A||1');
  await redis.set(k('b'), 'B||1');
});

afterAll(() => redis?.disconnect());

for (const c of matrix) {
  describe(`${c.descriptor.type} conformance`, () => {
    let store: ConfigurationStore;
    beforeAll(async () => {
      const checked = validateAdapterMetadata(c.descriptor, c.metadata());
      expect(checked.errors).toEqual([]);
      store = (await c.descriptor.load())({ name: 'config', logger: pino({ level: 'silent' }) });
      await store.init(checked.value);
    });
    afterAll(async () => {
      await store?.close();
      await store?.close();
    });

    it('reads the named items and leaves missing ones out', async () => {
      const items = await store.get([k('a'), k('missing')], {});
      expect(Object.keys(items)).toEqual([k('a')]);
      expect(items[k('a')]).toMatchObject({ value: 'A', version: '1' });
    });

    it('reads every item when no key is named', async () => {
      const items = await store.get([], {});
      expect(items[k('b')]?.value).toBe('B');
    });

    it('tells a subscriber about changes of its keys until it closes', async () => {
      const seen: ConfigurationItems[] = [];
      const sub = await store.subscribe([k('a')], {}, (items) => seen.push(items));
      await c.write(store, k('a'), 'A2', '2');
      await c.write(store, k('b'), 'ignored', '9');
      const deadline = Date.now() + 3000;
      while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(seen[0]).toEqual({ [k('a')]: { value: 'A2', version: '2', metadata: {} } });
      await sub.close();
      await c.write(store, k('a'), 'A3', '3');
      await new Promise((r) => setTimeout(r, 200));
      expect(seen.every((s) => !(k('b') in s))).toBe(true);
      expect(seen.some((s) => s[k('a')]?.value === 'A3')).toBe(false);
    });
  });
}
