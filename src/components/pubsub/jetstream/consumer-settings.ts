import { AckPolicy, DeliverPolicy, ReplayPolicy, type ConsumerConfig } from 'nats';
import { parseDuration } from '../../../util/duration.js';

/** The validated component metadata (see index.ts for meanings). */
export type JetStreamMetadata = {
  natsURL: string;
  name: string;
  jwt?: string;
  seedKey?: string;
  tls_client_cert?: string;
  tls_client_key?: string;
  token?: string;
  streamName?: string;
  durableName?: string;
  queueGroupName?: string;
  deliverPolicy: 'all' | 'last' | 'new' | 'sequence' | 'time';
  startSequence?: number;
  startTime?: number;
  ackPolicy: 'explicit' | 'all' | 'none';
  ackWait?: string;
  maxDeliver?: number;
  backOff?: string;
  maxAckPending?: number;
  replicas?: number;
  memoryStorage: boolean;
  rateLimit?: number;
  heartbeat?: string;
  flowControl: boolean;
  domain?: string;
  apiPrefix?: string;
  concurrency: 'single' | 'parallel';
};

/** What one subscription needs besides the topic: the consumer to create and how to treat answers. */
export interface ConsumerSettings {
  /** Consumer fields daprd sets; zero values (daprd's "not set") are left to the server. */
  config: Partial<ConsumerConfig>;
  /** Explicit and all policies are acknowledged; none is not. */
  acknowledges: boolean;
  /** daprd NAKs a refused message with a delay of ackWait when ackWait is set, else redelivers at once. */
  nakDelayMs: number;
}

const DELIVER: Record<JetStreamMetadata['deliverPolicy'], DeliverPolicy> = {
  all: DeliverPolicy.All,
  last: DeliverPolicy.Last,
  new: DeliverPolicy.New,
  sequence: DeliverPolicy.StartSequence,
  time: DeliverPolicy.StartTime,
};
const ACK: Record<JetStreamMetadata['ackPolicy'], AckPolicy> = { explicit: AckPolicy.Explicit, all: AckPolicy.All, none: AckPolicy.None };
const nanos = (ms: number) => Math.round(ms * 1_000_000);

/**
 * Reads the metadata as daprd does, failing on the combinations daprd refuses at init. Durations are Go
 * durations or bare seconds (dapr/kit's decoding); `backOff` is a comma-separated list of them.
 */
export function consumerSettings(md: JetStreamMetadata): ConsumerSettings {
  if (md.jwt && !md.seedKey) throw new Error('metadata seedKey is required with jwt');
  if (md.seedKey && !md.jwt) throw new Error('metadata jwt is required with seedKey');
  if (md.tls_client_cert && !md.tls_client_key) throw new Error('metadata tls_client_key is required with tls_client_cert');
  if (md.tls_client_key && !md.tls_client_cert) throw new Error('metadata tls_client_cert is required with tls_client_key');
  const ackWaitMs = duration('ackWait', md.ackWait);
  const heartbeatMs = duration('heartbeat', md.heartbeat);
  const backOff = (md.backOff ?? '').split(',').map((s) => s.trim()).filter(Boolean).map((s) => duration('backOff', s));

  const config: Partial<ConsumerConfig> = {
    deliver_policy: DELIVER[md.deliverPolicy],
    ack_policy: ACK[md.ackPolicy],
    replay_policy: ReplayPolicy.Instant,
  };
  if (md.durableName) config.durable_name = md.durableName;
  if (md.queueGroupName) config.deliver_group = md.queueGroupName;
  if (md.startTime !== undefined) config.opt_start_time = new Date(md.startTime * 1000).toISOString();
  if (md.startSequence) config.opt_start_seq = md.startSequence;
  if (md.flowControl) config.flow_control = true;
  if (ackWaitMs) config.ack_wait = nanos(ackWaitMs);
  if (md.maxDeliver) config.max_deliver = md.maxDeliver;
  if (backOff.length > 0) config.backoff = backOff.map(nanos);
  if (md.maxAckPending) config.max_ack_pending = md.maxAckPending;
  if (md.replicas) config.num_replicas = md.replicas;
  if (md.memoryStorage) config.mem_storage = true;
  if (md.rateLimit) config.rate_limit_bps = md.rateLimit;
  if (heartbeatMs) config.idle_heartbeat = nanos(heartbeatMs);
  return { config, acknowledges: md.ackPolicy !== 'none', nakDelayMs: ackWaitMs };
}

function duration(field: string, text: string | undefined): number {
  if (text === undefined || text.trim() === '') return 0;
  const ms = parseDuration(text, 's');
  if (ms === undefined || ms < 0) throw new Error(`metadata ${field}: ${JSON.stringify(text)} is not a duration (e.g. "30s", or a number of seconds)`);
  return ms;
}

/**
 * How an existing durable differs from what the metadata asks for, as the NATS Go client's AddConsumer
 * checks it before reusing the durable (daprd then fails the subscription): only fields the metadata sets
 * are compared. Undefined when the durable can be reused.
 */
export function durableMismatch(existing: ConsumerConfig, wanted: Partial<ConsumerConfig>): string | undefined {
  const differs: Array<[string, unknown, unknown, boolean]> = [
    ['deliverPolicy', wanted.deliver_policy, existing.deliver_policy, wanted.deliver_policy !== undefined],
    ['startSequence', wanted.opt_start_seq, existing.opt_start_seq, (wanted.opt_start_seq ?? 0) > 0],
    ['startTime', time(wanted.opt_start_time), time(existing.opt_start_time), wanted.opt_start_time !== undefined],
    ['ackPolicy', wanted.ack_policy, existing.ack_policy, wanted.ack_policy !== undefined],
    ['ackWait', seconds(wanted.ack_wait), seconds(existing.ack_wait), (wanted.ack_wait ?? 0) > 0],
    ['maxDeliver', wanted.max_deliver, existing.max_deliver, (wanted.max_deliver ?? 0) > 0],
    ['rateLimit', wanted.rate_limit_bps, existing.rate_limit_bps, (wanted.rate_limit_bps ?? 0) > 0],
    ['maxAckPending', wanted.max_ack_pending, existing.max_ack_pending, (wanted.max_ack_pending ?? 0) > 0],
    ['flowControl', true, existing.flow_control === true, wanted.flow_control === true],
    ['heartbeat', seconds(wanted.idle_heartbeat), seconds(existing.idle_heartbeat), (wanted.idle_heartbeat ?? 0) > 0],
    ['replicas', wanted.num_replicas, existing.num_replicas, (wanted.num_replicas ?? 0) > 0],
    ['memoryStorage', true, existing.mem_storage === true, wanted.mem_storage === true],
  ];
  const found = differs.find(([, want, have, compared]) => compared && want !== have);
  return found && `${found[0]} is ${JSON.stringify(found[1])} in the metadata but ${JSON.stringify(found[2] ?? null)} on the server`;
}

const time = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));
const seconds = (ns: number | undefined) => (ns === undefined ? undefined : `${ns / 1e9}s`);
