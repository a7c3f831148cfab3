import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { validateAdapterMetadata } from '../../src/config/adapter-metadata.js';
import { isInputBinding, isOutputBinding, type Binding, type BindingEvent } from '../../src/contracts/binding.js';
import type { ComponentDescriptor } from '../../src/contracts/component.js';
import { cronBinding } from '../../src/components/bindings/cron/index.js';
import { httpBinding } from '../../src/components/bindings/http/index.js';
import { kafkaBinding } from '../../src/components/bindings/kafka/index.js';
import { localStorageBinding } from '../../src/components/bindings/localstorage/index.js';
import { redisBinding } from '../../src/components/bindings/redis/index.js';

let echo: Server;
let echoUrl = '';
const topic = `bindings-${randomUUID().slice(0, 8)}`;

/** One line per binding: what it declares, and (for inputs) how to make it fire. */
interface Case {
  descriptor: ComponentDescriptor<Binding>;
  metadata(): Record<string, string>;
  operations: string[];
  input: boolean;
  /** Request metadata an output `create` needs. */
  createMetadata?: Record<string, string>;
}

const matrix: Case[] = [
  { descriptor: cronBinding, metadata: () => ({ schedule: '@every 200ms' }), operations: [], input: true },
  { descriptor: httpBinding, metadata: () => ({ url: echoUrl }), operations: ['create', 'get', 'head', 'post', 'put', 'patch', 'delete', 'options', 'trace'], input: false },
  { descriptor: redisBinding, metadata: () => ({ redisHost: inject('redisAddress') }), operations: ['create', 'get', 'delete', 'increment'], input: false, createMetadata: { key: `b-${topic}` } },
  { descriptor: localStorageBinding, metadata: () => ({ rootPath: mkdtempSync(join(tmpdir(), 'mecha-files-')) }), operations: ['create', 'get', 'list', 'delete'], input: false, createMetadata: { fileName: 'a.txt' } },
  { descriptor: kafkaBinding, metadata: () => ({ brokers: inject('kafkaBrokers'), topics: topic, publishTopic: topic, initialOffset: 'oldest', consumerGroup: `g-${topic}` }), operations: ['create'], input: true },
];

beforeAll(async () => {
  echo = createServer((req, res) => void req.resume().on('end', () => res.end('{"ok":true}')));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoUrl = `http://127.0.0.1:${(echo.address() as { port: number }).port}`;
});

afterAll(() => echo?.close());

for (const c of matrix) {
  describe(`${c.descriptor.type} conformance`, () => {
    let binding: Binding;
    beforeAll(async () => {
      const checked = validateAdapterMetadata(c.descriptor, c.metadata());
      expect(checked.errors).toEqual([]);
      binding = (await c.descriptor.load())({ name: 'b', logger: pino({ level: 'silent' }) });
      await binding.init(checked.value);
    });
    afterAll(async () => {
      await binding?.close();
      await binding?.close();
    });

    it('declares its operations and directions, both ways', () => {
      expect(isOutputBinding(binding) ? [...binding.operations()] : []).toEqual(c.operations);
      expect(isInputBinding(binding)).toBe(c.input);
    });

    it.runIf(c.operations.includes('create'))('creates', async () => {
      if (!isOutputBinding(binding)) throw new Error('declared output without invoke()');
      await binding.invoke({ operation: 'create', data: Buffer.from('"hello"'), metadata: c.createMetadata ?? {} });
    });

    it.runIf(c.input)('delivers events to the app until closed, and again after a refusal', async () => {
      if (!isInputBinding(binding)) throw new Error('declared input without read()');
      const events: BindingEvent[] = [];
      let refused = false;
      const handle = await binding.read(async (e) => {
        if (!refused) {
          refused = true;
          throw new Error('refused once');
        }
        events.push(e);
        return undefined;
      });
      if (isOutputBinding(binding) && binding.operations().includes('create')) {
        await binding.invoke({ operation: 'create', data: Buffer.from('"event"'), metadata: {} });
      }
      const deadline = Date.now() + 15_000;
      while (events.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(events.length).toBeGreaterThan(0);
      await handle.close();
    }, 20_000);
  });
}
