import { credentials, Metadata, status, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { serviceByName } from '../../src/transports/grpc/protos.js';
import { daprClient } from '../support/grpc-client.js';
import { startMecha, type MechaProcess } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';

interface TopicEvent {
  id: string;
  topic: string;
  pubsub_name: string;
  path: string;
  data: Buffer;
  data_content_type: string;
}

interface Response {
  subscribe_topic_events_response_type: 'initial_response' | 'event_message';
  event_message?: TopicEvent;
}

/** A SubscribeTopicEventsAlpha1 stream as an app without a port uses it: events in, acknowledgements out. */
class EventStream {
  readonly events: TopicEvent[] = [];
  readonly opened: Promise<void>;
  readonly finished: Promise<ServiceError | undefined>;
  #waiters: Array<() => void> = [];

  constructor(readonly call: ClientDuplexStream<object, Response>) {
    let opened!: () => void;
    this.opened = new Promise((r) => (opened = r));
    call.on('data', (res: Response) => {
      if (res.subscribe_topic_events_response_type === 'initial_response') opened();
      else if (res.event_message) this.events.push(res.event_message);
      for (const w of this.#waiters.splice(0)) w();
    });
    this.finished = new Promise((resolve) => {
      call.on('error', (err: ServiceError) => resolve(err));
      call.on('end', () => resolve(undefined));
    });
  }

  ack(id: string, answer: 'SUCCESS' | 'RETRY' | 'DROP' = 'SUCCESS'): void {
    this.call.write({ event_processed: { id, status: { status: answer } } });
  }

  /** Waits (bounded) until `count` events have arrived. */
  async next(count: number, timeoutMs = 8000): Promise<TopicEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} events, got ${this.events.length}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return this.events.slice(0, count);
  }
}

let mecha: MechaProcess;
let dapr: ReturnType<typeof daprClient>;
let client: { SubscribeTopicEventsAlpha1(md: Metadata): ClientDuplexStream<object, Response>; close(): void };
const streams: EventStream[] = [];

function subscribe(initial: object | undefined, first?: object): EventStream {
  const stream = new EventStream(client.SubscribeTopicEventsAlpha1(new Metadata()));
  stream.call.write(first ?? { initial_request: initial });
  streams.push(stream);
  return stream;
}

const publish = (pubsub: string, topic: string, data: object) =>
  dapr.call('PublishEvent', { pubsub_name: pubsub, topic, data: Buffer.from(JSON.stringify(data)), data_content_type: 'application/json' });
const json = (e: TopicEvent) => JSON.parse(e.data.toString('utf8'));

beforeAll(async () => {
  const resources = resourcesDir({
    'memory.yaml': component('pubsub', 'pubsub.in-memory'),
    'redis.yaml': component('redis', 'pubsub.redis', { redisHost: inject('redisAddress'), processingTimeout: '500ms', redeliverInterval: '200ms' }),
  });
  // No --app-port: the app receives its events only through streams.
  mecha = await startMecha(['--app-id', 'streamer', '--resources-path', resources], { cwd: mkdtempSync(join(tmpdir(), 'mecha-stream-')) });
  dapr = daprClient(mecha.grpcPort);
  const Ctor = serviceByName('dapr.proto.runtime.v1.Dapr');
  client = new Ctor(`127.0.0.1:${mecha.grpcPort}`, credentials.createInsecure()) as unknown as typeof client;
});

afterAll(async () => {
  for (const s of streams) s.call.cancel();
  client?.close();
  dapr?.close();
  await mecha?.stop();
});

describe('streaming subscriptions (SubscribeTopicEventsAlpha1)', () => {
  it('answers the initial request, streams each event and lists the subscription while open', async () => {
    const stream = subscribe({ pubsub_name: 'pubsub', topic: 'orders' });
    await stream.opened;
    const md = await dapr.call<{ subscriptions: Array<{ pubsub_name: string; topic: string; type: string }> }>('GetMetadata');
    expect(md.subscriptions).toEqual([expect.objectContaining({ pubsub_name: 'pubsub', topic: 'orders', type: 'STREAMING' })]);

    await publish('pubsub', 'orders', { n: 1 });
    const [event] = await stream.next(1);
    expect(event).toMatchObject({ topic: 'orders', pubsub_name: 'pubsub', path: '/', data_content_type: 'application/json' });
    expect(json(event!)).toEqual({ n: 1 });
    stream.ack(event!.id);

    stream.call.end();
    expect(await stream.finished).toBeUndefined();
    const after = await dapr.call<{ subscriptions: unknown[] }>('GetMetadata');
    expect(after.subscriptions).toEqual([]);
  });

  it('redelivers an event answered RETRY, and sends one answered DROP to the dead-letter topic', async () => {
    const stream = subscribe({ pubsub_name: 'pubsub', topic: 'retries', dead_letter_topic: 'retries-dead' });
    const dead = subscribe({ pubsub_name: 'pubsub', topic: 'retries-dead' });
    await Promise.all([stream.opened, dead.opened]);

    await publish('pubsub', 'retries', { n: 'retry-me' });
    const [first] = await stream.next(1);
    stream.ack(first!.id, 'RETRY');
    const [, again] = await stream.next(2);
    expect(again!.id).toBe(first!.id);
    stream.ack(again!.id, 'SUCCESS');

    await publish('pubsub', 'retries', { n: 'drop-me' });
    const [, , dropped] = await stream.next(3);
    stream.ack(dropped!.id, 'DROP');
    const [dl] = await dead.next(1);
    expect(json(dl!)).toEqual({ n: 'drop-me' });
    expect(dl!.topic).toBe('retries-dead');
    dead.ack(dl!.id);
  });

  it('keeps an unacknowledged event on a durable broker: it comes back on the next stream', async () => {
    const first = subscribe({ pubsub_name: 'redis', topic: 'durable-stream' });
    await first.opened;
    await publish('redis', 'durable-stream', { n: 'keep-me' });
    const [event] = await first.next(1);
    first.call.cancel(); // gone without answering
    await first.finished;

    const second = subscribe({ pubsub_name: 'redis', topic: 'durable-stream' });
    await second.opened;
    const [back] = await second.next(1, 15_000);
    expect(json(back!)).toEqual({ n: 'keep-me' });
    expect(back!.id).toBe(event!.id);
    second.ack(back!.id);
  });

  it('fails the stream as daprd does when the first message is wrong or names no pub/sub, topic or known component', async () => {
    const cases: Array<[object | undefined, object | undefined, number, RegExp]> = [
      [undefined, { event_processed: { id: 'x', status: { status: 'SUCCESS' } } }, status.UNKNOWN, /initial request is required/],
      [{ pubsub_name: '', topic: 't' }, undefined, status.UNKNOWN, /pubsubName is required/],
      [{ pubsub_name: 'pubsub', topic: '' }, undefined, status.UNKNOWN, /topic is required/],
      [{ pubsub_name: 'nope', topic: 't' }, undefined, status.INVALID_ARGUMENT, /pubsub nope is not found/],
    ];
    for (const [initial, first, code, message] of cases) {
      const stream = subscribe(initial, first);
      const err = await stream.finished;
      expect(err?.code, JSON.stringify(initial ?? first)).toBe(code);
      expect(err?.details).toMatch(message);
    }
  });
});
