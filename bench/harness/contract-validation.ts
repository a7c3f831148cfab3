import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ContractEnforcement } from '../../src/api-contracts/contract-enforcement.js';
import { loadContracts } from '../../src/api-contracts/contract-spec.js';
import { readResourceDocuments } from '../../src/config/resource-documents.js';
import { COMMON_SCHEMAS, ORDERS_ASYNCAPI, contract } from '../../test/api-contracts/contract-fixtures.js';
import type { Machine } from './run-record.js';

/** What a Contract costs, measured in-process: loading it, and checking one event on publish and on delivery. */
export interface ContractFigures {
  date: string;
  commit?: string;
  machine?: Machine;
  eventBytes: number;
  /** The first load in the process: the AsyncAPI 3.0 meta-schema validator loaded (compiled by the build), the payload schema compiled. */
  firstLoadMs: number;
  /** A reload: the meta-schema kept, the payload schema compiled again. */
  reloadMs: number;
  /** The publish check (JSON.parse of the body + validation), median per event over 20 batches. */
  publishUs: number;
  /** JSON.parse of the same body alone, for scale. */
  parseUs: number;
  /** The delivery check (the event is already parsed by the delivery path). */
  deliveryUs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The `contracts` step: the AsyncAPI contract of the tests (a $ref to another file) and a 1 KB Order. */
export async function measureContracts(iterations: number): Promise<ContractFigures> {
  const date = new Date().toISOString();
  const dir = mkdtempSync(join(tmpdir(), 'mecha-bench-contracts-'));
  try {
    mkdirSync(join(dir, 'contracts'));
    writeFileSync(join(dir, 'contract.yaml'), contract('orders', 'asyncapi: { file: contracts/orders.asyncapi.yaml }'));
    // Without its `send` operation the channel binds both directions: publish and delivery are both checked.
    writeFileSync(join(dir, 'contracts', 'orders.asyncapi.yaml'), ORDERS_ASYNCAPI.replace(/^operations:[\s\S]*?^components:/m, 'components:'));
    writeFileSync(join(dir, 'contracts', 'common.yaml'), COMMON_SCHEMAS);
    const { documents } = await readResourceDocuments([dir]);

    let started = performance.now();
    const first = loadContracts(documents, 'bench');
    const firstLoadMs = performance.now() - started;
    if (first.problems.length > 0) throw new Error(`the bench contract does not load: ${JSON.stringify(first.problems)}`);
    started = performance.now();
    const { contracts } = loadContracts(documents, 'bench');
    const reloadMs = performance.now() - started;

    const checks = new ContractEnforcement(contracts, 'bench', pino({ level: 'silent' }));
    const order = { id: 'o-1', total: { amount: 12.5, currency: 'EUR' }, note: '' };
    order.note = 'x'.repeat(1024 - JSON.stringify(order).length);
    const body = Buffer.from(JSON.stringify(order));
    const payload = [{ event: body, contentType: 'application/json', raw: false }];
    const event = { id: 'e', specversion: '1.0', datacontenttype: 'application/json', data: order };
    if (checks.delivery('pubsub', 'orders', { ...event, data: { id: '' } }) === undefined) throw new Error('the delivery check does not apply');

    const time = (fn: () => void): number => {
      const perBatch = Math.max(1, Math.floor(iterations / 20));
      const batches: number[] = [];
      for (let b = 0; b < 20; b++) {
        const t = performance.now();
        for (let i = 0; i < perBatch; i++) fn();
        batches.push(((performance.now() - t) * 1000) / perBatch);
      }
      return median(batches);
    };
    for (let i = 0; i < Math.min(iterations, 10_000); i++) checks.publish('pubsub', 'orders', payload, false);
    const publishUs = time(() => checks.publish('pubsub', 'orders', payload, false));
    const parseUs = time(() => JSON.parse(body.toString('utf8')));
    const deliveryUs = time(() => checks.delivery('pubsub', 'orders', event));
    const round = (n: number, digits: number) => Number(n.toFixed(digits));
    return { date, eventBytes: body.length, firstLoadMs: round(firstLoadMs, 0), reloadMs: round(reloadMs, 1), publishUs: round(publishUs, 2), parseUs: round(parseUs, 2), deliveryUs: round(deliveryUs, 2) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The report's section: the figures against the target (< 20 µs for a 1 KB event). */
export function contractsSection(f: ContractFigures | undefined): string {
  if (!f) return '_Not measured in this run._';
  return [
    `In-process (\`npm run bench -- --only contracts\`): the AsyncAPI 3.0 contract of the tests, whose Order refers to a schema in another file, and a ${f.eventBytes}-byte Order event.`,
    '',
    '| What | Cost | Target |',
    '|---|---|---|',
    `| Publish check of one event (JSON.parse of the body + validation), median | ${f.publishUs} µs (JSON.parse alone: ${f.parseUs} µs) | < 20 µs: ${f.publishUs < 20 ? 'met' : 'missed'} |`,
    `| Delivery check of one event (the delivery path has parsed it already) | ${f.deliveryUs} µs | < 20 µs: ${f.deliveryUs < 20 ? 'met' : 'missed'} |`,
    `| First Contract load in a process (the AsyncAPI 3.0 meta-schema validator the build compiled loaded once, payload schema compiled) | ${f.firstLoadMs} ms | |`,
    `| Reload of the Contract (payload schema compiled again) | ${f.reloadMs} ms | |`,
  ].join('\n');
}
