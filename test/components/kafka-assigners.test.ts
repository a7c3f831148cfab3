import { AssignerProtocol, type Cluster } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { partitionAssigners } from '../../src/components/_shared/kafka/assigners.js';

/** A cluster that knows `orders` with 5 partitions and `audit` with 2. */
const cluster = {
  addMultipleTargetTopics: async () => {},
  findTopicPartitionMetadata: (topic: string) => Array.from({ length: topic === 'orders' ? 5 : 2 }, (_, partitionId) => ({ partitionId })),
} as unknown as Cluster;

const member = (memberId: string, topics: string[]) => ({
  memberId,
  memberMetadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
});

async function plan(strategy: 'range' | 'roundrobin', members: ReturnType<typeof member>[]) {
  const [assigner] = partitionAssigners(strategy).map((make) => make({ cluster, groupId: 'g', logger: pino({ level: 'silent' }) as never }));
  const result = await assigner!.assign({ members, topics: ['orders', 'audit'] });
  return Object.fromEntries(result.map((r) => [r.memberId, AssignerProtocol.MemberAssignment.decode(r.memberAssignment)?.assignment]));
}

describe('pubsub.kafka partition assignment', () => {
  it('announces daprd\'s protocol names, the configured one first', () => {
    const names = (s: 'range' | 'roundrobin') => partitionAssigners(s).map((make) => make({ cluster, groupId: 'g', logger: pino({ level: 'silent' }) as never }).name);
    expect(names('range')).toEqual(['range', 'roundrobin']);
    expect(names('roundrobin')).toEqual(['roundrobin', 'range']);
  });

  it('range: consecutive partitions per topic, the first members take the extra ones, only to subscribers', async () => {
    expect(await plan('range', [member('b', ['orders']), member('a', ['orders', 'audit'])])).toEqual({
      a: { orders: [0, 1, 2], audit: [0, 1] },
      b: { orders: [3, 4] },
    });
  });

  it('roundrobin: partitions dealt in turn, skipping members not subscribed to the topic', async () => {
    expect(await plan('roundrobin', [member('a', ['orders', 'audit']), member('b', ['orders']), member('c', ['orders'])])).toEqual({
      a: { audit: [0, 1], orders: [2] },
      b: { orders: [0, 3] },
      c: { orders: [1, 4] },
    });
  });
});
