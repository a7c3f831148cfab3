import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMecha, type MechaProcess } from '../support/mecha-process.js';
import { component, resourcesDir } from '../support/resources.js';
import { startApp, workflowClient, workflowDoc } from '../support/workflows.js';

// Declared workflows driving a real app through the sidecar: a saga that compensates, a Map fan-out
// bounded by MaxConcurrency, a human approval on `event:` with a timeout.
const APP_ID = 'shop';

const saga = workflowDoc('order-saga', {
  StartAt: 'Reserve',
  States: {
    Reserve: { Type: 'Task', Resource: `invoke:${APP_ID}/reserve`, ResultPath: '$.reservation', Next: 'Charge' },
    Charge: {
      Type: 'Task',
      Resource: `invoke:${APP_ID}/charge`,
      ResultPath: '$.payment',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Release' }],
      Next: 'Done',
    },
    Release: { Type: 'Task', Resource: `invoke:${APP_ID}/release`, ResultPath: null, Next: 'Failed' },
    Failed: { Type: 'Fail', Error: 'Order.PaymentFailed', Cause: 'the card was declined; the reservation was released' },
    Done: { Type: 'Succeed' },
  },
});

const fanOut = workflowDoc('price-all', {
  StartAt: 'PriceEach',
  States: {
    PriceEach: {
      Type: 'Map',
      ItemsPath: '$.items',
      MaxConcurrency: 2,
      ItemProcessor: { StartAt: 'Price', States: { Price: { Type: 'Task', Resource: `invoke:${APP_ID}/price`, End: true } } },
      ResultPath: '$.priced',
      End: true,
    },
  },
});

const approval = workflowDoc('approval', {
  StartAt: 'AwaitApproval',
  States: {
    AwaitApproval: {
      Type: 'Task',
      Resource: 'event:approval',
      TimeoutSecondsPath: '$.timeoutSeconds',
      ResultPath: '$.approval',
      Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'Expired' }],
      Next: 'Record',
    },
    Record: { Type: 'Task', Resource: 'state:statestore/save', Parameters: { 'key.$': '$.order', 'value.$': '$.approval' }, ResultPath: null, End: true },
    Expired: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
  },
});

let mecha: MechaProcess;
let app: Awaited<ReturnType<typeof startApp>>;
let wf: ReturnType<typeof workflowClient>;
let inFlight = 0;
let maxInFlight = 0;

beforeAll(async () => {
  app = await startApp({
    reserve: (order) => ({ reservationId: `r-${order.order}` }),
    charge: (order) => {
      if (order.card === 'declined') throw new Error('card declined');
      return { paid: true };
    },
    release: (order) => ({ released: order.reservation.reservationId }),
    price: async (item) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 100));
      inFlight--;
      return { sku: item.sku, price: item.qty * 10 };
    },
  });
  const resources = resourcesDir({ 'store.yaml': component('statestore', 'state.in-memory'), 'saga.yaml': saga, 'fan-out.yaml': fanOut, 'approval.yaml': approval });
  mecha = await startMecha(['--app-id', APP_ID, '--app-port', String(app.port), '--resources-path', resources], { cwd: mkdtempSync(join(tmpdir(), 'mecha-wf-apps-')) });
  wf = workflowClient(mecha.url);
});
afterAll(async () => {
  await mecha?.stop();
  await app?.close();
});

