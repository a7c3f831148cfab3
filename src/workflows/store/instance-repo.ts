import { createHash } from 'node:crypto';
import type { InboxOp, InstanceRecord, StoredEvent } from '../engine/instance-record.js';
import { LIMITS } from '../engine/limits.js';
import { KvConflict, type KvStore } from './kv-store.js';

/** Shards of the index of unfinished instances: each a small record, so no start or scan rewrites them all. */
export const INDEX_SHARDS = 64;
/** In an index entry: the instance waits for an event (or a resume) and has no timer. */
export const NO_DUE = -1;

/** An index shard: unfinished instance id → when it next needs running (epoch ms, 0: now, NO_DUE: not by itself). */
export type IndexShard = Record<string, number>;

export interface Lease {
  owner: string;
  until: number;
}

const key = {
  instance: (id: string) => `wf/instance/${id}`,
  history: (id: string, chunk: number) => `wf/history/${id}/${chunk}`,
  definition: (hash: string) => `wf/definition/${hash}`,
  lease: (id: string) => `wf/lease/${id}`,
  inbox: (id: string) => `wf/inbox/${id}`,
  shard: (n: number) => `wf/index/${n}`,
};

export function shardOf(id: string): number {
  return createHash('sha1').update(id).digest().readUInt16BE(0) % INDEX_SHARDS;
}

/** Retries a read-modify-write on ETag conflicts (bounded; replicas rarely touch one record at once). */
async function casLoop(attempts: number, work: () => Promise<void>): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof KvConflict) || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 20 * i));
    }
  }
}

/** The engine's records in one store: instances, chunked history, definitions, leases, inboxes, the index. */
export class InstanceRepo {
  constructor(readonly kv: KvStore) {}

  getInstance(id: string) {
    return this.kv.get<InstanceRecord>(key.instance(id));
  }

  putInstance(record: InstanceRecord): Promise<void> {
    return this.kv.set(key.instance(record.id), record);
  }

  async getDefinition(hash: string): Promise<{ name: string; text: string } | undefined> {
    return (await this.kv.get<{ name: string; text: string }>(key.definition(hash)))?.value;
  }

  putDefinition(hash: string, name: string, text: string): Promise<void> {
    return this.kv.set(key.definition(hash), { name, text });
  }

  /** Writes the events from position `from` on; `tail` is what the last stored chunk already holds. */
  async appendHistory(id: string, from: number, tail: StoredEvent[], events: StoredEvent[]): Promise<StoredEvent[]> {
    let chunk = Math.floor(from / LIMITS.historyChunk);
    let current = from % LIMITS.historyChunk === 0 ? [] : [...tail];
    for (const event of events) {
      current.push(event);
      if (current.length === LIMITS.historyChunk) {
        await this.kv.set(key.history(id, chunk++), current);
        current = [];
      }
    }
    if (current.length > 0) await this.kv.set(key.history(id, chunk), current);
    return current;
  }

  async readHistory(id: string, length: number): Promise<StoredEvent[]> {
    const chunks = Math.ceil(Math.min(length, LIMITS.maxHistory) / LIMITS.historyChunk);
    const out: StoredEvent[] = [];
    for (let c = 0; c < chunks; c++) out.push(...((await this.kv.get<StoredEvent[]>(key.history(id, c)))?.value ?? []));
    return out.slice(0, length);
  }

  /** The events of the last, partly filled chunk (what the next append continues). */
  async historyTail(id: string, length: number): Promise<StoredEvent[]> {
    if (length % LIMITS.historyChunk === 0) return [];
    return (await this.kv.get<StoredEvent[]>(key.history(id, Math.floor(length / LIMITS.historyChunk))))?.value ?? [];
  }

  /** Removes an instance and everything kept for it. */
  async remove(id: string, historyLength: number): Promise<void> {
    const chunks = Math.ceil(Math.min(historyLength, LIMITS.maxHistory) / LIMITS.historyChunk);
    for (let c = 0; c < chunks; c++) await this.kv.delete(key.history(id, c));
    await this.kv.delete(key.inbox(id));
    await this.kv.delete(key.lease(id));
    await this.kv.delete(key.instance(id));
    await this.setIndex(id, undefined);
  }

  // ---- index of unfinished instances

  async readShard(n: number): Promise<IndexShard> {
    return (await this.kv.get<IndexShard>(key.shard(n)))?.value ?? {};
  }

  /** Sets (or with undefined removes) an instance's entry in its shard. */
  async setIndex(id: string, due: number | undefined): Promise<void> {
    const k = key.shard(shardOf(id));
    await casLoop(50, async () => {
      const entry = await this.kv.get<IndexShard>(k);
      const shard = entry?.value ?? {};
      if (shard[id] === due) return;
      if (due === undefined) {
        if (!(id in shard)) return;
        delete shard[id];
      } else shard[id] = due;
      // A shard's first write is a compare-and-set too: two unconditional first writes would lose one entry.
      await (entry ? this.kv.set(k, shard, entry.etag) : this.kv.create(k, shard));
    });
  }

  // ---- leases: who runs an instance now

  /** A lease record in the released state, written when an instance is created (all later changes are compare-and-set). */
  createLease(id: string, lease: Lease): Promise<void> {
    return this.kv.set(key.lease(id), lease);
  }

  /**
   * Takes (or renews) the lease when it is free, expired or already ours; false when another replica holds it.
   * Compare-and-set on the lease record, so of two replicas trying at once only one wins.
   */
  async acquireLease(id: string, owner: string, ttlMs: number): Promise<boolean> {
    const entry = await this.kv.get<Lease>(key.lease(id));
    const now = Date.now();
    if (entry && entry.value.owner !== owner && entry.value.owner !== '' && entry.value.until > now) return false;
    const lease = { owner, until: now + ttlMs };
    try {
      await (entry ? this.kv.set(key.lease(id), lease, entry.etag) : this.kv.create(key.lease(id), lease));
    } catch (err) {
      if (err instanceof KvConflict) return false;
      throw err;
    }
    return true;
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    const entry = await this.kv.get<Lease>(key.lease(id));
    if (!entry || entry.value.owner !== owner) return;
    await this.kv.set(key.lease(id), { owner: '', until: 0 }, entry.etag).catch((err) => {
      if (!(err instanceof KvConflict)) throw err;
    });
  }

  // ---- inbox: operations for an instance another replica (or nobody) runs

  /** Written empty with the instance, so every later change is compare-and-set. */
  createInbox(id: string): Promise<void> {
    return this.kv.set(key.inbox(id), []);
  }

  async pushInbox(id: string, op: InboxOp): Promise<void> {
    await casLoop(50, async () => {
      const entry = await this.kv.get<InboxOp[]>(key.inbox(id));
      const ops = entry?.value ?? [];
      if (ops.length >= LIMITS.maxInbox) throw new Error(`instance ${id} has ${ops.length} operations waiting for it already`);
      await this.kv.set(key.inbox(id), [...ops, op], entry?.etag);
    });
  }

  async hasInbox(id: string): Promise<boolean> {
    return ((await this.kv.get<InboxOp[]>(key.inbox(id)))?.value.length ?? 0) > 0;
  }

  /** Takes every waiting operation (compare-and-set, so none is taken twice or lost). */
  async drainInbox(id: string): Promise<InboxOp[]> {
    let ops: InboxOp[] = [];
    await casLoop(50, async () => {
      const entry = await this.kv.get<InboxOp[]>(key.inbox(id));
      ops = entry?.value ?? [];
      if (ops.length > 0) await this.kv.set(key.inbox(id), [], entry!.etag);
    });
    return ops;
  }
}
