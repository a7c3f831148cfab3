import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { validateAdapterMetadata } from '../../src/config/adapter-metadata.js';
import type { ComponentDescriptor } from '../../src/contracts/component.js';
import { UnlockStatus, type LockStore } from '../../src/contracts/lock.js';
import { inMemoryLock } from '../../src/components/lock/in-memory/index.js';
import { redisLock } from '../../src/components/lock/redis/index.js';

/** One line per lock adapter; every line runs the same suite. */
const matrix: Array<{ descriptor: ComponentDescriptor<LockStore>; metadata: () => Record<string, string> }> = [
  { descriptor: inMemoryLock, metadata: () => ({}) },
  { descriptor: redisLock, metadata: () => ({ redisHost: inject('redisAddress') }) },
];

for (const c of matrix) {
  describe(`${c.descriptor.type} conformance`, () => {
    let store: LockStore;
    const id = (name: string) => `lock||conformance||${name}-${randomUUID()}`;

    beforeAll(async () => {
      const checked = validateAdapterMetadata(c.descriptor, c.metadata());
      expect(checked.errors).toEqual([]);
      store = (await c.descriptor.load())({ name: 'locks', logger: pino({ level: 'silent' }) });
      await store.init(checked.value);
    });

    afterAll(async () => {
      await store?.close();
      await store?.close();
    });

    it('gives a free lock to one owner only', async () => {
      const r = id('one');
      expect(await store.tryLock({ resourceId: r, lockOwner: 'a', expiryInSeconds: 60 })).toBe(true);
      expect(await store.tryLock({ resourceId: r, lockOwner: 'b', expiryInSeconds: 60 })).toBe(false);
      expect(await store.tryLock({ resourceId: r, lockOwner: 'a', expiryInSeconds: 60 })).toBe(false);
    });

    it('lets only the owner release, and tells the other cases apart', async () => {
      const r = id('release');
      expect(await store.unlock({ resourceId: r, lockOwner: 'a' })).toBe(UnlockStatus.LockDoesNotExist);
      await store.tryLock({ resourceId: r, lockOwner: 'a', expiryInSeconds: 60 });
      expect(await store.unlock({ resourceId: r, lockOwner: 'b' })).toBe(UnlockStatus.LockBelongsToOthers);
      expect(await store.unlock({ resourceId: r, lockOwner: 'a' })).toBe(UnlockStatus.Success);
      expect(await store.tryLock({ resourceId: r, lockOwner: 'b', expiryInSeconds: 60 })).toBe(true);
    });

    it('frees a lock when it expires', async () => {
      const r = id('expiry');
      await store.tryLock({ resourceId: r, lockOwner: 'a', expiryInSeconds: 1 });
      await new Promise((res) => setTimeout(res, 1100));
      expect(await store.unlock({ resourceId: r, lockOwner: 'a' })).toBe(UnlockStatus.LockDoesNotExist);
      expect(await store.tryLock({ resourceId: r, lockOwner: 'b', expiryInSeconds: 1 })).toBe(true);
    });

    it('hands a contended lock to exactly one of many concurrent callers', async () => {
      const r = id('race');
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.tryLock({ resourceId: r, lockOwner: `o${i}`, expiryInSeconds: 60 })));
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });
}
