import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrichStep } from '../../../src/routes/steps/enrich.js';
import { freePort } from '../../support/mecha-process.js';
import { component } from '../../support/resources.js';
import { message, startStepHost, type StepHost } from '../../support/step-host.js';

let host: StepHost;
let app: Server;
const calls: Array<{ method: string; url: string; body: string }> = [];

beforeAll(async () => {
  const port = await freePort();
  // The app answers each order with its customer; /broken fails.
  app = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      calls.push({ method: req.method!, url: req.url!, body });
      if (req.url === '/broken') return void res.writeHead(500).end('database down');
      const order = body ? (JSON.parse(body) as { customer?: string }) : {};
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ customer: { id: order.customer, tier: 'gold' }, checked: true }));
    });
  });
  await new Promise<void>((resolve) => app.listen(port, '127.0.0.1', resolve));
  host = await startStepHost(
    {
      'mem.yaml': component('mem', 'state.in-memory'),
      'crm.yaml': component('crm', 'bindings.http', { url: `http://127.0.0.1:${port}/crm` }),
    },
    ['--app-port', String(port)],
  );
  await host.deps.blocks.state.save({ storeName: 'mem', items: [{ key: 'customer-c1', value: { data: Buffer.from('{"name":"Ada","address":{"city":"Paris"}}'), binary: false } }], metadata: {} });
});
afterAll(async () => {
  await host?.stop();
  await new Promise((r) => app?.close(r));
});

const order = () => message({ id: 'o1', customer: 'c1', customerInfo: { address: { zip: '75001' } } });

describe('enrich', () => {
  it('calls the app through service invocation and deep-merges its answer (the default)', async () => {
    const { step } = host.step(enrichStep, { invoke: { appId: 'steps', method: '/customers/lookup' } });
    const [out] = await step.process(order());
    expect(out!.event.data).toEqual({ id: 'o1', customer: { id: 'c1', tier: 'gold' }, customerInfo: { address: { zip: '75001' } }, checked: true });
    expect(calls.at(-1)).toMatchObject({ method: 'POST', url: '/customers/lookup' });
    expect(JSON.parse(calls.at(-1)!.body)).toMatchObject({ id: 'o1' });
  });

  it('reads a state key chosen by a CEL expression, merged into a field or deeply', async () => {
    const into = host.step(enrichStep, { state: { store: 'mem', key: '"customer-" + event.data.customer' }, merge: { into: 'customerInfo' } });
    expect((await into.step.process(order()))[0]!.event.data).toEqual({ id: 'o1', customer: 'c1', customerInfo: { name: 'Ada', address: { city: 'Paris' } } });
    const deep = host.step(enrichStep, { state: { store: 'mem', key: '"customer-" + event.data.customer' } });
    const shallow = host.step(enrichStep, { state: { store: 'mem', key: '"customer-" + event.data.customer' }, merge: 'shallow' });
    const base = message({ customer: 'c1', address: { zip: '75001' } });
    expect((await deep.step.process(base))[0]!.event.data).toEqual({ customer: 'c1', name: 'Ada', address: { zip: '75001', city: 'Paris' } });
    expect((await shallow.step.process(base))[0]!.event.data).toEqual({ customer: 'c1', name: 'Ada', address: { city: 'Paris' } });
    const missing = host.step(enrichStep, { state: { store: 'mem', key: '"nobody"' } });
    expect((await missing.step.process(order()))[0]!.event.data).toEqual(order().event.data);
  });

  it('invokes an output binding with the data and merges its answer', async () => {
    const { step } = host.step(enrichStep, { binding: { name: 'crm', operation: 'post' }, merge: { into: 'crm' } });
    const [out] = await step.process(order());
    expect((out!.event.data as { crm: unknown }).crm).toEqual({ customer: { id: 'c1', tier: 'gold' }, checked: true });
    expect(calls.at(-1)).toMatchObject({ method: 'POST', url: '/crm' });
  });

  it('fails the message when the app answers an error, or the data cannot be merged', async () => {
    const broken = host.step(enrichStep, { invoke: { appId: 'steps', method: 'broken' } });
    await expect(broken.step.process(order())).rejects.toThrow(/answered POST \/broken with status 500: database down/);
    const { step } = host.step(enrichStep, { invoke: { appId: 'steps', method: 'x', verb: 'PUT' } });
    await expect(step.process(message('text'))).rejects.toThrow(/not a JSON object; use merge: \{ into: <field> \}/);
  });

  it('reports every problem with its field', () => {
    expect(enrichStep.parse({ invoke: { appId: '' }, state: {}, merge: 'sideways' }, 'spec.steps[2].enrich').problems).toEqual([
      { field: 'spec.steps[2].enrich', message: 'needs exactly one of invoke, state, binding (got invoke, state)' },
      { field: 'spec.steps[2].enrich.merge', message: 'must be one of deep, shallow' },
    ]);
    expect(enrichStep.parse({ invoke: { appId: '', verb: 'FETCH' }, merge: { into: '' } }, 'e').problems).toEqual([
      { field: 'e.invoke.appId', message: 'must be a non-empty string' },
      { field: 'e.invoke.method', message: 'must be a non-empty string' },
      { field: 'e.invoke.verb', message: 'must be one of GET, POST, PUT, PATCH, DELETE' },
      { field: 'e.merge.into', message: 'must be a non-empty string' },
    ]);
  });
});
