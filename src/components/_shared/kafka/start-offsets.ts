import type { Admin, Consumer } from 'kafkajs';
import type { Logger } from 'pino';

/**
 * Commits where a group member starts reading a partition it was just assigned when the group starts at
 * the newest record (`initialOffset: newest`) and has no committed offset for it yet.
 *
 * Without this, "newest" is decided by whichever member first fetches the partition. A partition that
 * moves to another member before its first commit (a second sidecar joining, the first one leaving, an
 * app that keeps refusing) would be started again at the then-newest record, silently skipping every
 * record published in between. With the start committed at the first assignment, every later owner
 * resumes from it. The member itself keeps reading from where it started: nothing is skipped or repeated.
 *
 * Failures (a rebalance under way, no rights to describe the group) only log: the member's own commits
 * follow as records are handled.
 */
export async function pinNewestStart(consumer: Consumer, admin: Admin, groupId: string, assignment: Record<string, number[]>, logger: Logger): Promise<void> {
  try {
    for (const [topic, partitions] of Object.entries(assignment)) {
      if (partitions.length === 0) continue;
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const missing = new Set((committed?.partitions ?? []).filter((p) => Number(p.offset) < 0 && partitions.includes(p.partition)).map((p) => p.partition));
      if (missing.size === 0) continue;
      const ends = (await admin.fetchTopicOffsets(topic)).filter((p) => missing.has(p.partition));
      await consumer.commitOffsets(ends.map((p) => ({ topic, partition: p.partition, offset: p.high })));
    }
  } catch (err) {
    logger.debug({ groupId, err: (err as Error).message }, 'kafka start offsets not pinned');
  }
}
