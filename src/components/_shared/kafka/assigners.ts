import { AssignerProtocol, type Assigner, type Cluster, type GroupMember, type PartitionAssigner } from 'kafkajs';

type Plan = Map<string, Record<string, number[]>>;
type Subscriptions = Map<string, Set<string>>;

/**
 * Partition assignment strategies under the protocol names daprd's client announces (`range`,
 * `roundrobin`), so Mecha and daprd sidecars can share one consumer group while an app moves from one
 * to the other. Unlike kafkajs's built-in round robin, both honour each member's own topic list: members
 * of one group may subscribe to different topics.
 */
export function partitionAssigners(preferred: 'range' | 'roundrobin'): PartitionAssigner[] {
  const both = { range: rangeAssigner, roundrobin: roundRobinAssigner };
  // Announcing both lets a group whose other members speak only one of them still agree on a protocol.
  return preferred === 'range' ? [both.range, both.roundrobin] : [both.roundrobin, both.range];
}

/** Per topic, consecutive partitions to members sorted by id, the first ones taking one extra. */
const rangeAssigner: PartitionAssigner = ({ cluster }) =>
  strategy('range', cluster, (members, subscriptions, plan) => {
    for (const topic of topicsOf(subscriptions)) {
      const partitions = partitionsOf(cluster.findTopicPartitionMetadata(topic));
      const takers = members.filter((m) => subscriptions.get(m)?.has(topic));
      const each = Math.floor(partitions.length / takers.length);
      const extra = partitions.length % takers.length;
      takers.forEach((member, i) => {
        const start = i * each + Math.min(i, extra);
        const count = each + (i < extra ? 1 : 0);
        if (count > 0) plan.get(member)![topic] = partitions.slice(start, start + count);
      });
    }
  });

/** Every topic-partition in order, dealt in turn to the members subscribed to its topic. */
const roundRobinAssigner: PartitionAssigner = ({ cluster }) =>
  strategy('roundrobin', cluster, (members, subscriptions, plan) => {
    let turn = 0;
    for (const topic of topicsOf(subscriptions)) {
      for (const partition of partitionsOf(cluster.findTopicPartitionMetadata(topic))) {
        // Bounded: at most one full round finds a subscriber, and the topic has one by construction.
        for (let tries = 0; tries < members.length; tries++, turn++) {
          const member = members[turn % members.length]!;
          if (!subscriptions.get(member)?.has(topic)) continue;
          (plan.get(member)![topic] ??= []).push(partition);
          turn++;
          break;
        }
      }
    }
  });

function strategy(name: string, cluster: Cluster, fill: (members: string[], subscriptions: Subscriptions, plan: Plan) => void): Assigner {
  return {
    name,
    version: 0,
    async assign({ members }: { members: GroupMember[] }) {
      const subscriptions: Subscriptions = new Map();
      for (const m of members) subscriptions.set(m.memberId, new Set(AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.topics ?? []));
      // The leader knows partitions only of its own topics; other members may have subscribed to more.
      await cluster.addMultipleTargetTopics(topicsOf(subscriptions));
      const ids = [...subscriptions.keys()].sort();
      const plan: Plan = new Map(ids.map((id) => [id, {}]));
      fill(ids, subscriptions, plan);
      return ids.map((memberId) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: plan.get(memberId)!, userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }: { topics: string[] }) {
      return { name, metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
    },
  };
}

function topicsOf(subscriptions: Subscriptions): string[] {
  return [...new Set([...subscriptions.values()].flatMap((s) => [...s]))].sort();
}

function partitionsOf(metadata: Array<{ partitionId: number }>): number[] {
  return metadata.map((p) => p.partitionId).sort((a, b) => a - b);
}
