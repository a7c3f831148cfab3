import type { TestProject } from 'vitest/node';
import { ensureRedisServer, type RedisServer } from './support/redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `host:port` of the Redis started once for the whole run. */
    redisAddress: string;
  }
}

let redis: RedisServer | undefined;

/** Starts each backing server once per run (not once per file) and stops it at the end. */
export async function setup(project: TestProject): Promise<void> {
  redis = await ensureRedisServer();
  project.provide('redisAddress', `${redis.host}:${redis.port}`);
}

export async function teardown(): Promise<void> {
  await redis?.stop();
}