describe('order saga', () => {
  it('completes when every step succeeds', async () => {
    const id = await wf.start('order-saga', { order: 1, card: 'ok' });
    const done = await wf.waitFor(id, ['COMPLETED', 'FAILED']);
    expect(done.runtimeStatus).toBe('COMPLETED');
    expect(JSON.parse(done.properties!['dapr.workflow.output'])).toEqual({ order: 1, card: 'ok', reservation: { reservationId: 'r-1' }, payment: { paid: true } });
  });

  it('compensates through Catch when the charge fails, then fails the order', async () => {
    const id = await wf.start('order-saga', { order: 2, card: 'declined' });
    const failed = await wf.waitFor(id, ['COMPLETED', 'FAILED']);
    expect(failed.runtimeStatus).toBe('FAILED');
    expect(failed.properties).toMatchObject({
      'dapr.workflow.failure.error_type': 'Order.PaymentFailed',
      'dapr.workflow.failure.error_message': 'the card was declined; the reservation was released',
    });
    const calls = app.calls.filter((c) => (c.body as { order?: number })?.order === 2);
    expect(calls.map((c) => c.method)).toEqual(['reserve', 'charge', 'release']);
    // The compensation sees the error it compensates for.
    expect((calls[2].body as { error: { Error: string } }).error.Error).toBe('Mecha.InvokeFailed');
    // Each Task attempt carries its idempotency key: <instance>/<state>/<attempt>.
    expect(calls.map((c) => c.headers['mecha-idempotency-key'])).toEqual([`${id}/Reserve/1`, `${id}/Charge/1`, `${id}/Release/1`]);
    const history = await wf.history(id);
    expect(history.filter((e) => e.type === 'TaskFailed').map((e) => e.state)).toEqual(['Charge']);
    expect(history.at(-1)?.type).toBe('ExecutionFailed');
  });
});

describe('fan-out with Map', () => {
  it('prices every item through the app, at most MaxConcurrency at a time, results in order', async () => {
    const items = Array.from({ length: 6 }, (_, i) => ({ sku: `s${i}`, qty: i + 1 }));
    const id = await wf.start('price-all', { items });
    const done = await wf.waitFor(id, ['COMPLETED', 'FAILED']);
    expect(done.runtimeStatus).toBe('COMPLETED');
    expect(JSON.parse(done.properties!['dapr.workflow.output']).priced).toEqual(items.map((it) => ({ sku: it.sku, price: it.qty * 10 })));
    expect(app.calls.filter((c) => c.method === 'price')).toHaveLength(6);
    expect(maxInFlight).toBeLessThanOrEqual(2);
    expect(maxInFlight).toBeGreaterThanOrEqual(1);
  });
});

describe('human approval on event:', () => {
  it('takes an approval raised while the instance waits, and records it in the state store', async () => {
    const id = await wf.start('approval', { order: 'o-100', timeoutSeconds: 300 });
    await wf.waitForEvent(id, 'TimerCreated', 'AwaitApproval');
    expect((await wf.post(`${id}/raiseEvent/approval`, { approved: true, by: 'lee' })).status).toBe(202);
    expect((await wf.waitFor(id, ['COMPLETED', 'FAILED'])).runtimeStatus).toBe('COMPLETED');
    const saved = await fetch(`${mecha.url}/v1.0/state/statestore/o-100`);
    expect(await saved.json()).toEqual({ approved: true, by: 'lee' });
  });

  it('takes an approval raised before the instance reaches the wait', async () => {
    const id = await wf.start('approval', { order: 'o-101', timeoutSeconds: 300 });
    expect((await wf.post(`${id}/raiseEvent/approval`, { approved: false })).status).toBe(202);
    const done = await wf.waitFor(id, ['COMPLETED', 'FAILED']);
    expect(JSON.parse(done.properties!['dapr.workflow.output']).approval).toEqual({ approved: false });
  });

  it('fails with States.Timeout when nobody answers within TimeoutSeconds', async () => {
    const id = await wf.start('approval', { order: 'o-102', timeoutSeconds: 1 });
    const failed = await wf.waitFor(id, ['COMPLETED', 'FAILED']);
    expect(failed.runtimeStatus).toBe('FAILED');
    expect(failed.properties!['dapr.workflow.failure.error_type']).toBe('States.Timeout');
    // A late answer finds a finished instance.
    const late = await wf.post(`${id}/raiseEvent/approval`, { approved: true });
    expect([late.status, ((await late.json()) as { errorCode: string }).errorCode]).toEqual([500, 'ERR_RAISE_EVENT_WORKFLOW']);
  });
});
