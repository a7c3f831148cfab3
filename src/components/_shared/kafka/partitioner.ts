import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';

/**
 * daprd's partitioner: an explicit `partitionNumber` wins (refused when the topic has no such
 * partition); a key picks its partition with the 32-bit FNV-1a hash daprd's Go client uses, so records
 * of one key land in the same partition whichever sidecar (daprd or Mecha) published them; records
 * without a key go to a random partition. kafkajs's own default hashes keys with murmur2 instead,
 * which would split one key's records across two partitions during a migration.
 */
export const daprPartitioner: ICustomPartitioner = () => ({ partitionMetadata, message }: PartitionerArgs) => {
  const count = partitionMetadata.length;
  if (message.partition !== undefined && message.partition !== null) {
    if (message.partition >= count) throw new Error(`partition number ${message.partition} is out of range, topic has ${count} partitions`);
    return message.partition;
  }
  if (message.key === undefined || message.key === null) return Math.floor(Math.random() * count);
  return keyPartition(typeof message.key === 'string' ? Buffer.from(message.key) : message.key, count);
}

/** Go's `int32(fnv32a(key)) % n`, made non-negative by negation (not masking) as the Go client does. */
export function keyPartition(key: Buffer, count: number): number {
  let hash = 0x811c9dc5;
  for (const byte of key) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return Math.abs((hash | 0) % count);
}
