import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { validateAdapterMetadata } from '../../src/config/adapter-metadata.js';
import type { PubSub } from '../../src/contracts/pubsub.js';
import { rabbitmqPubSub } from '../../src/components/pubsub/rabbitmq/index.js';

const opened: PubSub[] = [];

async function rabbit(extra: Record<string, string> = {}): Promise<PubSub> {
  const checked = validateAdapterMetadata(rabbitmqPubSub, { connectionString: inject('amqpUrl'), durable: 'true', deletedWhenUnused: 'false', ...extra });
  expect(checked.errors).toEqual([]);
  const ps = (await rabbitmqPubSub.load())({ name: 'rabbitmq', logger: pino({ level: 'silent' }) });
  await ps.init(checked.value);
  opened.push(ps);
  return ps;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const waitFor = async (done: () => boolean, ms = 8000) => {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await sleep(20);
};

afterAll(async () => {
  for (const p of opened) await p.close().catch(() => undefined);
});

describe('pubsub.rabbitmq against a RabbitMQ node', () => {
  it('sends a refused message to the dead-letter queue when dead-lettering is on and requeueing off', async () => {
    const topic = `rmq-dl-${randomUUID().slice(0, 8)}`;
    const consumerId = `app-${randomUUID().slice(0, 8)}`;
    const ps = await rabbit({ enableDeadLetter: 'true', requeueInFailure: 'false' });
    let deliveries = 0;
    await ps.subscribe({ topic, consumerId, metadata: {} }, async () => {
      deliveries++;
      throw new Error('refused');
    });
    await ps.publish({ topic, data: Buffer.from('poison'), metadata: { reason: 'test' } });
    await waitFor(() => deliveries >= 1);
    await sleep(300);
    expect(deliveries).toBe(1);
    // The dead-letter queue is an ordinary queue: read it with the exchange it is bound to.
    const dead: string[] = [];
    const { connect } = await import('amqplib');
    const conn = await connect(inject('amqpUrl'));
    const ch = await conn.createChannel();
    const msg = await ch.get(`dlq-${consumerId}-${topic}`, { noAck: true });
    if (msg) dead.push(`${msg.content.toString()} ${msg.properties.headers?.reason}`);
    await conn.close();
    expect(dead).toEqual(['poison test']);
  });

  it('requeues a refused message by default, and keeps unacknowledged ones when the sidecar goes away', async () => {
    const topic = `rmq-rq-${randomUUID().slice(0, 8)}`;
    const consumerId = `app-${randomUUID().slice(0, 8)}`;
    const first = await rabbit();
    let deliveries = 0;
    await first.subscribe({ topic, consumerId, metadata: {} }, async () => {
      deliveries++;
      if (deliveries === 1) throw new Error('refused once');
      return new Promise<void>(() => undefined); // then hangs: the sidecar dies before answering
    });
    await first.publish({ topic, data: Buffer.from('order'), metadata: {} });
    await waitFor(() => deliveries >= 2);
    expect(deliveries).toBe(2);
    // Closing the connection drops the unacknowledged delivery back into the queue.
    const closing = first.close();
    const got: string[] = [];
    const second = await rabbit();
    await second.subscribe({ topic, consumerId, metadata: {} }, async (m) => void got.push(m.data.toString()));
    await waitFor(() => got.length >= 1, 15_000);
    expect(got[0]).toBe('order');
    await closing;
  }, 30_000);

  it('fails init naming the broker when nothing listens', async () => {
    const ps = (await rabbitmqPubSub.load())({ name: 'rabbitmq', logger: pino({ level: 'silent' }) });
    const checked = validateAdapterMetadata(rabbitmqPubSub, { connectionString: 'amqp://guest:guest@127.0.0.1:1' });
    await expect(ps.init(checked.value)).rejects.toThrow(/cannot connect to RabbitMQ at 127\.0\.0\.1:1/);
  });
});
